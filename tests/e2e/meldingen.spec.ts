import { expect, test, type Page } from '@playwright/test';
import { addAction, removeAction } from '../../src/lib/shared/documents';
import type { DocClient } from '../integration/helpers/realtime';
import { dbRow, docOfContext, expectNoAxeViolations, hydrated, loggedInPage, login, screenshot } from './helpers';

/**
 * Meldingen in Chromium: the bell with the unread count in the header, /meldingen with the
 * waarnemer's overdue reminder (sent by the reminder scan at start), marking one read, a notice
 * that arrives live while the page is open, and "Alles gelezen" without JavaScript.
 *
 * The region is shared with the other specs: the waarnemer's seeded reminder is only marked
 * read here; the live notice comes from an action added to OPH-2026-004 for anouk@ (a case and a
 * person no other spec of this project uses) and removed again at the end.
 */
test.use({ actionTimeout: 10_000 });

const OVERDUE = 'De deadline van uw actie bij T150-2026-014 is verstreken.';
const bell = (page: Page) => page.getByRole('link', { name: /^Meldingen/ });

test('de waarnemer ziet de bel met haar herinnering, opent Meldingen en markeert hem als gelezen', async ({ browser }) => {
	const { context, page } = await loggedInPage(browser, 'waarnemer');
	try {
		await hydrated(page);
		// the scan at start found her overdue action
		await expect(bell(page)).toHaveAccessibleName(/^Meldingen, \d+ ongelezen$/);
		const before = Number(/(\d+)/.exec((await bell(page).getAttribute('aria-label')) ?? '')?.[1]);
		expect(before).toBeGreaterThan(0);
		await expectNoAxeViolations(page);
		await screenshot(page, 'meldingen-bel-waarnemer');

		await bell(page).click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Meldingen');
		await hydrated(page);
		await expect(bell(page)).toHaveAttribute('aria-current', 'page');
		const item = page.getByRole('listitem').filter({ hasText: OVERDUE });
		await expect(item).toContainText('Ongelezen');
		await expect(item.getByRole('link', { name: OVERDUE })).toHaveAttribute('href', '/acties');
		await expect(page.getByRole('button', { name: 'Alles gelezen' })).toBeVisible();
		await expectNoAxeViolations(page);
		await screenshot(page, 'meldingen-waarnemer');

		await item.getByRole('button', { name: `Markeer als gelezen: ${OVERDUE}` }).click();
		const message = page.getByRole('status').filter({ hasText: 'De melding is gemarkeerd als gelezen.' });
		await expect(message).toBeVisible();
		await expect(message).toBeFocused();
		await expect(item).toContainText('Gelezen');
		await expect(item).not.toContainText('Ongelezen');
		await expect(item.getByRole('button')).toHaveCount(0);
		// the bell counts one fewer (or shows no number at all)
		const after = Number(/(\d+)/.exec((await bell(page).getAttribute('aria-label')) ?? '')?.[1] ?? 0);
		expect(after).toBeLessThan(before);
		await expectNoAxeViolations(page);
		await screenshot(page, 'meldingen-waarnemer-gelezen');
	} finally {
		await context.close();
	}
});

test('een nieuwe actie verschijnt live: de bel telt op en de lijst toont hem; Alles gelezen werkt ook zonder JavaScript', async ({ browser, baseURL }) => {
	const anouk = dbRow<{ id: number; organisation_id: number }>("select id, organisation_id from users where email = 'anouk@casustafel.example'");
	const oph = dbRow<{ id: number }>("select id from cases where code = 'OPH-2026-004'");

	const context = await browser.newContext();
	const page = await context.newPage();
	const chair = await browser.newContext();
	const chairPage = await chair.newPage();
	let doc: DocClient | null = null;
	let actionId: string | null = null;
	try {
		await login(page, 'anouk@casustafel.example');
		await page.goto('/meldingen');
		await hydrated(page);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Meldingen');
		const unreadBefore = await page.getByText('Ongelezen', { exact: true }).count();

		// the chair of the table adds an action for her, as a laptop in the meeting would
		await login(chairPage, 'mehmet@casustafel.example');
		doc = await docOfContext(chair, baseURL!, `case:${oph.id}`);
		actionId = addAction(doc.doc, {
			text: 'Gesprek met school en ouders plannen',
			actiehouderId: anouk.id,
			actiehouderName: 'Anouk',
			organisationId: anouk.organisation_id,
			organisationName: 'Scholengroep Voorbeeld',
			deadline: '2099-06-30',
			status: 'open',
			leefgebied: 'Onderwijs'
		});

		const notice = 'U bent actiehouder van een nieuwe actie bij OPH-2026-004.';
		const item = page.getByRole('listitem').filter({ hasText: notice });
		await expect(item).toContainText('Ongelezen', { timeout: 5_000 });
		await expect(bell(page)).toHaveAccessibleName(`Meldingen, ${unreadBefore + 1} ongelezen`);
		// screen readers hear it once, politely
		await expect(page.locator('[aria-live="polite"]').filter({ hasText: `Nieuwe melding: ${notice}` })).toHaveCount(1);
		// in the app (logged in) the melding names the action; the e-mail does not (integration tests)
		await expect(page.getByTestId('melding-over').filter({ hasText: 'Actie: Gesprek met school en ouders plannen (OPH-2026-004' })).toHaveCount(1);
		await expectNoAxeViolations(page);
		await screenshot(page, 'meldingen-live');
	} finally {
		if (doc && actionId) removeAction(doc.doc, actionId);
		await new Promise((r) => setTimeout(r, 300));
		doc?.destroy();
		await chair.close();
		await context.close();
	}

	// the same page without JavaScript: the forms post as plain forms
	const noJs = await browser.newContext({ javaScriptEnabled: false });
	const plain = await noJs.newPage();
	try {
		await plain.goto('/login');
		await plain.getByLabel('E-mailadres').fill('anouk@casustafel.example');
		await plain.getByLabel('Wachtwoord').fill('Voorbeeld-2026');
		await plain.getByRole('button', { name: 'Inloggen' }).click();
		await plain.waitForURL((url) => url.pathname !== '/login');
		await plain.goto('/meldingen');
		await expect(bell(plain)).toHaveAccessibleName(/^Meldingen, \d+ ongelezen$/);
		await plain.getByRole('button', { name: 'Alles gelezen' }).click();
		await expect(plain.getByRole('status').filter({ hasText: /gemarkeerd als gelezen/ })).toBeVisible();
		await expect(plain.getByText('U hebt geen ongelezen meldingen.')).toBeVisible();
		await expect(bell(plain)).toHaveAccessibleName('Meldingen');
		await expect(plain.getByText('Ongelezen', { exact: true })).toHaveCount(0);
		// (axe needs JavaScript in the page; the same page with JavaScript is checked above)
		await screenshot(plain, 'meldingen-alles-gelezen-zonder-js');
	} finally {
		await noJs.close();
	}
});
