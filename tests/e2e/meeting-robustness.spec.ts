import * as Y from 'yjs';
import { expect, test, type Browser, type Page, type WebSocket as PwWebSocket } from '@playwright/test';
import { dbRow, docOfContext, expectNoAxeViolations, hydrated, loggedInPage, screenshot, upcomingMeetingId, VIEWPORTS } from './helpers';
import type { DocClient } from '../integration/helpers/realtime';
import { addAction, readAgenda, removeAction } from '../../src/lib/shared/documents';

/**
 * The meeting page and the shared screen against what another client can put in the meeting
 * document, and against refreshes of their page data: an agenda with the same id twice must not
 * kill them, and a refresh must not reopen the case documents (each reopen is a reconnect, a
 * reload of the document on the server and an audit row).
 *
 * Uses the upcoming meeting of MDA++ (no other spec uses it) and leaves it unopened.
 */
test.describe.configure({ mode: 'serial' });
test.use({ actionTimeout: 10_000 });

const MDA = { table: 'MDA++ Regio Voorbeeld', code: 'MDA-2026-001' };

/** Every websocket a page opens to a document, with whether it was closed since. */
function watchSockets(page: Page) {
	const sockets: { url: string; closed: boolean }[] = [];
	page.on('websocket', (ws: PwWebSocket) => {
		const entry = { url: decodeURIComponent(ws.url()), closed: false };
		sockets.push(entry);
		ws.on('close', () => (entry.closed = true));
	});
	return (docName: string) => sockets.filter((s) => s.url.endsWith(`/collab/${docName}`));
}

/**
 * The chair's laptop and shared screen on the MDA++ meeting with the case on the agenda and
 * shown, plus a stock y-websocket client of the meeting document with the chair's session.
 */
async function meetingOpen(browser: Browser, baseURL: string) {
	const meeting = { id: upcomingMeetingId(MDA.table) };
	const caseRow = dbRow<{ id: number }>('select id from cases where code = ?', MDA.code);
	const chair = await loggedInPage(browser, 'voorzitter', { viewport: VIEWPORTS.laptop });
	const errors: string[] = [];
	const page = chair.page;
	page.on('pageerror', (e) => errors.push(`pagina: ${e.message}`));
	const socketsTo = watchSockets(page);
	await page.goto(`/overleg/${meeting.id}`);
	await hydrated(page);
	const agenda = page.getByRole('region', { name: 'Agenda' });
	await page.locator('#agenda-casus').selectOption({ label: `${MDA.code}: Huishouden, terugkerend huiselijk geweld` });
	await page.getByRole('button', { name: 'Op de agenda' }).click();
	await expect(agenda.getByRole('listitem').filter({ hasText: MDA.code })).toHaveCount(1);
	await page.getByRole('button', { name: `Nu bespreken: ${MDA.code}` }).click();
	await expect(page.locator('#veld-situatie')).toBeVisible();

	const screen = await chair.context.newPage();
	screen.on('pageerror', (e) => errors.push(`scherm: ${e.message}`));
	const screenSocketsTo = watchSockets(screen);
	await screen.goto(`/overleg/${meeting.id}/scherm`);
	await expect(screen.getByRole('main').getByRole('heading', { level: 2 })).toContainText(MDA.code);
	const screenAgenda = screen.getByRole('navigation', { name: 'Agenda' });

	const other = await docOfContext(chair.context, baseURL, `meeting:${meeting.id}`);
	/** What another client writes the old way: maps in the 'agenda' array. */
	// a case item carries no title in the meeting document (the hub refuses one: issue 13)
	const writeLegacy = (items: { id: string }[]) =>
		other.doc.transact(() => {
			for (const { id } of items) {
				const m = new Y.Map<unknown>();
				for (const [k, v] of Object.entries({ id, caseId: 999_999, caseCode: 'X-0000-001', title: '', plannedMinutes: 5, status: 'gepland' })) m.set(k, v);
				other.doc.getArray('agenda').push([m]);
			}
		});
	/** Both windows reload their page data: the unknown case on the agenda makes them ask. */
	const refreshes = () =>
		Promise.all([
			page.waitForResponse((r) => r.url().includes(`/overleg/${meeting.id}/__data.json`)),
			screen.waitForResponse((r) => r.url().includes(`/overleg/${meeting.id}/scherm/__data.json`))
		]);
	async function close() {
		other.destroy();
		await chair.context.close();
	}
	/** Takes everything off the agenda again, through the page. */
	async function clearAgenda() {
		const remove = agenda.getByRole('button', { name: /^Van agenda: / });
		for (let n = await remove.count(); n > 0; n--) {
			await remove.first().click();
			await expect(remove).toHaveCount(n - 1);
		}
	}
	return { meeting, caseRow, page, screen, agenda, screenAgenda, socketsTo, screenSocketsTo, other, writeLegacy, refreshes, errors, close, clearAgenda };
}

test('een ververste pagina opent de casusdocumenten niet opnieuw, op de laptop en op het scherm', async ({ browser, baseURL }) => {
	test.setTimeout(60_000);
	const m = await meetingOpen(browser, baseURL!);
	try {
		const caseDoc = `case:${m.caseRow.id}`;
		await expect.poll(() => m.socketsTo(caseDoc).length).toBe(1);
		await expect.poll(() => m.screenSocketsTo(caseDoc).length).toBe(1);
		const opens = () =>
			dbRow<{ n: number }>("select count(*) as n from audit_log where action = 'case.document.open' and case_id = ?", m.caseRow.id).n;
		const opensBefore = opens();

		const refreshed = m.refreshes();
		m.writeLegacy([{ id: 'onbekend' }]);
		await refreshed;
		await expect(m.agenda.getByRole('listitem').filter({ hasText: 'X-0000-001' })).toHaveCount(1);
		// the refreshed data is in use (a re-render), and no case document was opened again
		await expect(m.page.locator('#veld-situatie')).toBeVisible();
		await m.page.waitForTimeout(500);
		expect(m.socketsTo(caseDoc)).toEqual([{ url: expect.stringContaining(caseDoc), closed: false }]);
		expect(m.socketsTo(`bespreking:${m.meeting.id}:${m.caseRow.id}`)).toEqual([expect.objectContaining({ closed: false })]);
		expect(m.screenSocketsTo(caseDoc)).toEqual([{ url: expect.stringContaining(caseDoc), closed: false }]);
		expect(opens()).toBe(opensBefore);
		expect(m.errors).toEqual([]);
		await m.clearAgenda();
	} finally {
		await m.close();
	}
});

test('een agenda met twee punten onder één id: laptop en scherm blijven werken, elk punt één keer, omhoog en omlaag werken', async ({ browser, baseURL }) => {
	test.setTimeout(60_000);
	const m = await meetingOpen(browser, baseURL!);
	try {
		m.writeLegacy([{ id: 'dubbel' }, { id: 'dubbel' }]);
		// (a page that throws each_key_duplicate stops updating: the item never shows)
		await expect(m.agenda.getByRole('listitem').filter({ hasText: 'X-0000-001' })).toHaveCount(1);
		await expect(m.screenAgenda.getByRole('listitem').filter({ hasText: 'X-0000-001' })).toHaveCount(1);
		await m.page.getByRole('button', { name: `Omlaag: ${MDA.code}` }).click();
		await expect(m.agenda.getByRole('listitem').first()).toContainText('X-0000-001');
		await expect(m.screenAgenda.getByRole('listitem').first()).toContainText('X-0000-001');
		await m.page.getByRole('button', { name: `Omhoog: ${MDA.code}` }).click();
		await expect(m.agenda.getByRole('listitem').first()).toContainText(MDA.code);
		await expect.poll(() => readAgenda(m.other.doc).map((i) => i.caseCode)).toEqual([MDA.code, 'X-0000-001']);
		expect(m.errors).toEqual([]);
		await m.clearAgenda();
	} finally {
		await m.close();
	}
});

test('een deadline die geen datum is ("2026-99-99", door een andere client geschreven) staat als ongeldige datum in de actietabel', async ({ browser, baseURL }) => {
	test.setTimeout(60_000);
	const m = await meetingOpen(browser, baseURL!);
	let caseDoc: DocClient | null = null;
	try {
		caseDoc = await docOfContext(m.page.context(), baseURL!, `case:${m.caseRow.id}`);
		const id = addAction(caseDoc.doc, {
			text: 'Actie met een onmogelijke deadline',
			actiehouderId: null,
			actiehouderName: '',
			organisationId: null,
			organisationName: '',
			deadline: '2026-99-99',
			status: 'open',
			leefgebied: ''
		});
		const row = m.page.locator(`tr[data-action-id="${id}"]`);
		await expect(row).toContainText('Ongeldige datum');
		await expect(row).toContainText('“2026-99-99” bestaat niet en telt als geen deadline');
		await screenshot(m.page, 'actie-ongeldige-deadline');
		await expectNoAxeViolations(m.page);
		expect(m.errors).toEqual([]);
		removeAction(caseDoc.doc, id);
		await expect(row).toHaveCount(0);
		await m.clearAgenda();
	} finally {
		caseDoc?.destroy();
		await m.close();
	}
});
