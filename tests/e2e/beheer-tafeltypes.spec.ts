import { expect, test, type Page } from '@playwright/test';
import { expectNoAxeViolations, hydrated, login, screenshot } from './helpers';

/**
 * The beheerder's table-type pages in Chromium: the list with the eight seeded types, editing
 * one (a mistake first, then a correct save), and axe on every state. Only Top X Plus is
 * changed, and it is put back at the end: other browser tests may run on the same seeded
 * database and rely on the JBT, Top 150, MDA++, OPH and TWS rules.
 */

const TYPE = 'Top X Plus';

async function openList(page: Page) {
	await page.goto('/beheer');
	await hydrated(page);
	await page.getByRole('navigation', { name: 'Beheer' }).getByRole('link', { name: 'Tafeltypes' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tafeltypes');
	await hydrated(page);
}

/** The table row of a type in the list, by its name link. */
const row = (page: Page, name: string) => page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });

test.describe('tafeltypes beheren (beheerder)', () => {
	test.beforeEach(async ({ page }) => {
		await login(page, 'beheerder');
	});

	test('de lijst toont alle acht tafeltypes met hun regels', async ({ page }) => {
		await openList(page);
		await expect(page.getByRole('link', { name: 'Tafeltypes', exact: true })).toHaveAttribute('aria-current', 'page');
		await expect(page.locator('tbody tr')).toHaveCount(8);
		await expect(row(page, 'Jeugdbeschermingstafel')).toContainText('Veilig Thuis, Lokaal team, GI');
		await expect(row(page, 'Top 150')).toContainText('150 casussen');
		await expect(row(page, 'MDA++')).toContainText('Drie acties (MDA++)');
		await expect(row(page, 'MDA++')).toContainText('36 maanden (3 jaar)');
		await expectNoAxeViolations(page);
		await screenshot(page, 'beheerder-tafeltypes');
	});

	test('Top X Plus bewerken: eerst een fout, dan opgeslagen met bevestiging', async ({ page }) => {
		test.setTimeout(90_000); // three saves, three axe runs: 32 s once under load
		await openList(page);
		await row(page, TYPE).getByRole('link', { name: TYPE }).click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(TYPE);
		await hydrated(page);
		const cap = page.getByLabel('Maximum aantal lopende casussen');
		// no maximum: "op dit moment … 30 casussen" is a count, not a cap (001 §5.4.7)
		await expect(cap).toHaveValue('');
		await expect(page.getByRole('checkbox', { name: 'Politie' })).not.toBeChecked();
		await expectNoAxeViolations(page);
		await screenshot(page, 'beheerder-tafeltype-bewerken');

		// the select's help text follows the chosen template
		const template = page.getByLabel('Uitkomst van een bespreking');
		await template.selectOption({ label: 'Integraal plan van aanpak (Top 150)' });
		await expect(template).toHaveAccessibleDescription(/SMART-doelen per leefgebied en het integraal plan van aanpak/);
		await template.selectOption({ label: 'Algemeen' });
		await expect(template).toHaveAccessibleDescription(/Geen vaste uitkomst/);

		// a mistake: the minimum age above the maximum, and no leefgebieden
		await cap.fill('32');
		await page.getByRole('checkbox', { name: 'Politie' }).check();
		await page.getByLabel('Laagste leeftijd').fill('18');
		await page.getByLabel('Hoogste leeftijd').fill('17');
		const leefgebieden = page.getByLabel('Leefgebieden');
		const seededLeefgebieden = await leefgebieden.inputValue();
		await leefgebieden.fill('');
		await page.getByRole('button', { name: 'Wijzigingen opslaan' }).click();

		const alert = page.getByRole('alert');
		await expect(alert).toContainText('Het soort overleg is niet opgeslagen.');
		await expect(alert).toBeFocused();
		await expect(alert.getByRole('link')).toHaveText([
			/^Hoogste leeftijd: De hoogste leeftijd \(17\) is lager dan de laagste leeftijd \(18\)/,
			'Leefgebieden: Vul minstens één leefgebied in, één per regel.'
		]);
		await expect(page.getByLabel('Hoogste leeftijd')).toHaveAttribute('aria-invalid', 'true');
		await expect(leefgebieden).toHaveAccessibleDescription(/Vul minstens één leefgebied in, één per regel\./);
		// what was typed is still there
		await expect(cap).toHaveValue('32');
		await expect(page.getByRole('checkbox', { name: 'Politie' })).toBeChecked();
		await expect(page.getByLabel('Hoogste leeftijd')).toHaveValue('17');
		await expectNoAxeViolations(page);
		await screenshot(page, 'beheerder-tafeltype-fout');

		// the summary's link puts the cursor in the field
		await alert.getByRole('link', { name: /^Leefgebieden:/ }).click();
		await expect(leefgebieden).toBeFocused();

		// correct both and save
		await leefgebieden.fill(seededLeefgebieden);
		await page.getByLabel('Laagste leeftijd').fill('');
		await page.getByLabel('Hoogste leeftijd').fill('');
		await page.getByRole('button', { name: 'Wijzigingen opslaan' }).click();
		const status = page.getByRole('status');
		await expect(status).toHaveText(
			'De wijzigingen zijn opgeslagen (wie mag aanmelden, maximum aantal lopende casussen). Ze gelden meteen voor de overlegtafels van dit type.'
		);
		await expect(status).toBeFocused();
		await expect(page.getByRole('alert')).toHaveCount(0);
		await expect(cap).toHaveValue('32');
		await expect(page.getByText(/Laatst gewijzigd op/)).toBeVisible();
		await expectNoAxeViolations(page);
		await screenshot(page, 'beheerder-tafeltype-opgeslagen');

		// the list shows the new cap, also after a fresh load
		await openList(page);
		await expect(row(page, TYPE)).toContainText('32 casussen');
		await expect(row(page, TYPE)).toContainText('Politie');

		// put Top X Plus back as the seed has it
		await row(page, TYPE).getByRole('link', { name: TYPE }).click();
		await hydrated(page);
		await cap.fill('');
		await page.getByRole('checkbox', { name: 'Politie' }).uncheck();
		await page.getByRole('button', { name: 'Wijzigingen opslaan' }).click();
		await expect(page.getByRole('status')).toContainText('De wijzigingen zijn opgeslagen');
		await expect(cap).toHaveValue('');
	});

	test('het formulier voor een nieuw tafeltype', async ({ page }) => {
		await openList(page);
		await page.getByRole('link', { name: 'Tafeltype toevoegen' }).click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tafeltype toevoegen');
		await hydrated(page);
		await expect(page.getByLabel('Bewaartermijn na afsluiten (maanden)')).toHaveValue('60');
		await expectNoAxeViolations(page);
		// sent empty: every required field says what is missing, nothing is added
		await page.getByRole('button', { name: 'Tafeltype toevoegen' }).click();
		await expect(page.getByRole('alert')).toContainText('Het soort overleg is niet opgeslagen.');
		await expect(page.getByLabel('Naam', { exact: true })).toHaveAttribute('aria-invalid', 'true');
		await expectNoAxeViolations(page);
		await screenshot(page, 'beheerder-tafeltype-nieuw-fout');
	});
});
