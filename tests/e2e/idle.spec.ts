import { expect, test } from '@playwright/test';
import { openShared, tableId, type SharedDb } from '../integration/helpers/db';
import { startServer, type TestServer } from '../integration/helpers/server';
import { hydrated, login, sessionIdOf } from './helpers';

/**
 * The idle timeout holds with a meeting page open (issue 12, item 5): a server of its own with
 * SESSION_IDLE_MINUTES=1 and a recheck of open connections every 2 seconds. The chair opens a
 * meeting page and leaves it alone; its live sockets and document connections are open the
 * whole time and must not keep the session alive. After the minute the server ends the session
 * and closes the document connections, and the page goes to the login page, which says so and
 * leads back to the meeting.
 */
let server: TestServer;
let db: SharedDb;

test.beforeAll(async () => {
	server = await startServer({ env: { SESSION_IDLE_MINUTES: '1', SESSION_RECHECK_SECONDS: '2' } });
	db = openShared(server.dbFile);
});

test.afterAll(async () => {
	db?.close();
	await server?.stop();
});

test('een overlegpagina waar niemand iets doet, wordt na de inactiviteitstijd uitgelogd en sluit haar documentverbindingen', async ({ browser }) => {
	test.setTimeout(150_000);
	const meetingId = (
		db
			.prepare("select id from meetings where case_table_id = ? and status = 'gepland' order by starts_at limit 1")
			.get(tableId(db, 'Top 150 Regio Voorbeeld')) as { id: number }
	).id;
	const context = await browser.newContext({ baseURL: server.url });
	const page = await context.newPage();

	// every document websocket the page opens, with when it closed
	const documents: { url: string; closedAt: number | null }[] = [];
	page.on('websocket', (ws) => {
		if (!ws.url().includes('/collab/')) return;
		const entry = { url: ws.url(), closedAt: null as number | null };
		documents.push(entry);
		ws.on('close', () => (entry.closedAt = Date.now()));
	});
	let leftForLoginAt: number | null = null;
	page.on('framenavigated', (frame) => {
		if (frame === page.mainFrame() && new URL(frame.url()).pathname === '/login' && leftForLoginAt === null) leftForLoginAt = Date.now();
	});

	try {
		await login(page, 'voorzitter');
		const sessionId = await sessionIdOf(context);
		const loggedInAt = Date.now();
		await page.goto(`/overleg/${meetingId}`);
		await hydrated(page);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Top 150 Regio Voorbeeld');
		await expect.poll(() => documents.filter((d) => d.closedAt === null).length, { message: 'document connections open' }).toBeGreaterThan(0);
		const opened = documents.length;
		leftForLoginAt = null;

		// nobody touches the page: after the idle minute (plus a recheck) it is on the login page
		await page.waitForURL((url) => url.pathname === '/login', { timeout: 100_000 });
		const after = Date.now() - loggedInAt;
		expect(after, 'not logged out before the idle minute').toBeGreaterThanOrEqual(60_000);
		const url = new URL(page.url());
		expect(url.searchParams.has('verlopen')).toBe(true);
		expect(url.searchParams.get('terug')).toBe(`/overleg/${meetingId}`);
		await expect(page.getByText('U bent uitgelogd. Log opnieuw in om verder te gaan.')).toBeVisible();

		// the server ended the session and closed the page's document connections itself,
		// before the page left for the login
		expect(db.prepare('select 1 from sessions where id = ?').get(sessionId)).toBeUndefined();
		const first = documents.slice(0, opened);
		for (const d of first) {
			expect(d.closedAt, d.url).not.toBeNull();
			expect(d.closedAt!, `${d.url} closed by the server before the page navigated`).toBeLessThanOrEqual(leftForLoginAt!);
		}

		// logging in again leads back to the meeting
		await login(page, 'voorzitter');
		await page.waitForURL((u) => u.pathname === `/overleg/${meetingId}`);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Top 150 Regio Voorbeeld');
	} finally {
		await context.close();
	}
});
