import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/lib/server/seed/demo';
import type { JoinResult, MeetingState, PresenceEntry } from '../../src/lib/shared/live';
import { clientPool } from './helpers/clients';
import { caseId, firstMeeting, openShared, type SharedDb } from './helpers/db';
import { connectLive, emitAck, liveConnected, sleep, waitFor, type LiveSocket } from './helpers/realtime';
import { login, request, startServer, type TestServer, demoEmail, demoLogins } from './helpers/server';

/**
 * socket.io on `/live` against the real server in a child process: the handshake, joining a
 * meeting, the chair's commands and what the others in the room receive, and what a logout
 * does to open connections. Sockets are real socket.io clients with real session cookies.
 */
let server: TestServer;
let db: SharedDb;
let meetingId: number;
let caseDoc: string;

const email = demoEmail;
const NAMES: Record<string, string> = {
	voorzitter: 'Hanna de Vries',
	secretaris: 'Joris Bakker',
	deelnemer: 'Fatima El Amrani',
	waarnemer: 'Lotte Jansen',
	'geen-toegang': 'Pieter Smit'
};
const as = demoLogins(() => server);

const pool = clientPool(() => server, as);
const connect = pool.connect;
async function refusal(cookie: string | null, extraHeaders: Record<string, string> = {}): Promise<string> {
	const socket = pool.track(connectLive(server.url, cookie, extraHeaders));
	try {
		await liveConnected(socket);
	} catch (e) {
		return (e as Error).message;
	}
	throw new Error('the handshake was accepted');
}
const join = (socket: LiveSocket, id = meetingId) => emitAck<JoinResult>(socket, 'meeting:join', { meetingId: id });

/** Collects every `meeting:state` a socket receives. */
function recordStates(socket: LiveSocket): MeetingState[] {
	const seen: MeetingState[] = [];
	socket.on('meeting:state', (s) => seen.push(s));
	return seen;
}

const meetingRow = () =>
	db
		.prepare('select status, current_item_id, timer_started_at, timer_elapsed_ms, timer_extra_ms from meetings where id = ?')
		.get(meetingId);

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	caseDoc = `case:${caseId(db, 'T150-2026-014')}`;
	meetingId = firstMeeting(db, 'Top 150 Regio Voorbeeld');
	await Promise.all(['voorzitter', 'secretaris', 'deelnemer', 'waarnemer', 'geen-toegang', 'beheerder'].map(as));
});

afterEach(() => pool.closeAll());

afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('handshake', () => {
	it('is refused without a session cookie, with a forged one, and from a foreign web page', async () => {
		expect(await refusal(null)).toBe('UNAUTHENTICATED');
		expect(await refusal('casustafel_sessie=verzonnen-token')).toBe('UNAUTHENTICATED');
		// a page on another site cannot use the visitor's cookie (cross-site websocket hijacking)
		expect(await refusal(await as('voorzitter'), { origin: 'https://kwaadwillend.example' })).toBe('UNAUTHENTICATED');
		// the same cookie from our own origin works
		await pool.liveWithCookie(await as('voorzitter'), { origin: server.url });
	});
});

describe('joining a meeting', () => {
	it('members get the state and who is present; only the voorzitter and secretaris may run it', async () => {
		const results: Record<string, JoinResult> = {};
		for (const who of ['voorzitter', 'secretaris', 'deelnemer', 'waarnemer']) {
			const reply = await join(await connect(who));
			if (!reply.ok) throw new Error(`${who}: ${reply.code}`);
			results[who] = reply.data;
		}
		expect(results.voorzitter!.state).toMatchObject({
			meetingId,
			status: 'gepland',
			currentItemId: null,
			timer: { itemId: null, running: false, startedAt: null, elapsedMs: 0, extraMs: 0 }
		});
		expect(Object.fromEntries(Object.entries(results).map(([who, r]) => [who, r.canRun]))).toEqual({
			voorzitter: true,
			secretaris: true,
			deelnemer: false,
			waarnemer: false
		});
		// the last to join sees everyone, with their role at the table
		expect(results.waarnemer!.presence.map((p) => [p.name, p.role])).toEqual([
			['Fatima El Amrani', 'deelnemer'],
			['Hanna de Vries', 'voorzitter'],
			['Joris Bakker', 'secretaris'],
			['Lotte Jansen', 'waarnemer']
		]);
	});

	it('a beheerder who is no member, and an unknown meeting, get the same NOT_FOUND', async () => {
		const admin = await connect('beheerder');
		const notMember = await join(admin);
		const missing = await join(await connect('voorzitter'), 999_999);
		expect(notMember).toMatchObject({ ok: false, code: 'NOT_FOUND' });
		expect(missing).toEqual(notMember);
		// and nothing about the meeting reaches the beheerder afterwards
		const leaked = recordStates(admin);
		const chair = await connect('voorzitter');
		await join(chair);
		expect(await emitAck(chair, 'meeting:timer', { meetingId, action: 'extend', minutes: 1 })).toMatchObject({ ok: true });
		await emitAck(chair, 'meeting:timer', { meetingId, action: 'reset' });
		await sleep(200);
		expect(leaked).toEqual([]);
	});

	it('malformed payloads get INVALID_INPUT and change nothing', async () => {
		const chair = await connect('voorzitter');
		const before = meetingRow();
		const cases: [string, unknown][] = [
			['meeting:join', null],
			['meeting:join', {}],
			['meeting:join', { meetingId: String(meetingId) }],
			['meeting:join', { meetingId: -1 }],
			['meeting:join', { meetingId: 1.5 }],
			['meeting:join', [meetingId]],
			['meeting:leave', 'x'],
			['meeting:current', { meetingId }],
			['meeting:current', { meetingId, itemId: '' }],
			['meeting:current', { meetingId, itemId: 'x'.repeat(65) }],
			['meeting:timer', { meetingId, action: 'explode' }],
			['meeting:timer', { meetingId, action: 'extend', minutes: 1000 }],
			['meeting:timer', { meetingId, action: 'extend', minutes: 0 }],
			['meeting:open', { meetingId: '1 or 1=1' }],
			['meeting:close', undefined]
		];
		for (const [event, payload] of cases) {
			expect(await emitAck(chair, event, payload), `${event} ${JSON.stringify(payload)}`).toEqual({
				ok: false,
				code: 'INVALID_INPUT',
				message: 'Ongeldig verzoek.'
			});
		}
		// without an acknowledgement callback the event is ignored, and the socket lives on
		(chair as unknown as { emit(event: string, payload: unknown): void }).emit('meeting:close', { meetingId });
		await sleep(100);
		expect(chair.connected).toBe(true);
		expect(meetingRow()).toEqual(before);
		expect(await join(chair)).toMatchObject({ ok: true });
	});
});

describe('running a meeting', () => {
	it("a deelnemer's commands are refused and nobody hears of them; the chair's reach everyone in the meeting", async () => {
		const chair = await connect('voorzitter');
		const secretary = await connect('secretaris');
		const member = await connect('deelnemer');
		const observer = await connect('waarnemer');
		const outsider = await connect('geen-toegang'); // a member of the table, but not in this meeting's room
		for (const s of [chair, secretary, member, observer]) expect(await join(s)).toMatchObject({ ok: true });
		const received = new Map([chair, secretary, member, observer, outsider].map((s) => [s, recordStates(s)]));

		// presence lists the people who joined, by name, and drops those who leave
		const presence: PresenceEntry[][] = [];
		chair.on('meeting:presence', (p) => presence.push(p.presence));
		const names = () => presence.at(-1)?.map((p) => p.name);
		const late = await connect('geen-toegang');
		expect(await join(late)).toMatchObject({ ok: true });
		await waitFor('Pieter to be listed', () => names()?.includes(NAMES['geen-toegang']!));
		expect(names()).toEqual(['Fatima El Amrani', 'Hanna de Vries', 'Joris Bakker', 'Lotte Jansen', 'Pieter Smit']);
		late.disconnect();
		await waitFor('Pieter to be gone', () => names()?.length === 4);
		await sleep(100);
		expect(names()).toEqual(['Fatima El Amrani', 'Hanna de Vries', 'Joris Bakker', 'Lotte Jansen']);

		const before = meetingRow();
		const refused = [
			await emitAck(member, 'meeting:current', { meetingId, itemId: 'punt-1' }),
			await emitAck(member, 'meeting:timer', { meetingId, action: 'start' }),
			await emitAck(member, 'meeting:timer', { meetingId, action: 'extend', minutes: 5 }),
			await emitAck(member, 'meeting:open', { meetingId }),
			await emitAck(member, 'meeting:close', { meetingId }),
			await emitAck(observer, 'meeting:open', { meetingId })
		];
		for (const r of refused) expect(r).toMatchObject({ ok: false, code: 'NOT_FOUND' });
		await sleep(150);
		for (const states of received.values()) expect(states).toEqual([]);
		expect(meetingRow()).toEqual(before);

		// the chair opens, moves to an item, runs the timer; everyone in the room gets each state
		const steps: [string, unknown][] = [
			['meeting:open', { meetingId }],
			['meeting:current', { meetingId, itemId: 'punt-1' }],
			['meeting:timer', { meetingId, action: 'pause' }],
			['meeting:timer', { meetingId, action: 'extend', minutes: 10 }]
		];
		const acks: MeetingState[] = [];
		for (const [event, payload] of steps) {
			const reply = await emitAck<MeetingState>(chair, event, payload);
			if (!reply.ok) throw new Error(`${event}: ${reply.code} ${reply.message}`);
			acks.push(reply.data);
		}
		// and the secretaris may run it too
		const started = await emitAck<MeetingState>(secretary, 'meeting:timer', { meetingId, action: 'start' });
		if (!started.ok) throw new Error(started.code);
		acks.push(started.data);

		expect(acks[0]).toMatchObject({ status: 'geopend' });
		expect(acks[1]).toMatchObject({ currentItemId: 'punt-1', timer: { itemId: 'punt-1', running: true } });
		expect(acks[2]!.timer).toMatchObject({ running: false, startedAt: null });
		expect(acks[3]!.timer.extraMs).toBe(10 * 60_000);
		expect(acks[4]!.timer).toMatchObject({ running: true, itemId: 'punt-1', extraMs: 10 * 60_000 });

		for (const s of [chair, secretary, member, observer]) {
			await waitFor('all states to arrive', () => received.get(s)!.length === acks.length);
			expect(received.get(s)).toEqual(acks);
		}
		expect(received.get(outsider)).toEqual([]);
		expect(meetingRow()).toMatchObject({ status: 'geopend', current_item_id: 'punt-1', timer_extra_ms: 600_000 });

		// closing: broadcast too, and after that nothing can be changed any more
		const closed = await emitAck<MeetingState>(chair, 'meeting:close', { meetingId });
		expect(closed).toMatchObject({ ok: true, data: { status: 'gesloten', timer: { running: false } } });
		await waitFor('members to hear of the close', () => received.get(member)!.at(-1)?.status === 'gesloten');
		expect(await emitAck(chair, 'meeting:current', { meetingId, itemId: 'punt-2' })).toMatchObject({ ok: false, code: 'CONFLICT' });
		expect(await emitAck(chair, 'meeting:open', { meetingId })).toMatchObject({ ok: false, code: 'CONFLICT' });
		expect(meetingRow()).toMatchObject({ status: 'gesloten', current_item_id: 'punt-1' });
	});
});

describe('logging out', () => {
	it("closes that session's live socket and document connections within a second; the old cookie opens nothing again", async () => {
		// a second session of the secretaris, e.g. on the meeting-room laptop; the first stays in use
		const cookie = await login(server.url, email('secretaris'), DEMO_PASSWORD);
		const socket = await pool.liveWithCookie(cookie);
		expect(await join(socket)).toMatchObject({ ok: true });
		const doc = pool.docWithCookie(cookie, caseDoc);
		await doc.synced;

		const otherSession = await connect('secretaris');
		const otherDoc = pool.docWithCookie(await as('secretaris'), caseDoc);
		await otherDoc.synced;

		// when each connection ended, measured against the moment the logout was answered
		const gone: { socket?: { at: number; reason: string }; doc?: { at: number; code: number; reason: string } } = {};
		socket.on('disconnect', (reason) => (gone.socket = { at: Date.now(), reason }));
		void doc.closed.then((e) => (gone.doc = { at: Date.now(), ...e }));

		const reply = await request(server.url, '/logout', { method: 'POST', form: {}, cookie });
		const answered = Date.now();
		expect(reply.status).toBe(303);
		expect(reply.sessionCookie).toBe('casustafel_sessie=');

		await waitFor('both connections to be closed', () => gone.socket && gone.doc, 1_000);
		expect(gone.socket).toMatchObject({ reason: 'io server disconnect' });
		expect(gone.doc).toMatchObject({ code: 4401, reason: 'session ended' });
		expect(gone.socket!.at - answered).toBeLessThan(1_000);
		expect(gone.doc!.at - answered).toBeLessThan(1_000);

		// the other session of the same person is untouched
		await sleep(100);
		expect(otherSession.connected).toBe(true);
		expect(otherDoc.provider.wsconnected).toBe(true);
		expect(otherDoc.closes).toEqual([]);

		// and the old cookie opens nothing any more
		expect(await refusal(cookie)).toBe('UNAUTHENTICATED');
		const again = pool.docWithCookie(cookie, caseDoc);
		expect((await again.closed).code).toBe(4401);
		expect(again.provider.synced).toBe(false);
		expect(doc.closes).toHaveLength(1);
	});
});
