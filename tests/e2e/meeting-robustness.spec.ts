import Database from 'better-sqlite3';
import * as Y from 'yjs';
import { expect, test, type Page, type WebSocket as PwWebSocket } from '@playwright/test';
import { hydrated, loggedInPage, VIEWPORTS } from './helpers';
import { connectDoc, type DocClient } from '../integration/helpers/realtime';
import { readAgenda } from '../../src/lib/shared/documents';

/**
 * The meeting page and the shared screen against what another client can put in the meeting
 * document, and against refreshes of their page data: an agenda with the same id twice must not
 * kill them, and a refresh must not reopen the case documents (each reopen is a reconnect, a
 * reload of the document on the server and an audit row).
 *
 * Uses the upcoming meeting of MDA++ (no other spec uses it) and leaves it unopened.
 */
test.use({ actionTimeout: 10_000 });

const MDA = { table: 'MDA++ Regio Voorbeeld', code: 'MDA-2026-001' };

function query<T>(sql: string, ...params: unknown[]): T {
	const file = process.env.E2E_DATABASE_URL;
	if (!file) throw new Error('E2E_DATABASE_URL is not set');
	const db = new Database(file, { readonly: true, fileMustExist: true });
	try {
		return db.prepare(sql).get(...params) as T;
	} finally {
		db.close();
	}
}

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

test('een agenda met dubbele punten en een ververste pagina: pagina en scherm blijven werken, zonder de casusdocumenten opnieuw te openen', async ({ browser, baseURL }) => {
	test.setTimeout(90_000);
	const meeting = query<{ id: number }>(
		"select m.id from meetings m join case_tables t on t.id = m.case_table_id where t.name = ? and m.status = 'gepland' order by m.starts_at limit 1",
		MDA.table
	);
	const caseRow = query<{ id: number }>('select id from cases where code = ?', MDA.code);
	const chair = await loggedInPage(browser, 'voorzitter', { viewport: VIEWPORTS.laptop });
	const errors: string[] = [];
	const docs: DocClient[] = [];
	try {
		const page = chair.page;
		page.on('pageerror', (e) => errors.push(`pagina: ${e.message}`));
		const socketsTo = watchSockets(page);
		await page.goto(`/overleg/${meeting.id}`);
		await hydrated(page);
		const agenda = page.getByRole('region', { name: 'Agenda' });

		// the chair puts the case on the agenda and moves the meeting to it
		await page.locator('#agenda-casus').selectOption({ label: `${MDA.code}: Huishouden, terugkerend huiselijk geweld` });
		await page.getByRole('button', { name: 'Op de agenda' }).click();
		await expect(agenda.getByRole('listitem').filter({ hasText: MDA.code })).toHaveCount(1);
		await page.getByRole('button', { name: `Nu bespreken: ${MDA.code}` }).click();
		await expect(page.locator('#veld-situatie')).toBeVisible();

		// the shared screen, the chair's second window
		const screen = await chair.context.newPage();
		screen.on('pageerror', (e) => errors.push(`scherm: ${e.message}`));
		const screenSocketsTo = watchSockets(screen);
		await screen.goto(`/overleg/${meeting.id}/scherm`);
		await expect(screen.getByRole('main').getByRole('heading', { level: 2 })).toContainText(MDA.code);

		const caseDoc = `case:${caseRow.id}`;
		await expect.poll(() => socketsTo(caseDoc).length).toBe(1);
		await expect.poll(() => screenSocketsTo(caseDoc).length).toBe(1);
		const opens = () =>
			query<{ n: number }>("select count(*) as n from audit_log where action = 'case.document.open' and case_id = ?", caseRow.id).n;
		const opensBefore = opens();

		// another client of the meeting document (here: a stock y-websocket client with the
		// chair's own session) writes an item the old way, twice under one id, for a case this
		// page does not know: the page and the screen reload their data to learn about it
		const cookie = (await chair.context.cookies()).find((c) => c.name === 'casustafel_sessie')!;
		const other = connectDoc(baseURL!, `meeting:${meeting.id}`, `${cookie.name}=${cookie.value}`);
		docs.push(other);
		await other.synced;
		const refreshed = page.waitForResponse((r) => r.url().includes(`/overleg/${meeting.id}/__data.json`));
		const screenRefreshed = screen.waitForResponse((r) => r.url().includes(`/overleg/${meeting.id}/scherm/__data.json`));
		other.doc.transact(() => {
			for (const title of ['Onbekende casus', 'Onbekende casus (kopie)']) {
				const m = new Y.Map<unknown>();
				for (const [k, v] of Object.entries({ id: 'dubbel', caseId: 999_999, caseCode: 'X-0000-001', title, plannedMinutes: 5, status: 'gepland' })) m.set(k, v);
				other.doc.getArray('agenda').push([m]);
			}
		});
		await refreshed;
		await screenRefreshed;

		// both still work and show the item once
		await expect(agenda.getByRole('listitem').filter({ hasText: 'X-0000-001' })).toHaveCount(1);
		await expect(screen.getByRole('navigation', { name: 'Agenda' }).getByRole('listitem').filter({ hasText: 'X-0000-001' })).toHaveCount(1);
		await page.getByRole('button', { name: `Omlaag: ${MDA.code}` }).click();
		await expect(agenda.getByRole('listitem').first()).toContainText('X-0000-001');
		await expect(screen.getByRole('navigation', { name: 'Agenda' }).getByRole('listitem').first()).toContainText('X-0000-001');
		await page.getByRole('button', { name: `Omhoog: ${MDA.code}` }).click();
		await expect(agenda.getByRole('listitem').first()).toContainText(MDA.code);
		await expect.poll(() => readAgenda(other.doc).map((i) => i.caseCode)).toEqual([MDA.code, 'X-0000-001']);

		// the refreshes reopened nothing: the same one connection to the case document, still open
		await page.waitForTimeout(500);
		expect(socketsTo(caseDoc)).toEqual([{ url: expect.stringContaining(caseDoc), closed: false }]);
		expect(screenSocketsTo(caseDoc)).toEqual([{ url: expect.stringContaining(caseDoc), closed: false }]);
		expect(socketsTo(`bespreking:${meeting.id}:${caseRow.id}`)).toHaveLength(1);
		expect(opens()).toBe(opensBefore);
		await expect(page.locator('#veld-situatie')).toBeVisible();
		expect(errors).toEqual([]);

		// clean up: the item this test wrote
		await page.getByRole('button', { name: 'Van agenda: X-0000-001' }).click();
		await page.getByRole('button', { name: `Van agenda: ${MDA.code}` }).click();
		await expect(agenda.getByRole('listitem')).toHaveCount(0);
	} finally {
		for (const d of docs) d.destroy();
		await chair.context.close();
	}
});
