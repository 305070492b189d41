import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/lib/server/seed/demo';
import type { JoinResult } from '../../src/lib/shared/live';
import { clientPool } from './helpers/clients';
import { caseId, firstMeeting, openShared, organisationId, tableId, user, type SharedDb } from './helpers/db';
import { connectLive, emitAck, liveConnected, sleep, waitFor, type DocClient, type LiveSocket } from './helpers/realtime';
import { demoEmail, freshLogin, request, sessionIdOf, startServer, type TestServer } from './helpers/server';

/**
 * Revocation at once (issue 6, item 3). For each way access ends — a session ended from
 * /account, all sessions of a user ended by a beheerder, a blocked user, an organisation's
 * access to a case withdrawn, a membership removed — every live socket.io and document
 * connection it concerns is closed within a second of the answer to the form post, and a
 * reconnect is refused; connections it does not concern stay open. Logging out is tested in
 * live.test.ts ("logging out").
 */
let server: TestServer;
let db: SharedDb;
let meetingId: number;
let t150Table: number;
let case14: number;
let caseDoc: string;
let meetingDoc: string;

const fresh = (who: string) => freshLogin(server, who);
const pool = clientPool(() => server, fresh);

/** Everything one browser of `who` holds open during a meeting, with when each piece closed. */
interface Browser {
	cookie: string;
	live: LiveSocket;
	docs: DocClient[];
	/** ms timestamps of the socket's disconnect and of each document's final close */
	liveGone: { at: number; reason: string } | null;
	docsGone: ({ at: number; code: number } | null)[];
}

async function browser(cookie: string, docNames: string[]): Promise<Browser> {
	const live = await pool.liveWithCookie(cookie);
	const joined = await emitAck<JoinResult>(live, 'meeting:join', { meetingId });
	expect(joined).toMatchObject({ ok: true });
	const clients = docNames.map((name) => pool.docWithCookie(cookie, name));
	await Promise.all(clients.map((c) => c.synced));
	const b: Browser = { cookie, live, docs: clients, liveGone: null, docsGone: clients.map(() => null) };
	live.on('disconnect', (reason) => (b.liveGone = { at: Date.now(), reason }));
	clients.forEach((c, i) => void c.closed.then((e) => (b.docsGone[i] = { at: Date.now(), code: e.code })));
	return b;
}

/** Waits until all of the browser's connections are closed and checks each took < 1 s. */
async function expectAllClosed(b: Browser, answeredAt: number, code: number) {
	await waitFor('every connection to be closed', () => b.liveGone && b.docsGone.every((d) => d !== null), 1_000);
	expect(b.liveGone!.reason).toBe('io server disconnect');
	expect(b.liveGone!.at - answeredAt).toBeLessThan(1_000);
	for (const d of b.docsGone) {
		expect(d!.code).toBe(code);
		expect(d!.at - answeredAt).toBeLessThan(1_000);
	}
}

/** Nothing of the browser was closed, a moment after the change. */
async function expectUntouched(b: Browser) {
	await sleep(150);
	expect(b.live.connected).toBe(true);
	expect(b.liveGone).toBeNull();
	for (const c of b.docs) {
		expect(c.closes).toEqual([]);
		expect(c.provider.wsconnected).toBe(true);
	}
}

/** The cookie opens neither a live socket nor a document any more. */
async function expectReconnectRefused(cookie: string, docName: string, code: number) {
	const socket = pool.track(connectLive(server.url, cookie));
	await expect(liveConnected(socket)).rejects.toThrow('UNAUTHENTICATED');
	const again = pool.docWithCookie(cookie, docName);
	expect((await again.closed).code).toBe(code);
	expect(again.provider.synced).toBe(false);
}

/** A form post as a browser with JavaScript sends it; returns when the answer arrived. */
async function post(cookie: string, path: string, form: Record<string, string | number>) {
	const reply = await request(server.url, path, { cookie, form, accept: 'json' });
	const answeredAt = Date.now();
	expect(reply.status, reply.body.slice(0, 300)).toBe(200);
	expect(JSON.parse(reply.body)).toMatchObject({ type: 'success' });
	return answeredAt;
}

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	t150Table = tableId(db, 'Top 150 Regio Voorbeeld');
	case14 = caseId(db, 'T150-2026-014');
	caseDoc = `case:${case14}`;
	meetingId = firstMeeting(db, 'Top 150 Regio Voorbeeld');
	meetingDoc = `meeting:${meetingId}`;
});

afterEach(() => pool.closeAll());

afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('ending sessions', () => {
	it('"alle andere sessies beëindigen" on /account closes every other session of the user within a second and keeps this one', async () => {
		const laptop = await browser(await fresh('secretaris'), [caseDoc, meetingDoc]);
		const tablet = await browser(await fresh('secretaris'), [meetingDoc]);
		const phone = await browser(await fresh('secretaris'), [caseDoc]);
		const answeredAt = await post(phone.cookie, '/account?/endOtherSessions', {});
		await expectAllClosed(laptop, answeredAt, 4401);
		await expectAllClosed(tablet, answeredAt, 4401);
		await expectUntouched(phone);
		await expectReconnectRefused(laptop.cookie, caseDoc, 4401);
		expect((await request(server.url, '/account', { cookie: phone.cookie })).status).toBe(200);
	});

	it('a session ended from /account closes its live socket and documents within a second; the other session stays', async () => {
		const laptop = await browser(await fresh('secretaris'), [caseDoc, meetingDoc]);
		const phone = await browser(await fresh('secretaris'), [caseDoc]);
		const answeredAt = await post(phone.cookie, '/account?/endSession', { sessionId: sessionIdOf(laptop.cookie) });
		await expectAllClosed(laptop, answeredAt, 4401);
		await expectUntouched(phone);
		await expectReconnectRefused(laptop.cookie, caseDoc, 4401);
	});

	it("a beheerder ending all of a user's sessions closes every browser of that user within a second, and no one else's", async () => {
		const first = await browser(await fresh('deelnemer'), [caseDoc, meetingDoc]);
		const second = await browser(await fresh('deelnemer'), [meetingDoc]);
		const bystander = await browser(await fresh('secretaris'), [caseDoc, meetingDoc]);
		const beheerder = await fresh('beheerder');
		const answeredAt = await post(beheerder, '/beheer/gebruikers?/endSessions', { userId: user(db, demoEmail('deelnemer')).id });
		await expectAllClosed(first, answeredAt, 4401);
		await expectAllClosed(second, answeredAt, 4401);
		await expectUntouched(bystander);
		await expectReconnectRefused(first.cookie, caseDoc, 4401);
		await expectReconnectRefused(second.cookie, meetingDoc, 4401);
	});

	it('blocking a user closes their connections within a second, and they cannot log in again', async () => {
		const waarnemer = await browser(await fresh('waarnemer'), [caseDoc, meetingDoc]);
		const bystander = await browser(await fresh('deelnemer'), [caseDoc]);
		const beheerder = await fresh('beheerder');
		const userId = user(db, demoEmail('waarnemer')).id;
		const answeredAt = await post(beheerder, '/beheer/gebruikers?/block', { userId });
		await expectAllClosed(waarnemer, answeredAt, 4401);
		await expectUntouched(bystander);
		await expectReconnectRefused(waarnemer.cookie, caseDoc, 4401);
		const again = await request(server.url, '/login', { form: { email: demoEmail('waarnemer'), password: DEMO_PASSWORD } });
		expect(again.sessionCookie === null || again.sessionCookie.endsWith('=')).toBe(true);
		await post(beheerder, '/beheer/gebruikers?/unblock', { userId });
	});
});

describe('access taken away', () => {
	it("withdrawing an organisation's access closes its people's document connections to that case within a second, stops its live case events, and refuses a reconnect", async () => {
		const deelnemer = await browser(await fresh('deelnemer'), [caseDoc, meetingDoc]); // Sociaal Team
		const waarnemer = await browser(await fresh('waarnemer'), [caseDoc]); // GGZ keeps access
		const chair = await browser(await fresh('voorzitter'), []);
		const attendance = (b: Browser) => {
			const seen: unknown[] = [];
			b.live.on('case:attendance', (u) => seen.push(u));
			return seen;
		};
		const deelnemerSaw = attendance(deelnemer);
		const waarnemerSaw = attendance(waarnemer);
		const addParent = (name: string) =>
			emitAck(chair.live, 'attendance:add', { meetingId, caseId: case14, kind: 'ouder', name, age: null });

		// before: both hear of a parent joining the bespreking
		expect(await addParent('Ouder een')).toMatchObject({ ok: true });
		await waitFor('both to hear of the first parent', () => deelnemerSaw.length === 1 && waarnemerSaw.length === 1);

		let caseClosed: { at: number; code: number } | null = null;
		void deelnemer.docs[0]!.closed.then((e) => (caseClosed = { at: Date.now(), code: e.code }));
		const answeredAt = await post(chair.cookie, `/casus/${case14}?/withdraw`, {
			organisationId: organisationId(db, 'Sociaal Team Voorbeeld')
		});
		await waitFor('the case document to be closed', () => caseClosed, 1_000);
		expect(caseClosed!.code).toBe(4403);
		expect(caseClosed!.at - answeredAt).toBeLessThan(1_000);

		// the meeting itself stays open to the deelnemer: the table's agenda is not the case
		await sleep(150);
		expect(deelnemer.live.connected).toBe(true);
		expect(deelnemer.docs[1]!.closes).toEqual([]);
		expect(waarnemer.docs[0]!.closes).toEqual([]);

		// after: only the waarnemer hears of the next parent
		expect(await addParent('Ouder twee')).toMatchObject({ ok: true });
		await waitFor('the waarnemer to hear of the second parent', () => waarnemerSaw.length === 2);
		await sleep(150);
		expect(deelnemerSaw).toHaveLength(1);

		const again = pool.docWithCookie(deelnemer.cookie, caseDoc);
		expect((await again.closed).code).toBe(4403);
		expect(again.provider.synced).toBe(false);
		// give the access back for the tests that follow
		await post(chair.cookie, `/casus/${case14}?/grant`, { organisationId: organisationId(db, 'Sociaal Team Voorbeeld') });
	});

	it("removing a membership closes that person's meeting socket and meeting and case documents within a second; rejoining is refused", async () => {
		// OM, deelnemer at Top 150, with access to T150-2026-015
		const tom = await browser(await fresh('tom'), [meetingDoc, `case:${caseId(db, 'T150-2026-015')}`]);
		const bystander = await browser(await fresh('deelnemer'), [meetingDoc]);
		const beheerder = await fresh('beheerder');
		const answeredAt = await post(beheerder, `/beheer/tafels/${t150Table}?/removeMember`, { userId: user(db, demoEmail('tom')).id });
		await expectAllClosed(tom, answeredAt, 4403);
		await expectUntouched(bystander);

		// the session itself is still valid, but the meeting and its document are gone for tom
		const socket = await pool.liveWithCookie(tom.cookie);
		expect(await emitAck(socket, 'meeting:join', { meetingId })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
		const again = pool.docWithCookie(tom.cookie, meetingDoc);
		expect((await again.closed).code).toBe(4403);
	});
});
