import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Socket } from 'socket.io-client';
import { decodeMessage, encodeSyncStep1 } from '../../src/lib/server/collab/protocol';
import { caseTextOf } from '../../src/lib/shared/documents';
import { caseId, openShared, tableId, user, type SharedDb } from './helpers/db';
import {
	connectDoc,
	connectLive,
	emitAck,
	liveConnected,
	rawDocSocket,
	sleep,
	waitFor,
	type DocClient,
	type LiveSocket
} from './helpers/realtime';
import { demoLogins, startServer, type TestServer } from './helpers/server';

/**
 * Property-based fuzzing (fast-check) of the two realtime endpoints of the real server, over
 * real sockets: the y-websocket document endpoint (`/collab/<doc>`) with random and mutated
 * protocol messages, and every socket.io event on `/live` with random and mutated payloads.
 *
 * What must hold for every input: the server stays up (a fresh, valid client still syncs),
 * invalid input changes no document (state and update log compared before and after), a
 * read-only connection changes nothing at all, and nothing of another case ever reaches the
 * fuzzed connection. The seed is fixed and printed in the test names, so a failure replays;
 * fast-check prints the shrunk counterexample and its path.
 */
const SEED = 20_261_129;
const DOC_RUNS_WRITER = 150;
const DOC_RUNS_READER = 80;
const LIVE_RUNS = 150;

let server: TestServer;
let db: SharedDb;
let caseDoc: string; // case:<T150-2026-014>: write for deelnemer, read for waarnemer
let otherDoc: string; // case:<T150-2026-015>: another case, written by the chair during the fuzzing
let t150014: number;
let meetingId: number;
const as = demoLogins(() => server);

/** Text only the other case holds; its bytes must never reach a fuzzed connection. */
const MARKER = `GEHEIM-ANDERE-CASUS-${SEED}`;
const MARKER_BYTES = Buffer.from(MARKER, 'utf8');
/** An attendee name only viewers of T150-2026-014 may learn. */
const SECRET_ATTENDEE = `Verborgen Ouder ${SEED}`;

const closeDocs: DocClient[] = [];
const closeSockets: LiveSocket[] = [];
const figures: Record<string, number> = {};

const count = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;
const logRows = (doc: string) => count('select count(*) as n from doc_updates where doc_name = ?', doc);

async function synced(who: string, doc: string): Promise<DocClient> {
	const client = connectDoc(server.url, doc, await as(who));
	closeDocs.push(client);
	await client.synced;
	return client;
}

/** The document as a fresh valid client sees it from the server (also proves the server is up). */
async function serverView(doc: string): Promise<{ snapshot: Y.Snapshot; vector: Uint8Array }> {
	const client = connectDoc(server.url, doc, await as('voorzitter'));
	try {
		await Promise.race([
			client.synced,
			sleep(5_000).then(() => {
				throw new Error('a fresh client could not sync: is the server down?');
			})
		]);
		return { snapshot: Y.snapshot(client.doc), vector: Y.encodeStateVector(client.doc) };
	} finally {
		client.destroy();
	}
}

// ---------------------------------------------------------------------------------------------
// y-websocket messages: valid ones from a real Y.Doc, then mutated

const varUintMessage = (...parts: (number | Uint8Array)[]) => {
	const encoder = encoding.createEncoder();
	for (const part of parts) {
		if (typeof part === 'number') encoding.writeVarUint(encoder, part);
		else encoding.writeVarUint8Array(encoder, part);
	}
	return encoding.toUint8Array(encoder);
};

/** Valid messages of every kind the protocol knows, made by a real Y.Doc and Awareness. */
function validMessages(): Uint8Array[] {
	const doc = new Y.Doc();
	caseTextOf(doc, 'situatie').insert(0, 'Fuzz: een geldige wijziging van de situatie.');
	doc.getMap('fuzz').set('k', 42);
	const update = Y.encodeStateAsUpdate(doc);
	const second = (() => {
		const before = Y.encodeStateVector(doc);
		caseTextOf(doc, 'situatie').delete(0, 5);
		return Y.encodeStateAsUpdate(doc, before);
	})();
	const awareness = new awarenessProtocol.Awareness(doc);
	awareness.setLocalState({ user: { name: 'Iemand Anders', organisation: 'Nep' }, cursor: { index: 3 } });
	const awarenessUpdate = awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]);
	awareness.destroy();
	const messages = [
		encodeSyncStep1(doc), // [0, 0, sv]
		varUintMessage(0, 1, update), // sync step 2
		varUintMessage(0, 2, update), // update
		varUintMessage(0, 2, second),
		varUintMessage(1, awarenessUpdate), // awareness
		varUintMessage(3), // query awareness
		varUintMessage(2, 0) // auth (ignored)
	];
	doc.destroy();
	return messages;
}
const VALID = validMessages();

const bytes = (max: number) => fc.uint8Array({ maxLength: max });
/** One message: valid, random, or a valid one mutated (bytes flipped, cut, extended, spliced, lengths lied about). */
const arbMessage: fc.Arbitrary<Uint8Array> = fc.oneof(
	{ weight: 1, arbitrary: fc.constantFrom(...VALID) },
	{ weight: 2, arbitrary: bytes(64) },
	{ weight: 1, arbitrary: fc.tuple(fc.constantFrom(0, 1, 2, 3, 4, 127, 128, 255), fc.constantFrom(0, 1, 2, 3, 9), bytes(200)).map(([a, b, rest]) => Uint8Array.from([a, b, ...rest])) },
	{
		weight: 3,
		arbitrary: fc
			.tuple(fc.constantFrom(...VALID), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }))
			.map(([m, flips]) => {
				const out = Uint8Array.from(m);
				for (const [at, value] of flips) out[at % out.length] = value;
				return out;
			})
	},
	{ weight: 2, arbitrary: fc.tuple(fc.constantFrom(...VALID), fc.nat()).map(([m, cut]) => m.slice(0, cut % (m.length + 1))) },
	{ weight: 2, arbitrary: fc.tuple(fc.constantFrom(...VALID), bytes(300)).map(([m, tail]) => Uint8Array.from([...m, ...tail])) },
	{
		// a length prefix that promises more (or far more) than the frame holds
		weight: 2,
		arbitrary: fc
			.tuple(fc.constantFrom(0, 1), fc.constantFrom(1, 2), fc.constantFrom(0x7f, 0xff, 0x80), fc.integer({ min: 1, max: 5 }), bytes(40))
			.map(([type, sub, hi, repeat, rest]) =>
				Uint8Array.from(type === 0 ? [0, sub, ...Array(repeat).fill(hi), 0x0f, ...rest] : [1, ...Array(repeat).fill(hi), 0x0f, ...rest])
			)
	},
	{
		// a real update with mutated content inside a valid envelope
		weight: 2,
		arbitrary: fc
			.tuple(fc.constantFrom(0, 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat())
			.map(([which, flips, cut]) => {
				const inner = decodeMessage(VALID[1 + which]!) as { update: Uint8Array };
				const update = Uint8Array.from(inner.update).slice(0, Math.max(1, inner.update.length - (cut % 4)));
				for (const [at, value] of flips) update[at % update.length] = value;
				return varUintMessage(0, 2, update);
			})
	}
);

/** Whether the server would store this message as an update (a well-formed, non-empty Yjs update). */
function wouldStore(message: Uint8Array): boolean {
	try {
		const decoded = decodeMessage(message);
		if (decoded.kind !== 'update') return false;
		const update = Y.decodeUpdate(decoded.update);
		return update.structs.length > 0 || update.ds.clients.size > 0;
	} catch {
		return false;
	}
}

/** Whether the server gets past this message (it refuses a bad envelope or a malformed update). */
function envelopeAccepted(message: Uint8Array): boolean {
	try {
		const decoded = decodeMessage(message);
		if (decoded.kind === 'update') Y.decodeUpdate(decoded.update);
		return true;
	} catch {
		return false;
	}
}

function containsMarker(messages: Uint8Array[]): boolean {
	return messages.some((m) => Buffer.from(m).includes(MARKER_BYTES));
}

/**
 * Sends the messages on a fresh raw socket, then a valid sync step 1 as a probe: its answer
 * (sync step 2) means the server handled everything before it; a close means it refused.
 */
async function sendBatch(cookie: string, messages: Uint8Array[]) {
	const raw = rawDocSocket(server.url, caseDoc, cookie);
	await raw.opened;
	await waitFor('the server to greet', () => raw.messages.length > 0, 3_000);
	const from = raw.messages.length;
	let closed: { code: number } | null = null;
	void raw.closed.then((c) => (closed = c));
	for (const m of messages) raw.ws.send(m);
	raw.ws.send(encodeSyncStep1(new Y.Doc()));
	await waitFor(
		'an answer or a close',
		() => closed !== null || raw.messages.slice(from).some((m) => m[0] === 0 && m[1] === 1),
		3_000,
		2
	);
	raw.ws.terminate();
	return { received: raw.messages, closed: closed as { code: number } | null };
}

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	t150014 = caseId(db, 'T150-2026-014');
	caseDoc = `case:${t150014}`;
	otherDoc = `case:${caseId(db, 'T150-2026-015')}`;
	meetingId = (
		db
			.prepare("select id from meetings where case_table_id = ? and status = 'gepland' order by starts_at limit 1")
			.get(tableId(db, 'Top 150 Regio Voorbeeld')) as { id: number }
	).id;
	await Promise.all(['voorzitter', 'deelnemer', 'waarnemer', 'geen-toegang'].map(as));
}, 60_000);

afterAll(async () => {
	for (const c of closeDocs.splice(0)) c.destroy();
	for (const s of closeSockets.splice(0)) s.disconnect();
	db?.close();
	await server?.stop();
	console.log(`fuzz figures (seed ${SEED}): ${JSON.stringify(figures)}`);
});

describe(`document endpoint, fuzzed (fast-check seed ${SEED})`, () => {
	it(`a waarnemer (read-only) changes nothing with ${DOC_RUNS_READER} random batches; nothing of another case arrives`, async () => {
		// another case, open and written by the chair, with text that must never cross over
		const other = await synced('voorzitter', otherDoc);
		caseTextOf(other.doc, 'situatie').insert(0, MARKER);
		const before = await serverView(caseDoc);
		const rowsBefore = logRows(caseDoc);
		const cookie = await as('waarnemer');
		let messages = 0;
		const started = Date.now();
		await fc.assert(
			fc.asyncProperty(fc.array(arbMessage, { minLength: 1, maxLength: 5 }), async (batch) => {
				messages += batch.length;
				caseTextOf(other.doc, 'zorgen').insert(0, MARKER); // keep the other case busy
				const { received } = await sendBatch(cookie, batch);
				expect(containsMarker(received)).toBe(false);
			}),
			{ seed: SEED, numRuns: DOC_RUNS_READER, endOnFailure: true }
		);
		await sleep(100);
		const after = await serverView(caseDoc);
		expect(Y.equalSnapshots(after.snapshot, before.snapshot)).toBe(true);
		expect(after.vector).toEqual(before.vector);
		expect(logRows(caseDoc)).toBe(rowsBefore);
		figures.readerRuns = DOC_RUNS_READER;
		figures.readerMessages = messages;
		figures.readerMs = Date.now() - started;
	}, 40_000);

	it('a valid update right behind a refused message is not applied (found by this fuzzing)', async () => {
		const rows = logRows(caseDoc);
		const observer = await synced('voorzitter', caseDoc);
		const sv = Y.encodeStateVector(observer.doc);
		const broken = Uint8Array.from([0, 2, 3, 0xff, 0xff, 0xff]); // an "update" that is none
		const valid = VALID[2]!; // a well-formed update
		const { closed } = await sendBatch(await as('deelnemer'), [broken, valid, valid]);
		expect(closed?.code).toBe(4400);
		await sleep(100);
		expect(logRows(caseDoc)).toBe(rows);
		expect(Y.encodeStateVector(observer.doc)).toEqual(sv);
	});

	it(`a deelnemer with write access: invalid batches change nothing, ${DOC_RUNS_WRITER} runs; nothing of another case arrives`, async () => {
		const other = await synced('voorzitter', otherDoc);
		// an observer on the fuzzed document sees every change the server broadcasts
		const observer = await synced('voorzitter', caseDoc);
		const cookie = await as('deelnemer');
		let messages = 0;
		let invalidBatches = 0;
		let storedBatches = 0;
		let refused = 0;
		let settle = false;
		const started = Date.now();
		await fc.assert(
			fc.asyncProperty(fc.array(arbMessage, { minLength: 1, maxLength: 5 }), async (batch) => {
				messages += batch.length;
				caseTextOf(other.doc, 'zorgen').insert(0, MARKER);
				// a well-formed update of the run before is stored and broadcast after its answer: let it land
				if (settle) await sleep(60);
				settle = false;
				const sv = Y.encodeStateVector(observer.doc);
				const snap = Y.snapshot(observer.doc);
				const rows = logRows(caseDoc);
				const { received, closed } = await sendBatch(cookie, batch);
				if (closed) refused += 1;
				expect(containsMarker(received)).toBe(false);
				// the server stops at the first message it refuses; what came before it may be a real update
				const handled: Uint8Array[] = [];
				for (const m of batch) {
					handled.push(m);
					if (!envelopeAccepted(m)) break;
				}
				if (handled.some(wouldStore)) {
					storedBatches += 1;
					settle = true;
					return;
				}
				invalidBatches += 1;
				await sleep(5);
				expect(Y.encodeStateVector(observer.doc)).toEqual(sv);
				expect(Y.equalSnapshots(Y.snapshot(observer.doc), snap)).toBe(true);
				expect(logRows(caseDoc)).toBe(rows);
			}),
			{ seed: SEED, numRuns: DOC_RUNS_WRITER, endOnFailure: true }
		);
		// the server is up, and a fresh client sees exactly what the observer sees
		await sleep(100);
		const after = await serverView(caseDoc);
		expect(after.vector).toEqual(Y.encodeStateVector(observer.doc));
		expect(observer.provider.wsconnected).toBe(true);
		Object.assign(figures, {
			writerRuns: DOC_RUNS_WRITER,
			writerMessages: messages,
			writerInvalidBatches: invalidBatches,
			writerWellFormedUpdateBatches: storedBatches,
			writerRefusedConnections: refused,
			writerMs: Date.now() - started
		});
	}, 40_000);
});

// ---------------------------------------------------------------------------------------------
// socket.io on /live

const EVENTS = [
	'meeting:join',
	'meeting:leave',
	'meeting:current',
	'meeting:timer',
	'meeting:open',
	'meeting:close',
	'item:close',
	'item:carry',
	'regie:set',
	'attendance:add',
	'attendance:remove'
] as const;
const CODES = ['INVALID_INPUT', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED', 'INTERNAL'];

/** Joins the meeting again, waiting out the event rate limit the fuzzing may have reached. */
async function rejoin(socket: LiveSocket) {
	for (let attempt = 0; attempt < 50; attempt++) {
		const ack = await emitAck(socket, 'meeting:join', { meetingId });
		if (ack.ok) return;
		if (ack.code !== 'RATE_LIMITED') throw new Error(`the fuzzer cannot rejoin: ${ack.code}`);
		await sleep(100);
	}
	throw new Error('still rate limited after 5 s');
}

describe(`socket.io /live, fuzzed (fast-check seed ${SEED})`, () => {
	it(`every event with random and mutated payloads (${LIVE_RUNS} runs of up to 6 events): acks are well-formed, no case content of another case arrives`, async () => {
		const police = await as('geen-toegang'); // member of Top 150, no access to T150-2026-014
		const fuzzed = connectLive(server.url, police);
		closeSockets.push(fuzzed);
		await liveConnected(fuzzed);
		const heard: { event: string; payload: unknown }[] = [];
		(fuzzed as unknown as Socket).onAny((event: string, payload: unknown) => heard.push({ event, payload }));
		await rejoin(fuzzed);

		// meanwhile the chair records case content of T150-2026-014 in the same meeting room
		const chair = connectLive(server.url, await as('voorzitter'));
		closeSockets.push(chair);
		await liveConnected(chair);
		expect(await emitAck(chair, 'meeting:join', { meetingId })).toMatchObject({ ok: true });
		const lotte = user(db, 'waarnemer@casustafel.example');
		const pieter = user(db, 'geen-toegang@casustafel.example');

		const ids = fc.oneof(fc.constant(meetingId), fc.constant(t150014), fc.integer({ min: -2, max: 50 }), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER));
		const valid: Record<(typeof EVENTS)[number], fc.Arbitrary<Record<string, unknown>>> = {
			'meeting:join': fc.record({ meetingId: ids }),
			'meeting:leave': fc.record({ meetingId: fc.constant(meetingId + 1) }),
			'meeting:current': fc.record({ meetingId: ids, itemId: fc.string({ maxLength: 70 }) }),
			'meeting:timer': fc.record({ meetingId: ids, action: fc.constantFrom('start', 'pause', 'reset', 'extend', 'stop'), minutes: fc.integer({ min: -1, max: 61 }) }),
			'meeting:open': fc.record({ meetingId: ids }),
			'meeting:close': fc.record({ meetingId: ids }),
			'item:close': fc.record({ meetingId: ids, itemId: fc.string({ maxLength: 70 }), templateReason: fc.string({ maxLength: 30 }) }),
			'item:carry': fc.record({ meetingId: ids, itemId: fc.string({ maxLength: 70 }) }),
			'regie:set': fc.record({ meetingId: ids, caseId: ids, kind: fc.constantFrom('casusregisseur', 'procesregisseur', 'x'), userId: fc.constantFrom(pieter.id, lotte.id, null, -1), note: fc.string({ maxLength: 20 }) }),
			'attendance:add': fc.record({ meetingId: ids, caseId: ids, kind: fc.constantFrom('ouder', 'jeugdige', 'x'), name: fc.string({ maxLength: 130 }), age: fc.oneof(fc.integer({ min: -1, max: 121 }), fc.constant(null)) }),
			'attendance:remove': fc.record({ meetingId: ids, caseId: ids, attendeeId: ids })
		};
		const arbCall = fc.oneof(
			fc.tuple(fc.constantFrom(...EVENTS), fc.anything()),
			fc.constantFrom(...EVENTS).chain((e) => fc.tuple(fc.constant(e), valid[e] as fc.Arbitrary<unknown>)),
			// mutated valid payload: a field dropped or replaced by anything
			fc.constantFrom(...EVENTS).chain((e) =>
				fc.tuple(fc.constant(e), fc.tuple(valid[e], fc.string({ maxLength: 12 }), fc.anything()).map(([p, k, v]) => {
					const keys = Object.keys(p);
					const key = keys.length > 0 && k.length % 2 === 0 ? keys[k.length % keys.length]! : k;
					return { ...p, [key]: v };
				}))
			)
		);

		let events = 0;
		let withoutAck = 0;
		let secretsSent = 0;
		const acks: Record<string, number> = {};
		const started = Date.now();
		await fc.assert(
			fc.asyncProperty(fc.array(arbCall, { minLength: 1, maxLength: 6 }), fc.boolean(), async (calls, noAck) => {
				// a secret of T150-2026-014 goes to its viewers while the fuzzing goes on
				const secret = emitAck(chair, 'attendance:add', { meetingId, caseId: t150014, kind: 'ouder', name: SECRET_ATTENDEE, age: null });
				for (const [event, payload] of calls) {
					events += 1;
					if (noAck) {
						// no acknowledgement function: the server must ignore it without failing
						withoutAck += 1;
						(fuzzed as unknown as Socket).emit(event, payload);
						continue;
					}
					const ack = (await emitAck(fuzzed, event, payload)) as { ok: boolean; code?: string; message?: string };
					expect(typeof ack.ok, JSON.stringify({ event, payload })).toBe('boolean');
					if (!ack.ok) {
						expect(CODES).toContain(ack.code);
						expect(typeof ack.message).toBe('string');
					}
					const key = ack.ok ? `${event} ok` : `${ack.code}`;
					acks[key] = (acks[key] ?? 0) + 1;
				}
				const s = await secret;
				if (s.ok) secretsSent += 1;
				// the fuzzer left the room? then join again, so it keeps overhearing
				await rejoin(fuzzed);
				for (const h of heard) {
					expect(['case:regie', 'case:attendance'], h.event).not.toContain(h.event);
					expect(JSON.stringify(h.payload) ?? '').not.toContain(SECRET_ATTENDEE);
				}
			}),
			{ seed: SEED, numRuns: LIVE_RUNS, endOnFailure: true }
		);
		// the secrets really were sent to the room, and a viewer heard them
		expect(secretsSent).toBeGreaterThan(0);
		expect(fuzzed.connected).toBe(true);
		// a fresh valid client still gets in
		const fresh = connectLive(server.url, await as('deelnemer'));
		closeSockets.push(fresh);
		await liveConnected(fresh);
		expect(await emitAck(fresh, 'meeting:join', { meetingId })).toMatchObject({ ok: true });
		Object.assign(figures, {
			liveRuns: LIVE_RUNS,
			liveEvents: events,
			liveEventsWithoutAck: withoutAck,
			liveSecretsSentMeanwhile: secretsSent,
			liveEventsHeard: heard.length,
			liveMs: Date.now() - started
		});
		figures.liveAcks = Object.values(acks).reduce((a, b) => a + b, 0);
		console.log(`live acks: ${JSON.stringify(acks)}`);
	}, 40_000);

	it('a flood of events is answered with RATE_LIMITED in Dutch, and the socket works again after a pause', async () => {
		const socket = connectLive(server.url, await as('deelnemer'));
		closeSockets.push(socket);
		await liveConnected(socket);
		const acks = await Promise.all(Array.from({ length: 250 }, () => emitAck(socket, 'meeting:join', { meetingId }, 10_000)));
		const limited = acks.filter((a) => !a.ok && a.code === 'RATE_LIMITED');
		expect(limited.length).toBeGreaterThan(100);
		expect(acks.filter((a) => a.ok).length).toBeGreaterThanOrEqual(100);
		expect(limited[0]).toEqual({ ok: false, code: 'RATE_LIMITED', message: 'Te veel verzoeken achter elkaar. Wacht een paar seconden en probeer het opnieuw.' });
		expect(socket.connected).toBe(true);
		await sleep(1_000);
		expect(await emitAck(socket, 'meeting:join', { meetingId })).toMatchObject({ ok: true });
		figures.floodEvents = acks.length;
		figures.floodRateLimited = limited.length;
	});
});
