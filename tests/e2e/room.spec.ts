import path from 'node:path';
import Database from 'better-sqlite3';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { expectNoAxeViolations, hydrated, loggedInPage, openMeetingOnAnotherDay, screenshot } from './helpers';

/**
 * The room (issue 13 item 2), with three browsers: the voorzitter's laptop, the shared screen
 * (the voorzitter's second login) and the laptop of the police deelnemer (geen-toegang@, no
 * access to T150-2026-014). The screen goes to the restricted view by itself when he is in the
 * room for 014, and does not even hold the case's documents open then; it shows the case again
 * only after the voorzitter marks him as having left the room for the item.
 *
 * Uses a Top 150 meeting of its own, planned 45 days ahead (meeting.spec.ts takes the first upcoming
 * one, acties.spec.ts and revocation.spec.ts the second, and they may run at the same time).
 */
test.describe.configure({ mode: 'serial' });
test.use({ actionTimeout: 10_000 });

const CASE = { code: 'T150-2026-014', title: 'Jongvolwassene, herhaalde inbraken en schulden' };
const POLICE = 'Politie Eenheid Voorbeeld heeft geen toegang: beperkte weergave';
/** an action of 014 seeded in the demo: case content that only a full screen shows */
const ACTION = 'Intake verslavingszorg plannen';

function query<T>(sql: string, ...params: unknown[]): T {
	const db = new Database(process.env.E2E_DATABASE_URL!, { readonly: true, fileMustExist: true });
	try {
		return db.prepare(sql).get(...params) as T;
	} finally {
		db.close();
	}
}

let ownMeeting: number | null = null;
/** This spec's own meeting: inserted once, after every seeded one (the list shows it last). */
function roomMeetingId(): number {
	if (ownMeeting !== null) return ownMeeting;
	const db = new Database(process.env.E2E_DATABASE_URL!, { fileMustExist: true });
	try {
		db.pragma('busy_timeout = 5000');
		const table = db.prepare("select id from case_tables where name = 'Top 150 Regio Voorbeeld'").get() as { id: number };
		const startsAt = new Date(Date.now() + 45 * 86_400_000);
		startsAt.setUTCHours(8, 30, 0, 0);
		const row = db
			.prepare("insert into meetings (case_table_id, starts_at, location, status, created_at) values (?, ?, 'Stadskantoor, zaal 3.01', 'gepland', ?) returning id")
			.get(table.id, startsAt.toISOString(), new Date().toISOString()) as { id: number };
		ownMeeting = row.id;
		return row.id;
	} finally {
		db.close();
	}
}

/** The open document websockets of a page, by document name. */
function collabSockets(page: Page) {
	const open = new Set<string>();
	page.on('websocket', (ws) => {
		const name = /\/collab\/([^?]+)/.exec(ws.url())?.[1];
		if (!name) return;
		open.add(name);
		ws.on('close', () => open.delete(name));
	});
	return open;
}

test('het gedeelde scherm schakelt zelf naar beperkt als de politie binnen is bij T150-2026-014', async ({ browser }) => {
	test.setTimeout(120_000);
	const meeting = { id: roomMeetingId() };
	const caseId = query<{ id: number }>('select id from cases where code = ?', CASE.code).id;
	const meetingPath = `/overleg/${meeting.id}`;
	const contexts: BrowserContext[] = [];
	try {
		const chair = await loggedInPage(browser, 'voorzitter', { viewport: { width: 1280, height: 720 } });
		contexts.push(chair.context);
		await test.step('voorzitter zet 014 op de agenda, opent het overleg en bespreekt het', async () => {
			await chair.page.goto(meetingPath);
			await hydrated(chair.page);
			await chair.page.locator('#agenda-casus').selectOption({ label: `${CASE.code}: ${CASE.title}` });
			await chair.page.getByRole('button', { name: 'Op de agenda' }).click();
			await openMeetingOnAnotherDay(chair.page);
			await chair.page.getByRole('button', { name: new RegExp(`^Nu bespreken\\s*:\\s*${CASE.code}$`) }).click();
			await expect(chair.page.locator('#punt-kop')).toHaveText(`${CASE.code}: ${CASE.title}`);
		});

		const screen = await loggedInPage(browser, 'voorzitter', { viewport: { width: 1280, height: 720 } });
		contexts.push(screen.context);
		const screenDocs = collabSockets(screen.page);
		await test.step('het scherm toont de casus volledig zolang iedereen in de ruimte toegang heeft', async () => {
			await screen.page.goto(`${meetingPath}/scherm`);
			await hydrated(screen.page);
			await expect(screen.page.getByRole('main').getByRole('heading', { level: 2 })).toHaveText(`${CASE.code}: ${CASE.title}`);
			await expect(screen.page.getByRole('main').getByRole('table')).toContainText(ACTION);
			await expect(screen.page.getByTestId('scherm-beperkt')).toHaveCount(0);
			expect([...screenDocs]).toContain(`case:${caseId}`);
			await screenshot(screen.page, 'room-scherm-volledig');
		});

		const police = await loggedInPage(browser, 'geen-toegang', { viewport: { width: 1280, height: 720 } });
		contexts.push(police.context);
		await test.step('de politie komt binnen: het scherm gaat zelf naar de beperkte weergave en zegt waarom', async () => {
			await police.page.goto(meetingPath);
			await hydrated(police.page);
			await expect(screen.page.getByTestId('scherm-beperkt')).toHaveText(POLICE);
			// the code stays, nothing of the case's content (its title included)
			await expect(screen.page.getByRole('main').getByRole('heading', { level: 2 })).toHaveText(CASE.code);
			await expect(screen.page.getByText(CASE.title)).toHaveCount(0);
			await expect(screen.page.getByRole('main').getByRole('table')).toHaveCount(0);
			await expect(screen.page.getByText(ACTION)).toHaveCount(0);
			await expect(screen.page.getByTestId('scherm-regie')).toHaveCount(0);
			// the screen does not even hold the case's documents any more
			await expect.poll(() => [...screenDocs].filter((d) => d === `case:${caseId}` || d.endsWith(`:${caseId}`))).toEqual([]);
			// the chair is told why, and sees who has no access
			await expect(chair.page.getByTestId('beperkt-melding')).toContainText(POLICE);
			const row = chair.page.getByTestId('presentielijst').getByRole('listitem').filter({ hasText: 'Pieter Smit' });
			await expect(row).toContainText('Geen toegang tot deze casus');
			await expect(row).toContainText('laptop verbonden');
			// the voorzitter's laptop and the police laptop; the shared screen is no laptop
			await expect(chair.page.getByTestId('laptops')).toHaveText('2 laptops');
			await screenshot(screen.page, 'room-scherm-beperkt');
			await screenshot(chair.page, 'room-voorzitter-beperkt');
			await expectNoAxeViolations(screen.page, { soft: true });
			await expectNoAxeViolations(chair.page, { soft: true });
		});

		await test.step('de voorzitter markeert dat hij de ruimte verlaat: de volledige weergave komt terug', async () => {
			await chair.page.getByRole('button', { name: 'Pieter Smit verlaat de ruimte bij dit punt' }).click();
			await expect(screen.page.getByTestId('scherm-beperkt')).toHaveCount(0);
			await expect(screen.page.getByRole('main').getByRole('table')).toContainText(ACTION);
			await expect(chair.page.getByTestId('beperkt-melding')).toHaveCount(0);
			await expect(chair.page.getByRole('button', { name: 'Pieter Smit schuift in bij dit punt' })).toBeVisible();
			await screenshot(screen.page, 'room-scherm-terug');
			await expectNoAxeViolations(screen.page, { soft: true });
		});

		await test.step('presentielijst: aanwezig, afgemeld met reden; op 1280×720 en op 360 px', async () => {
			await chair.page.getByLabel('Aanwezigheid van Hanna de Vries').selectOption('aanwezig');
			await chair.page.getByLabel('Aanwezigheid van Pieter Smit').selectOption('aanwezig');
			await chair.page.getByLabel('Aanwezigheid van Tom van Leeuwen').selectOption('afgemeld');
			await chair.page.getByLabel('Reden van afmelding (niet verplicht)').fill('Zitting bij de rechtbank');
			await chair.page.getByRole('button', { name: 'Opslaan' }).click();
			await expect(chair.page.getByTestId('presentie-telling')).toContainText('2 aanwezig');
			// he was marked as leaving for this item: still out, the screen stays full
			await expect(screen.page.getByRole('main').getByRole('table')).toContainText(ACTION);
			const panel = chair.page.getByTestId('presentielijst');
			await panel.scrollIntoViewIfNeeded();
			await panel.screenshot({ path: path.join(test.info().project.outputDir, 'screens', 'room-presentielijst-1280.png') });
			await expectNoAxeViolations(chair.page, { soft: true });

			await chair.page.setViewportSize({ width: 360, height: 740 });
			await expect(panel).toBeVisible();
			const box = await panel.boundingBox();
			expect(box!.x).toBeGreaterThanOrEqual(0);
			expect(box!.x + box!.width).toBeLessThanOrEqual(360);
			const overflow = await panel.evaluate((el) => el.scrollWidth - el.clientWidth);
			expect(overflow, 'the panel scrolls sideways').toBeLessThanOrEqual(0);
			await panel.scrollIntoViewIfNeeded();
			await panel.screenshot({ path: path.join(test.info().project.outputDir, 'screens', 'room-presentielijst-360.png') });
			await expectNoAxeViolations(chair.page, { soft: true });
		});

		await test.step('het verslag zegt wie aanwezig was, en bij het punt', async () => {
			await chair.page.setViewportSize({ width: 1280, height: 720 });
			await chair.page.goto(`${meetingPath}/verslag`);
			const members = chair.page.getByRole('table', { name: 'Leden van de tafel' });
			await expect(members.getByRole('row').filter({ hasText: 'Pieter Smit' })).toContainText('Aanwezig');
			await expect(members.getByRole('row').filter({ hasText: 'Tom van Leeuwen' })).toContainText('Afgemeld');
			// in the room for 014: the voorzitter; the police deelnemer, present at the meeting, had left for it
			await expect(chair.page.getByTestId('aanwezig-bij-punt')).toHaveText('Hanna de Vries (Zorg- en Veiligheidshuis Voorbeeld)');
			await expectNoAxeViolations(chair.page, { soft: true });
			await screenshot(chair.page, 'room-verslag');
		});
	} finally {
		for (const c of contexts) await c.close();
	}
});

test('een deelnemer krijgt geen presentielijst en kan die niet bijhouden', async ({ browser }) => {
	const meeting = { id: roomMeetingId() };
	const { context, page } = await loggedInPage(browser, 'deelnemer');
	try {
		await page.goto(`/overleg/${meeting.id}`);
		await hydrated(page);
		await expect(page.getByTestId('meeting-status')).toBeVisible();
		await expect(page.getByTestId('presentielijst')).toHaveCount(0);
	} finally {
		await context.close();
	}
});
