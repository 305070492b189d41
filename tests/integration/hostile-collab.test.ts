import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { encodeSyncStep1, encodeUpdate } from '../../src/lib/server/collab/protocol';
import { caseTextOf } from '../../src/lib/shared/documents';
import { PRESENCE_COLORS } from '../../src/lib/shared/presence';
import { caseId, openShared, type SharedDb } from './helpers/db';
import { connectDoc, docFromDatabase, rawDocSocket, sleep, waitFor, type DocClient } from './helpers/realtime';
import { demoLogins, startServer, type TestServer } from './helpers/server';
import { deepNesting, futureOrigin, manyRoots, missingDependency, unknownDeletes } from './helpers/hostile-updates';

/**
 * Issue 12, the document endpoint attacked through its real transports (raw `ws`, stock
 * y-websocket): one request must not stop the process, one update must not brick a document
 * or freeze the server, presence must not carry a client's styles or megabytes. Each attack is
 * followed by a second, honest client that must be answered (within a second while attacked).
 */
let server: TestServer;
let db: SharedDb;
let caseDoc: string;
const as = demoLogins(() => server);
const clients: DocClient[] = [];

async function synced(who: string, doc: string): Promise<DocClient> {
	const client = connectDoc(server.url, doc, await as(who));
	clients.push(client);
	await client.synced;
	return client;
}

/** A fresh honest client syncs within `ms` (the server answers), then leaves. */
async function answeredWithin(doc: string, ms: number, who = 'voorzitter'): Promise<Y.Doc> {
	const cookie = await as(who);
	const client = connectDoc(server.url, doc, cookie);
	try {
		const ok = await Promise.race([client.synced.then(() => true), sleep(ms).then(() => false)]);
		if (!ok) throw new Error(`no answer within ${ms} ms: ${client.closes.map((c) => c?.code).join(',')}`);
		const copy = new Y.Doc();
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(client.doc));
		return copy;
	} finally {
		client.destroy();
	}
}

/** Sends one raw update as a writer; resolves with the close the server gives (or null). */
async function sendUpdate(doc: string, update: Uint8Array, who = 'deelnemer', waitMs = 3_000) {
	const raw = rawDocSocket(server.url, doc, await as(who));
	await raw.opened;
	await waitFor('the server to greet', () => raw.messages.length > 0);
	raw.ws.send(encodeUpdate(update));
	const closed = await Promise.race([raw.closed, sleep(waitMs).then(() => null)]);
	raw.ws.terminate();
	return closed;
}

const logRows = (doc: string) => (db.prepare('select count(*) as n from doc_updates where doc_name = ?').get(doc) as { n: number }).n;

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	caseDoc = `case:${caseId(db, 'T150-2026-014')}`;
	await Promise.all(['voorzitter', 'deelnemer', 'waarnemer'].map(as));
}, 60_000);

afterAll(async () => {
	for (const c of clients.splice(0)) c.destroy();
	db?.close();
	await server?.stop();
});

describe('an edge that cannot be crashed', () => {
	it('an upgrade to /collab/%E0%A4%A (malformed percent-encoding, no cookie) is refused and the server answers the next client', async () => {
		const status = await new Promise<number | string>((resolve) => {
			const req = http.request(`${server.url}/collab/%E0%A4%A`, {
				headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }
			});
			req.on('response', (res) => resolve(res.statusCode ?? 0));
			req.on('upgrade', () => resolve('upgraded'));
			req.on('error', (e) => resolve(`error: ${e.message}`));
			req.end();
		});
		expect(status).toBe(400);
		// other malformed names and cookies, on raw websockets
		for (const [path, cookie] of [
			['%', null],
			['case%3A%ZZ', 'casustafel_sessie=%E0%A4%A'],
			['x'.repeat(5000), null]
		] as const) {
			const raw = rawDocSocket(server.url, path, cookie);
			const outcome = await Promise.race([raw.opened.then(() => raw.closed).catch(() => 'refused'), sleep(3000).then(() => 'hang')]);
			expect(outcome).not.toBe('hang');
			raw.ws.terminate();
		}
		await answeredWithin(caseDoc, 1_000);
	});
});

describe('validate before store', () => {
	it('an update whose origin points at a later clock of its own client is refused (4400), not stored, and the document still opens, also after a restart', async () => {
		const writer = await synced('deelnemer', caseDoc);
		caseTextOf(writer.doc, 'situatie').insert(0, 'Voor de aanval. ');
		await waitFor('stored', () => caseTextOf(docFromDatabase(db, caseDoc).doc, 'situatie').toString().includes('Voor de aanval.'));
		const rows = logRows(caseDoc);
		const closed = await sendUpdate(caseDoc, futureOrigin('situatie'));
		expect(closed?.code).toBe(4400);
		expect(closed?.reason).toMatch(/invalid update/);
		expect(logRows(caseDoc)).toBe(rows);
		// the honest writer goes on; a fresh client sees exactly the honest text
		caseTextOf(writer.doc, 'situatie').insert(caseTextOf(writer.doc, 'situatie').length, 'Erna.');
		await waitFor('the later edit stored', () => caseTextOf(docFromDatabase(db, caseDoc).doc, 'situatie').toString().includes('Erna.'));
		const view = await answeredWithin(caseDoc, 1_000);
		expect(caseTextOf(view, 'situatie').toString()).toMatch(/^Voor de aanval\. .*Erna\.$/s);

		// the same for updates that build on what nobody has and deletes of unknown ranges
		for (const update of [missingDependency('zorgen'), unknownDeletes(50)]) {
			const before = logRows(caseDoc);
			const refused = await sendUpdate(caseDoc, update);
			expect(refused?.code).toBe(4400);
			expect(logRows(caseDoc)).toBe(before);
		}
		for (const c of clients.splice(0)) c.destroy();

		await sleep(200); // unloaded and compacted
		await server.crash();
		server = await server.restart();
		const again = await answeredWithin(caseDoc, 5_000);
		expect(caseTextOf(again, 'situatie').toString()).toMatch(/^Voor de aanval\. .*Erna\.$/s);
	}, 30_000);

	it('a log that already holds an update that does not apply still loads: it is skipped, reported and set aside', async () => {
		const doc = `case:${caseId(db, 'T150-2026-015')}`;
		const writer = await synced('voorzitter', doc);
		caseTextOf(writer.doc, 'zorgen').insert(0, 'Eerste zorg.');
		await waitFor('stored', () => caseTextOf(docFromDatabase(db, doc).doc, 'zorgen').toString() === 'Eerste zorg.');
		writer.destroy();
		clients.splice(0);
		await sleep(300); // unloaded
		// as an older version stored it: the bad update, then a good one behind it
		const later = new Y.Doc();
		caseTextOf(later, 'wens').insert(0, 'Een wens van later.');
		const writable = openShared(server.dbFile, { writable: true });
		const insert = writable.prepare('insert into doc_updates (doc_name, data, created_at) values (?, ?, ?)');
		const badId = Number(insert.run(doc, Buffer.from(futureOrigin('situatie')), new Date().toISOString()).lastInsertRowid);
		insert.run(doc, Buffer.from(Y.encodeStateAsUpdate(later)), new Date().toISOString());
		writable.close();

		await server.crash();
		server = await server.restart();
		const view = await answeredWithin(doc, 5_000);
		expect(caseTextOf(view, 'zorgen').toString()).toBe('Eerste zorg.');
		expect(caseTextOf(view, 'wens').toString()).toBe('Een wens van later.');
		const moved = db.prepare('select doc_name from doc_update_quarantine where id = ?').get(badId) as { doc_name: string } | undefined;
		expect(moved?.doc_name).toBe(doc);
		expect(db.prepare('select count(*) as n from doc_updates where id = ?').get(badId)).toEqual({ n: 0 });
		expect(server.output()).toMatch(/does not apply/);
	}, 30_000);
});

describe('bounded work per message', () => {
	it('maps nested 6000 deep and a touch of every level are refused (4413); another user is still answered; nothing is stored', async () => {
		const rows = logRows(caseDoc);
		const { build, touch } = deepNesting(6000);
		const raw = rawDocSocket(server.url, caseDoc, await as('deelnemer'));
		await raw.opened;
		await waitFor('the server to greet', () => raw.messages.length > 0);
		raw.ws.send(encodeUpdate(build));
		raw.ws.send(encodeUpdate(touch));
		// a fresh connection, login and sync: under 1 s on a quiet machine, but it missed that once
		// in four full parallel runs on 2 cores; unrefused, this nesting holds the loop for longer
		await answeredWithin(caseDoc, 2_000);
		const closed = await raw.closed;
		expect(closed.code).toBe(4413);
		expect(closed.reason).toMatch(/nesting/);
		await sleep(100);
		expect(logRows(caseDoc)).toBe(rows);
		// shallow nesting as the documents use it is accepted
		const ok = deepNesting(3);
		expect(await sendUpdate(caseDoc, ok.build, 'deelnemer', 500)).toBeNull();
		await waitFor('stored', () => logRows(caseDoc) > rows);
	});

	it('root types the document kind does not have, and many at once, are refused; the document is unchanged', async () => {
		const before = await answeredWithin(caseDoc, 1_000);
		expect((await sendUpdate(caseDoc, manyRoots(1)))?.code).toBe(4400);
		expect((await sendUpdate(caseDoc, manyRoots(500)))?.code).toBe(4400);
		const after = await answeredWithin(caseDoc, 1_000);
		expect(Y.encodeStateVector(after)).toEqual(Y.encodeStateVector(before));
	});
});

describe('server-owned presence', () => {
	function awarenessMessage(states: { clientId: number; state: unknown }[]): Uint8Array {
		const doc = new Y.Doc();
		const awareness = new Awareness(doc);
		const inner = (() => {
			const encoder = encoding.createEncoder();
			encoding.writeVarUint(encoder, states.length);
			for (const s of states) {
				encoding.writeVarUint(encoder, s.clientId);
				encoding.writeVarUint(encoder, 1);
				encoding.writeVarString(encoder, JSON.stringify(s.state));
			}
			return encoding.toUint8Array(encoder);
		})();
		awareness.destroy();
		doc.destroy();
		void encodeAwarenessUpdate;
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, 1);
		encoding.writeVarUint8Array(encoder, inner);
		return encoding.toUint8Array(encoder);
	}

	it("a waarnemer's colour, extra fields and 1 MB states never reach the chair; one connection speaks for at most two client ids", async () => {
		const chair = await synced('voorzitter', caseDoc);
		const raw = rawDocSocket(server.url, caseDoc, await as('waarnemer'));
		await raw.opened;
		await waitFor('the server to greet', () => raw.messages.length > 0);
		const overlay = 'red; position: fixed; inset: 0; z-index: 9999; background: url(https://evil.example/x)';
		raw.ws.send(
			awarenessMessage([
				{ clientId: 4242, state: { user: { name: 'De voorzitter', organisation: 'Nep', color: overlay }, field: 'situatie', style: overlay, extra: 'x'.repeat(1000) } }
			])
		);
		await waitFor('the presence at the chair', () => chair.provider.awareness.getStates().get(4242));
		const state = chair.provider.awareness.getStates().get(4242) as Record<string, unknown> & { user: Record<string, string> };
		expect(PRESENCE_COLORS as readonly string[]).toContain(state.user.color);
		expect(state.user.name).not.toBe('De voorzitter');
		expect(Object.keys(state).sort()).toEqual(['field', 'user']);
		expect(state.field).toBe('situatie');

		// 40 new client ids, each with a 2 MB state, in messages of one: at most two are kept, none of 2 MB
		const big = 'y'.repeat(1024 * 1024); // the frame limit is 2 MB
		let received = 0;
		chair.provider.ws?.addEventListener('message', (e: { data: ArrayBuffer | Buffer }) => {
			received += e.data.byteLength;
		});
		for (let i = 0; i < 40; i++) raw.ws.send(awarenessMessage([{ clientId: 5000 + i, state: { user: {}, field: 'zorgen', junk: big } }]));
		for (let i = 0; i < 40; i++) raw.ws.send(awarenessMessage([{ clientId: 6000 + i, state: { field: 'zorgen' } }]));
		await answeredWithin(caseDoc, 1_000);
		await sleep(300);
		const ids = [...chair.provider.awareness.getStates().keys()].filter((id) => id >= 4242 && id < 7000);
		expect(ids.length).toBeLessThanOrEqual(2);
		expect(received).toBeLessThan(1024 * 1024);
		raw.ws.terminate();

		// ten client ids in one message, from a fresh connection: at most two are kept
		const second = rawDocSocket(server.url, caseDoc, await as('waarnemer'));
		await second.opened;
		await waitFor('the server to greet', () => second.messages.length > 0);
		second.ws.send(awarenessMessage(Array.from({ length: 10 }, (_, i) => ({ clientId: 8000 + i, state: { field: 'plan' } }))));
		await answeredWithin(caseDoc, 1_000);
		await sleep(200);
		expect([...chair.provider.awareness.getStates().keys()].filter((id) => id >= 8000 && id < 8010).length).toBeLessThanOrEqual(2);
		second.ws.terminate();
	});

	it('a flood of sync requests (each answered with the whole document) is cut off with 4413; others are answered', async () => {
		const raw = rawDocSocket(server.url, caseDoc, await as('waarnemer'));
		await raw.opened;
		await waitFor('the server to greet', () => raw.messages.length > 0);
		const hello = encodeSyncStep1(new Y.Doc()); // an empty state vector: "send me everything"
		for (let i = 0; i < 500; i++) raw.ws.send(hello);
		const closed = await Promise.race([raw.closed, sleep(3_000).then(() => null)]);
		expect(closed?.code).toBe(4413);
		expect(raw.messages.filter((m) => m[0] === 0 && m[1] === 1).length).toBeLessThan(100);
		await answeredWithin(caseDoc, 1_000);
	});
});
