import { expect, test, type Page } from '@playwright/test';
import { caseIdFromTable, expectNoAxeViolations, hydrated, login, screenshot } from './helpers';

/**
 * The case after its bespreking in Chromium: the voorzitter puts T150-2026-015 (besproken) in
 * monitoring and escalates it, the deelnemer reads T150-2026-014's regie history. Nothing here
 * closes a case: other browser tests use the demo cases on the same database.
 */

/** A date `days` from today in the Netherlands, as the date field takes it. */
function inDays(days: number): string {
	const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
	return new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

async function openCase(page: Page, code: string): Promise<void> {
	await page.getByRole('link', { name: 'Top 150 Regio Voorbeeld' }).first().click();
	const id = await caseIdFromTable(page, code);
	await page.goto(`/casus/${id}`);
	await hydrated(page);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Casus ${code}`);
}

test('voorzitter zet T150-2026-015 in monitoring, escaleert en legt de uitkomst vast', async ({ page }) => {
	await login(page, 'voorzitter');
	await openCase(page, 'T150-2026-015');
	const fase = page.getByRole('region', { name: 'Fase en opvolging' });
	await expect(fase.getByText('Besproken', { exact: true })).toBeVisible();
	await expectNoAxeViolations(page);
	await screenshot(page, 'levensloop-voorzitter-besproken');

	// monitoring without a review date: refused, with the message at the field
	const form = page.getByRole('form', { name: 'Fase wijzigen' });
	await form.getByRole('radio', { name: /^Monitoring/ }).check();
	await form.getByRole('button', { name: 'Fase opslaan' }).click();
	await expect(form.getByRole('alert')).toHaveText('Controleer de invoer. Wat er mis is, staat bij het veld.');
	const review = form.getByLabel('Tussentijds toetsen op');
	await expect(review).toHaveAttribute('aria-invalid', 'true');
	await expect(review).toHaveAccessibleDescription(/Vul de datum in waarop de tafel de voortgang tussentijds toetst\./);
	// the choice made is kept
	await expect(form.getByRole('radio', { name: /^Monitoring/ })).toBeChecked();
	// the follow-up end is offered: Top 150 follows a case for two years
	await expect(form.getByLabel('Volgen tot')).toHaveValue(/^\d{4}-\d{2}-\d{2}$/);
	await expectNoAxeViolations(page);
	await screenshot(page, 'levensloop-voorzitter-monitoring-zonder-datum');

	const reviewDate = inDays(35);
	await review.fill(reviewDate);
	await form.getByRole('button', { name: 'Fase opslaan' }).click();
	await expect(fase.getByRole('status')).toHaveText('De casus staat nu in monitoring.');
	await expect(fase.getByText('Monitoring', { exact: true })).toBeVisible();
	await expect(fase.getByRole('term').filter({ hasText: 'Volgen tot' })).toBeVisible();
	await expect(fase.getByText('Top 150 volgt een casus minimaal twee jaar.')).toBeVisible();
	// the form keeps what was chosen, with the follow-up end it now has
	await expect(form.getByRole('radio', { name: /^Monitoring/ })).toBeChecked();
	await expect(form.getByLabel('Tussentijds toetsen op')).toHaveValue(reviewDate);
	await expect(form.getByLabel('Volgen tot')).toHaveValue(/^\d{4}-\d{2}-\d{2}$/);

	// escalate: help stagnates
	const escalaties = page.getByRole('region', { name: 'Escalaties' });
	const raise = page.getByRole('form', { name: 'Escaleren' });
	await raise.getByLabel('Waarom stagneert de hulp?').fill('Verslavingszorg heeft een wachtlijst van een half jaar; Karin valt terug.');
	await raise.getByLabel('Naar wie gaat de escalatie?').fill('Lokale taskforce gemeente');
	await raise.getByRole('button', { name: 'Escalatie vastleggen' }).click();
	await expect(escalaties.getByRole('status')).toHaveText('De escalatie is vastgelegd.');
	const open = escalaties.getByRole('listitem').filter({ hasText: 'Loopt nog' });
	await expect(open).toContainText('Naar Lokale taskforce gemeente');
	await expect(open).toContainText('Gemeld door Hanna de Vries');
	// closing waits for the outcome
	await expect(page.getByRole('form', { name: 'Casus afsluiten' })).toContainText('Er loopt nog een escalatie.');
	await expectNoAxeViolations(page);
	await screenshot(page, 'levensloop-voorzitter-escalatie-open');

	// the outcome, first too short
	const outcome = open.getByLabel(/Uitkomst van de escalatie/);
	await outcome.fill('Ja');
	await open.getByRole('button', { name: /Uitkomst vastleggen/ }).click();
	await expect(open.getByRole('alert')).toHaveText('Controleer de invoer. Wat er mis is, staat bij het veld.');
	await expect(outcome).toHaveAccessibleDescription(/Beschrijf de uitkomst van de escalatie in minstens 10 tekens\./);
	await expect(outcome).toHaveValue('Ja');
	await expectNoAxeViolations(page);
	await outcome.fill('De taskforce regelt voorrang bij de verslavingszorg binnen twee weken.');
	await open.getByRole('button', { name: /Uitkomst vastleggen/ }).click();
	await expect(escalaties.getByRole('status')).toHaveText('De uitkomst van de escalatie is vastgelegd.');
	const done = escalaties.getByRole('listitem').filter({ hasText: 'Afgerond' });
	await expect(done).toContainText('De taskforce regelt voorrang bij de verslavingszorg binnen twee weken.');
	await expect(done).toContainText('Vastgelegd door Hanna de Vries');
	await expect(escalaties.getByText('Loopt nog')).toHaveCount(0);
	await expectNoAxeViolations(page);
	await screenshot(page, 'levensloop-voorzitter-escalatie-afgerond');

	// after a reload the case is still in monitoring with the review date
	await page.reload();
	await hydrated(page);
	await expect(fase.getByText('Monitoring', { exact: true })).toBeVisible();
	await expect(page.getByRole('form', { name: 'Fase wijzigen' }).getByLabel('Tussentijds toetsen op')).toHaveValue(reviewDate);
});

test('deelnemer leest de regiegeschiedenis van T150-2026-014', async ({ page }) => {
	await login(page, 'deelnemer');
	await openCase(page, 'T150-2026-014');
	const regie = page.getByRole('region', { name: 'Regie' });
	await expect(regie.getByText('Procesregisseur', { exact: true }).first()).toBeVisible();
	const history = regie.getByRole('table', { name: 'Geschiedenis van de regie, nieuwste eerst' });
	await expect(history).toBeVisible();
	await expect(history.getByRole('row', { name: /Procesregisseur.*Joris Bakker/ })).toBeVisible();
	const mine = history.getByRole('row', { name: /Casusregisseur.*Fatima El Amrani/ });
	await expect(mine).toContainText('Hanna de Vries');
	await expect(mine.getByRole('link')).toHaveAttribute('href', /^\/overleg\/\d+$/);
	const besprekingen = page.getByRole('region', { name: 'Besprekingen' });
	await expect(besprekingen.getByRole('link', { name: /Overleg van/ })).toBeVisible();
	await expectNoAxeViolations(page);
	await screenshot(page, 'levensloop-deelnemer-regie');
});

test('waarnemer ziet de opvolging van T150-2026-014 zonder formulieren', async ({ page }) => {
	await login(page, 'waarnemer');
	await openCase(page, 'T150-2026-014');
	await expect(page.getByRole('region', { name: 'Fase en opvolging' })).toBeVisible();
	await expect(page.getByRole('table', { name: 'Geschiedenis van de regie, nieuwste eerst' })).toBeVisible();
	await expect(page.getByRole('form')).toHaveCount(0);
	await expectNoAxeViolations(page);
	await screenshot(page, 'levensloop-waarnemer');
});
