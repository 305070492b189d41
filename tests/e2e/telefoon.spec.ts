import Database from 'better-sqlite3';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { addAction, addAgendaItem, removeAction, removeAgendaItem } from '../../src/lib/shared/documents';
import type { DocClient } from '../integration/helpers/realtime';
import { dbRow, docOfContext, expectNoAxeViolations, hydrated, loggedInPage, login, screenshot } from './helpers';

/**
 * Issue 14 items 6 and 8 on a phone (360×740): linda@, casusregisseur of the MDA++ household,
 * gets a new action from the voorzitter, opens Mijn acties through the collapsed menu, changes
 * its status and note, reads the melding that names the action, and looks at the case and the
 * meeting. No page of the journey scrolls sideways.
 *
 * Uses an MDA++ meeting of its own and an action of its own on MDA-2026-001, removed at the end.
 */
test.use({ actionTimeout: 10_000 });

const PHONE = { width: 360, height: 740 };
const ACTION = 'Veiligheidsplan met het huishouden doorlopen';
const NOTICE = 'U bent actiehouder van een nieuwe actie bij MDA-2026-001.';

function ownMdaMeeting(): number {
	const db = new Database(process.env.E2E_DATABASE_URL!, { fileMustExist: true });
	try {
		db.pragma('busy_timeout = 5000');
		const table = db.prepare("select id from case_tables where code_prefix = 'MDA'").get() as { id: number };
		const startsAt = new Date(Date.now() + 40 * 86_400_000);
		startsAt.setUTCHours(13, 0, 0, 0);
		const row = db
			.prepare("insert into meetings (case_table_id, starts_at, location, status, created_at) values (?, ?, 'Zorg- en Veiligheidshuis, kamer 2', 'gepland', ?) returning id")
			.get(table.id, startsAt.toISOString(), new Date().toISOString()) as { id: number };
		return row.id;
	} finally {
		db.close();
	}
}

async function expectNoSidewaysScroll(page: Page): Promise<void> {
	const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
	expect(widths.scroll, `${page.url()} scrolls sideways (${widths.scroll} > ${widths.client})`).toBeLessThanOrEqual(widths.client);
}

test('een casemanager op de telefoon: Mijn acties, status en notitie, de melding die de actie noemt, casus en overleg', async ({ browser, baseURL }) => {
	test.setTimeout(120_000);
	const mda = dbRow<{ id: number }>("select id from cases where code = 'MDA-2026-001'");
	const linda = dbRow<{ id: number; organisation_id: number }>("select id, organisation_id from users where email = 'linda@casustafel.example'");
	const meetingId = ownMdaMeeting();
	const contexts: BrowserContext[] = [];
	let caseDoc: DocClient | null = null;
	let meetingDoc: DocClient | null = null;
	let actionId: string | null = null;
	let itemId: string | null = null;
	try {
		// the voorzitter puts the case on the meeting's agenda and gives linda an action
		const chair = await loggedInPage(browser, 'voorzitter');
		contexts.push(chair.context);
		meetingDoc = await docOfContext(chair.context, baseURL!, `meeting:${meetingId}`);
		itemId = addAgendaItem(meetingDoc.doc, { caseId: mda.id, caseCode: 'MDA-2026-001', title: '', plannedMinutes: 20, status: 'gepland' });
		caseDoc = await docOfContext(chair.context, baseURL!, `case:${mda.id}`);
		actionId = addAction(caseDoc.doc, {
			text: ACTION,
			actiehouderId: linda.id,
			actiehouderName: 'Linda Bos',
			organisationId: linda.organisation_id,
			organisationName: 'Sociaal Team Voorbeeld',
			deadline: '2099-05-01',
			status: 'open',
			leefgebied: ''
		});

		const context = await browser.newContext({ viewport: PHONE });
		contexts.push(context);
		const page = await context.newPage();
		await login(page, 'linda@casustafel.example');
		await hydrated(page);
		await expectNoSidewaysScroll(page);

		await test.step('het menu is ingeklapt; "Menu" klapt het uit en brengt haar naar Mijn acties', async () => {
			const menu = page.getByRole('button', { name: 'Menu' });
			await expect(menu).toHaveAttribute('aria-expanded', 'false');
			await expect(page.getByRole('navigation', { name: 'Hoofdmenu' })).toBeHidden();
			await menu.click();
			await expect(menu).toHaveAttribute('aria-expanded', 'true');
			await expectNoSidewaysScroll(page);
			await screenshot(page, 'telefoon-menu-open');
			await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Mijn acties' }).click();
			await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mijn acties');
			await expect(menu).toHaveAttribute('aria-expanded', 'false');
		});

		await test.step('Mijn acties als kaarten: status en notitie wijzigen', async () => {
			await hydrated(page);
			const card = page.locator(`tr[data-action-id="${actionId}"]`);
			await expect(card).toContainText(ACTION);
			await expect(card).toContainText('MDA-2026-001');
			await expectNoSidewaysScroll(page);
			const box = await card.boundingBox();
			expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);

			await page.getByLabel(`Status van ${ACTION}`).selectOption('bezig');
			await page.getByRole('button', { name: `Opslaan status van ${ACTION}` }).click();
			await expect(page.getByRole('status').filter({ hasText: `De status van “${ACTION}” is nu bezig.` })).toBeVisible();
			await page.getByLabel(`Notitie bij ${ACTION}`).fill('Eerste gesprek op dinsdag');
			await page.getByRole('button', { name: `Opslaan notitie bij ${ACTION}` }).click();
			await expect(page.getByRole('status').filter({ hasText: `De notitie bij “${ACTION}” is opgeslagen.` })).toBeVisible();
			await expectNoSidewaysScroll(page);
			await expectNoAxeViolations(page);
			await screenshot(page, 'telefoon-mijn-acties');

			await page.reload();
			await hydrated(page);
			await expect(page.getByLabel(`Status van ${ACTION}`)).toHaveValue('bezig');
			await expect(page.getByLabel(`Notitie bij ${ACTION}`)).toHaveValue('Eerste gesprek op dinsdag');
		});

		await test.step('de bel: de melding noemt de actie', async () => {
			await page.getByRole('link', { name: /^Meldingen/ }).click();
			await expect(page.getByRole('heading', { level: 1 })).toHaveText('Meldingen');
			const item = page.getByRole('listitem').filter({ hasText: NOTICE });
			await expect(item.getByTestId('melding-over')).toHaveText(`Actie: ${ACTION} (MDA-2026-001, deadline 1 mei 2099)`);
			await expectNoSidewaysScroll(page);
			await expectNoAxeViolations(page);
			await screenshot(page, 'telefoon-meldingen');
		});

		await test.step('de casus en het overleg passen op de telefoon', async () => {
			await page.goto(`/casus/${mda.id}`);
			await expect(page.getByRole('heading', { level: 1 })).toHaveText('Casus MDA-2026-001');
			await hydrated(page);
			await expectNoSidewaysScroll(page);
			await expectNoAxeViolations(page);
			await screenshot(page, 'telefoon-casus');

			await page.goto(`/overleg/${meetingId}`);
			await hydrated(page);
			const row = page.locator(`table.actions tr[data-action-id="${actionId}"]`);
			await expect(row).toContainText(ACTION);
			await expect(row).toContainText('Linda Bos');
			await expectNoSidewaysScroll(page);
			const box = await row.boundingBox();
			expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
			await expectNoAxeViolations(page);
			await screenshot(page, 'telefoon-overleg');
		});
	} finally {
		if (caseDoc && actionId) removeAction(caseDoc.doc, actionId);
		if (meetingDoc && itemId) removeAgendaItem(meetingDoc.doc, itemId);
		await new Promise((r) => setTimeout(r, 500));
		caseDoc?.destroy();
		meetingDoc?.destroy();
		for (const c of contexts) await c.close();
	}
});

test('zonder JavaScript staat het menu open op de telefoon, zonder knop', async ({ browser }) => {
	const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
	const page = await context.newPage();
	try {
		await page.goto('/login');
		await page.getByLabel('E-mailadres').fill('linda@casustafel.example');
		await page.getByLabel('Wachtwoord').fill('Voorbeeld-2026');
		await page.getByRole('button', { name: 'Inloggen' }).click();
		await page.waitForURL((url) => !url.pathname.startsWith('/login'));
		await expect(page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Mijn acties' })).toBeVisible();
		await expect(page.getByRole('button', { name: 'Menu' })).toBeHidden();
		await expectNoSidewaysScroll(page);
	} finally {
		await context.close();
	}
});
