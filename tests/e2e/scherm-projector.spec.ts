import Database from 'better-sqlite3';
import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { addAction, caseTextOf, goalText, removeAction } from '../../src/lib/shared/documents';
import type { DocClient } from '../integration/helpers/realtime';
import { dbRow, docOfContext, expectNoAxeViolations, hydrated, loggedInPage, openMeetingOnAnotherDay, screenshot } from './helpers';

/**
 * Issue 14 item 6: the shared screen on a 1280×720 projector. A full item (long situation and
 * plan, three goals, seven actions) shows its actions and the chair's controls without anyone
 * scrolling the page; the case texts scroll in their own column. At 360 px the screen is an
 * ordinary page that does not scroll sideways.
 *
 * Uses a Top 150 meeting of its own (40 days ahead, before room.spec.ts's at 45) and
 * T150-2026-016, whose content no other spec reads; the content is removed again at the end.
 */
test.use({ actionTimeout: 10_000 });

const CASE = { code: 'T150-2026-016', title: 'Nieuwe aanmelding, nog te beoordelen' };
const ACTIONS = [
	'Intake bij de schuldhulpverlening plannen',
	'Huisbezoek met de wijkagent',
	'Aanmelden bij de verslavingszorg',
	'Dagbesteding zoeken in de buurt',
	'Gesprek met de woningcorporatie over de huurachterstand',
	'Contact met de reclassering over de meldplicht',
	'Evaluatie in het volgende overleg voorbereiden'
];
const CHAIR_CONTROLS = ['Vorige (←)', 'Volgende (→)', 'Timer (T)', 'Punt afronden (A)', 'Overleg sluiten', 'Namen tonen (N)', 'Beperkte weergave (B)'];

function ownMeeting(): number {
	const db = new Database(process.env.E2E_DATABASE_URL!, { fileMustExist: true });
	try {
		db.pragma('busy_timeout = 5000');
		const table = db.prepare("select id from case_tables where name = 'Top 150 Regio Voorbeeld'").get() as { id: number };
		const startsAt = new Date(Date.now() + 40 * 86_400_000);
		startsAt.setUTCHours(12, 30, 0, 0);
		const row = db
			.prepare("insert into meetings (case_table_id, starts_at, location, status, created_at) values (?, ?, 'Stadskantoor, zaal 1.05', 'gepland', ?) returning id")
			.get(table.id, startsAt.toISOString(), new Date().toISOString()) as { id: number };
		return row.id;
	} finally {
		db.close();
	}
}

/** The element's box lies inside the viewport: seen without scrolling. */
async function expectInViewport(page: Page, locator: Locator, what: string): Promise<void> {
	const box = await locator.boundingBox();
	const viewport = page.viewportSize()!;
	expect(box, `${what} is rendered`).not.toBeNull();
	expect(box!.x, `${what}: left edge`).toBeGreaterThanOrEqual(0);
	expect(box!.y, `${what}: top edge`).toBeGreaterThanOrEqual(0);
	expect(box!.x + box!.width, `${what}: right edge`).toBeLessThanOrEqual(viewport.width);
	expect(box!.y + box!.height, `${what}: bottom edge`).toBeLessThanOrEqual(viewport.height);
}

/** `inner` lies within the visible box of `outer` (a column that scrolls by itself). */
async function expectInside(inner: Locator, outer: Locator, what: string): Promise<void> {
	const [a, b] = [await inner.boundingBox(), await outer.boundingBox()];
	expect(a!.y, `${what}: top edge in its column`).toBeGreaterThanOrEqual(b!.y - 1);
	expect(a!.y + a!.height, `${what}: bottom edge in its column`).toBeLessThanOrEqual(b!.y + b!.height + 1);
}

/** `upper` ends before `lower` starts. */
async function expectAbove(upper: Locator, lower: Locator, what: string): Promise<void> {
	const [a, b] = [await upper.boundingBox(), await lower.boundingBox()];
	expect(a!.y + a!.height, `${what} end above the chair's controls`).toBeLessThanOrEqual(b!.y + 1);
}

const pageScrolls = (page: Page) =>
	page.evaluate(() => ({
		sideways: document.documentElement.scrollWidth > document.documentElement.clientWidth,
		down: document.documentElement.scrollHeight > document.documentElement.clientHeight
	}));

test('op een projector van 1280×720 staan de acties van het punt en de knoppen van de voorzitter in beeld', async ({ browser, baseURL }) => {
	test.setTimeout(180_000);
	const meetingId = ownMeeting();
	const caseId = dbRow<{ id: number }>('select id from cases where code = ?', CASE.code).id;
	const contexts: BrowserContext[] = [];
	let doc: DocClient | null = null;
	const added: string[] = [];
	try {
		const chair = await loggedInPage(browser, 'voorzitter', { viewport: { width: 1280, height: 720 } });
		contexts.push(chair.context);
		await chair.page.goto(`/overleg/${meetingId}`);
		await hydrated(chair.page);
		await chair.page.locator('#agenda-casus').selectOption({ label: `${CASE.code}: ${CASE.title}` });
		await chair.page.getByRole('button', { name: 'Op de agenda' }).click();
		await openMeetingOnAnotherDay(chair.page); // planned 40 days ahead
		await chair.page.getByRole('button', { name: new RegExp(`^Nu bespreken\\s*:\\s*${CASE.code}$`) }).click();
		await expect(chair.page.locator('#punt-kop')).toHaveText(`${CASE.code}: ${CASE.title}`);

		// a full item, as after a long bespreking
		doc = await docOfContext(chair.context, baseURL!, `case:${caseId}`);
		const d = doc.doc;
		d.transact(() => {
			caseTextOf(d, 'situatie').insert(0, 'Jamal (25) woont sinds een half jaar weer bij zijn moeder. '.repeat(6) + '\nSchulden bij vier schuldeisers; de huur is drie maanden achter.\nGeen werk, geen dagbesteding.');
			caseTextOf(d, 'plan').insert(0, 'Eerst rust in de financiën, dan werk aan dagbesteding en herstel van het contact met de reclassering. '.repeat(4));
			goalText(d, 'Financiën').insert(0, 'Binnen drie maanden een stabiel budget met budgetbeheer.');
			goalText(d, 'Wonen').insert(0, 'De huurachterstand is binnen zes maanden ingelopen.');
			goalText(d, 'Dagbesteding').insert(0, 'Binnen twee maanden drie dagdelen per week dagbesteding.');
		});
		// three with an actiehouder (shown as initials), the rest still without one
		const holders = [
			{ name: 'Joris Bakker', organisation: 'Zorg- en Veiligheidshuis Voorbeeld' },
			{ name: 'Hanna de Vries', organisation: 'Zorg- en Veiligheidshuis Voorbeeld' },
			{ name: 'Joris Bakker', organisation: 'Zorg- en Veiligheidshuis Voorbeeld' }
		];
		const people = dbRow<{ joris: number; hanna: number; zvh: number }>(
			"select (select id from users where email = 'secretaris@casustafel.example') as joris, (select id from users where email = 'voorzitter@casustafel.example') as hanna, (select organisation_id from users where email = 'voorzitter@casustafel.example') as zvh"
		);
		for (const [i, text] of ACTIONS.entries()) {
			const holder = holders[i];
			added.push(
				addAction(d, {
					text,
					actiehouderId: holder ? (holder.name === 'Joris Bakker' ? people.joris : people.hanna) : null,
					actiehouderName: holder?.name ?? '',
					organisationId: holder ? people.zvh : null,
					organisationName: holder?.organisation ?? '',
					deadline: `2099-0${(i % 9) + 1}-15`,
					status: 'open',
					leefgebied: ''
				})
			);
		}

		const screen = await loggedInPage(browser, 'voorzitter', { viewport: { width: 1280, height: 720 } });
		contexts.push(screen.context);
		await screen.page.goto(`/overleg/${meetingId}/scherm`);
		await hydrated(screen.page);
		const main = screen.page.getByRole('main');
		await expect(main.getByRole('heading', { level: 2 })).toHaveText(`${CASE.code}: ${CASE.title}`);
		const rows = screen.page.getByTestId('scherm-acties').getByRole('row');
		await expect(rows).toHaveCount(ACTIONS.length + 1);
		await expect(main.getByText('Jamal (25) woont').first()).toBeVisible();

		await screenshot(screen.page, 'scherm-1280x720');
		expect(await pageScrolls(screen.page), 'the screen page itself does not scroll').toEqual({ sideways: false, down: false });
		await expectInViewport(screen.page, screen.page.getByRole('heading', { name: 'Afgesproken acties' }), 'the heading of the actions');
		// inside the actions' own column too, so not hidden below its fold
		const pane = screen.page.getByTestId('scherm-acties');
		// (the column fits its type to its content first: give it a moment)
		await expect(async () => {
			for (const text of ACTIONS) {
				await expectInViewport(screen.page, rows.filter({ hasText: text }), `the action "${text}"`);
				await expectInside(rows.filter({ hasText: text }), pane, `the action "${text}"`);
			}
		}).toPass({ timeout: 5_000 });
		await expectAbove(pane, screen.page.getByTestId('scherm-bediening'), 'the actions');
		for (const name of CHAIR_CONTROLS) await expectInViewport(screen.page, screen.page.getByRole('button', { name, exact: true }), `the button "${name}"`);
		await expectInViewport(screen.page, screen.page.locator('.timer').first(), 'the timer');
		await expectNoAxeViolations(screen.page);

		// a laptop screen and a phone: the same page, no sideways scrolling, axe clean
		await screen.page.setViewportSize({ width: 1366, height: 768 });
		for (const text of ACTIONS) await expectInViewport(screen.page, rows.filter({ hasText: text }), `at 1366×768, the action "${text}"`);
		await expectNoAxeViolations(screen.page);
		await screen.page.setViewportSize({ width: 360, height: 740 });
		expect((await pageScrolls(screen.page)).sideways, 'the screen scrolls sideways at 360 px').toBe(false);
		await expectNoAxeViolations(screen.page);
		await screenshot(screen.page, 'scherm-360');
	} finally {
		if (doc) {
			for (const id of added) removeAction(doc.doc, id);
			doc.doc.transact(() => {
				for (const key of ['situatie', 'plan'] as const) caseTextOf(doc!.doc, key).delete(0, caseTextOf(doc!.doc, key).length);
				for (const lg of ['Financiën', 'Wonen', 'Dagbesteding']) goalText(doc!.doc, lg).delete(0, goalText(doc!.doc, lg).length);
			});
			await new Promise((r) => setTimeout(r, 500));
			doc.destroy();
		}
		for (const c of contexts) await c.close();
	}
});
