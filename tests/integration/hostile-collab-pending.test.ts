import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { encodeUpdate } from '../../src/lib/server/collab/protocol';
import { caseTextOf } from '../../src/lib/shared/documents';
import { caseId, openShared, type SharedDb } from './helpers/db';
import { connectDoc, docFromDatabase, rawDocSocket, sleep, waitFor, type DocClient } from './helpers/realtime';
import { demoLogins, startServer, type TestServer } from './helpers/server';
import { clientInTwoBlocks, deepNesting, giantString, nestingParentsLater, scatteredInserts, waitingOnEachOther } from './helpers/hostile-updates';

/**
 * Issue 12, "Trust at the edge", second round: updates that pass a check reading them front to
 * back but that Yjs cannot (fully) integrate, or that nest deeper than the limit by the order
 * of their parts, or that carry formatting the documents never use. Each is built with real
 * Yjs, sent over a real websocket to the real server; each must be refused without the server
 * rebuilding the document (which costs about a second on a big one), the document must be
 * unchanged, and an honest edit must reach a peer within a second while it happens.
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

/** Opens a raw writer socket on `doc`, greeted by the server. */
async function rawWriter(doc: string, who = 'deelnemer') {
	const raw = rawDocSocket(server.url, doc, await as(who));
	await raw.opened;
	await waitFor('the server to greet', () => raw.messages.length > 0);
	return raw;
}

/** Sends one raw update as a writer; resolves with the close the server gives (or null). */
async function sendUpdate(doc: string, update: Uint8Array, who = 'deelnemer', waitMs = 3_000) {
	const raw = await rawWriter(doc, who);
	raw.ws.send(encodeUpdate(update));
	const closed = await Promise.race([raw.closed, sleep(waitMs).then(() => null)]);
	raw.ws.terminate();
	return closed;
}

/** An honest edit by `writer` reaches `peer`: resolves with the milliseconds it took. */
async function editReachesPeer(writer: DocClient, peer: DocClient, marker: string, limitMs: number): Promise<number> {
	const started = Date.now();
	const text = caseTextOf(writer.doc, 'afspraken');
	text.insert(text.length, marker);
	await waitFor(`"${marker}" at the peer`, () => caseTextOf(peer.doc, 'afspraken').toString().includes(marker), limitMs, 2);
	return Date.now() - started;
}

const logRows = (doc: string) => (db.prepare('select count(*) as n from doc_updates where doc_name = ?').get(doc) as { n: number }).n;
const rebuilds = () => (server.output().match(/rebuilt from the store/g) ?? []).length;
const sameDoc = (a: Y.Doc, b: { sv: Uint8Array; snap: Y.Snapshot }) =>
	Buffer.from(Y.encodeStateVector(a)).equals(Buffer.from(b.sv)) && Y.equalSnapshots(Y.snapshot(a), b.snap);
const state = (doc: Y.Doc) => ({ sv: Y.encodeStateVector(doc), snap: Y.snapshot(doc) });
/** The clients whose content differs between two state vectors. */
const changedClients = (before: Uint8Array, after: Y.Doc) => {
	const was = Y.decodeStateVector(before);
	return [...Y.decodeStateVector(Y.encodeStateVector(after))].filter(([client, clock]) => was.get(client) !== clock).map(([client]) => client);
};

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

describe('updates that would be left pending', () => {
	it('20 tiny updates whose items wait on each other, sent at once to a big document, are refused (4400) without a rebuild; an honest edit reaches a peer within a second; nothing changes', async () => {
		const writer = await synced('voorzitter', caseDoc);
		const peer = await synced('waarnemer', caseDoc);
		// a big document: a paste of 400,000 characters and 28,000 fragments (updates below the struct limit)
		for (const update of [giantString(400_000, 'wens'), ...[1, 2, 3, 4].map((seed) => scatteredInserts(7_000, 'zorgen', seed))]) {
			expect(await sendUpdate(caseDoc, update, 'deelnemer', 1_500)).toBeNull();
		}
		await waitFor('the big document at the peer', () => caseTextOf(peer.doc, 'zorgen').length >= 27_000 && caseTextOf(peer.doc, 'wens').length >= 400_000, 20_000);
		await editReachesPeer(writer, peer, '[voor]', 5_000);
		const before = state(peer.doc);
		const situatie = caseTextOf(peer.doc, 'situatie').toString();
		const rows = logRows(caseDoc);
		const rebuildsBefore = rebuilds();

		const attacks = [
			...Array.from({ length: 8 }, () => waitingOnEachOther('situatie', 'origin')),
			...Array.from({ length: 8 }, () => waitingOnEachOther('situatie', 'parent')),
			...Array.from({ length: 4 }, () => clientInTwoBlocks('situatie'))
		];
		const sockets = await Promise.all(attacks.map(() => rawWriter(caseDoc)));
		sockets.forEach((raw, i) => raw.ws.send(encodeUpdate(attacks[i]!)));
		const ms = await editReachesPeer(writer, peer, '[tijdens]', 1_000);
		const closes = await Promise.all(sockets.map((raw) => Promise.race([raw.closed, sleep(5_000).then(() => null)])));
		for (const raw of sockets) raw.ws.terminate();

		expect(closes.map((c) => c?.code)).toEqual(attacks.map(() => 4400));
		for (const c of closes) expect(c?.reason).toMatch(/invalid update/);
		expect(rebuilds() - rebuildsBefore).toBe(0);
		expect(ms).toBeLessThan(1_000);
		console.log(`honest edit during 20 pending attacks reached the peer in ${ms} ms`);
		// only the honest edit was stored and reached the peer
		await waitFor('the honest edit stored', () => logRows(caseDoc) === rows + 1);
		const expected = new Y.Doc();
		Y.applyUpdate(expected, Y.encodeStateAsUpdate(writer.doc));
		expect(Y.encodeStateVector(peer.doc)).toEqual(Y.encodeStateVector(expected));
		expect(changedClients(before.sv, peer.doc)).toEqual([writer.doc.clientID]);
		expect(caseTextOf(peer.doc, 'situatie').toString()).toBe(situatie);
		expect(caseTextOf(docFromDatabase(db, caseDoc).doc, 'situatie').toString()).toBe(situatie);
		for (const c of clients.splice(0)) c.destroy();
	}, 90_000);

	it('offline edits of two clients, one of which saw the other, merge after reconnecting (a self-contained diff is accepted)', async () => {
		const a = await synced('voorzitter', caseDoc);
		const b = await synced('deelnemer', caseDoc);
		a.provider.disconnect();
		b.provider.disconnect();
		caseTextOf(a.doc, 'plan').insert(0, 'Plan van A. ');
		// b learns a's offline edit out of band (as a second tab would) and edits on top of it
		Y.applyUpdate(b.doc, Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(b.doc)));
		caseTextOf(b.doc, 'plan').insert(caseTextOf(b.doc, 'plan').length, 'Aanvulling van B.');
		b.provider.connect();
		await waitFor('b synced again', () => b.provider.synced, 5_000);
		a.provider.connect();
		await waitFor('a synced again', () => a.provider.synced, 5_000);
		await waitFor('both edits stored', () => caseTextOf(docFromDatabase(db, caseDoc).doc, 'plan').toString() === 'Plan van A. Aanvulling van B.', 5_000);
		expect(a.closes.filter((c) => c && c.code >= 4000)).toEqual([]);
		expect(b.closes.filter((c) => c && c.code >= 4000)).toEqual([]);
		for (const c of clients.splice(0)) c.destroy();
	}, 30_000);
});

describe('nesting depth, whatever the order of the update', () => {
	it('maps nested 40 deep whose parents come later in the update are refused (4413); nothing changes; another user is answered', async () => {
		const peer = await synced('waarnemer', caseDoc);
		const writer = await synced('voorzitter', caseDoc);
		const before = state(peer.doc);
		const rows = logRows(caseDoc);
		const raw = await rawWriter(caseDoc);
		raw.ws.send(encodeUpdate(nestingParentsLater(40)));
		await editReachesPeer(writer, peer, '[diep]', 1_000);
		const closed = await Promise.race([raw.closed, sleep(3_000).then(() => null)]);
		raw.ws.terminate();
		expect(closed?.code).toBe(4413);
		expect(closed?.reason).toMatch(/nesting/);
		await waitFor('the honest edit stored', () => logRows(caseDoc) === rows + 1);
		expect(changedClients(before.sv, peer.doc)).toEqual([writer.doc.clientID]);
		expect(changedClients(before.sv, docFromDatabase(db, caseDoc).doc)).toEqual([writer.doc.clientID]);
		expect(peer.doc.getMap('velden').has('x')).toBe(false);
		// as deep as the limit, in the same order, is accepted
		expect(await sendUpdate(caseDoc, nestingParentsLater(8), 'deelnemer', 500)).toBeNull();
		await waitFor('stored', () => logRows(caseDoc) === rows + 2);
		for (const c of clients.splice(0)) c.destroy();
	}, 30_000);

	it('in a document that already nests 12 deep (stored by an older version), setting a key at every level is refused (4413)', async () => {
		const doc = `case:${caseId(db, 'T150-2026-015')}`;
		const { build, touch } = deepNesting(12);
		const writable = openShared(server.dbFile, { writable: true });
		writable.prepare('insert into doc_updates (doc_name, data, created_at) values (?, ?, ?)').run(doc, Buffer.from(build), new Date().toISOString());
		writable.close();
		const peer = await synced('voorzitter', doc);
		const before = state(peer.doc);
		const rows = logRows(doc);
		const closed = await sendUpdate(doc, touch, 'voorzitter');
		expect(closed?.code).toBe(4413);
		expect(closed?.reason).toMatch(/nesting/);
		await sleep(100);
		expect(logRows(doc)).toBe(rows);
		expect(sameDoc(peer.doc, before)).toBe(true);
		for (const c of clients.splice(0)) c.destroy();
	}, 30_000);
});

describe('formatting and embeds', () => {
	it('a stock client that makes text bold, or embeds an object, is refused (4400); nothing is stored or reaches a peer', async () => {
		const peer = await synced('waarnemer', caseDoc);
		for (const [edit, reason] of [
			[(t: Y.Text) => t.format(0, 4, { bold: true }), /formatting/],
			[(t: Y.Text) => t.insertEmbed(0, { image: 'https://evil.example/x.png' }), /embed/]
		] as const) {
			const attacker = await synced('deelnemer', caseDoc);
			const text = caseTextOf(attacker.doc, 'situatie');
			if (text.length < 4) text.insert(0, 'Vier');
			await waitFor('the text at the peer', () => caseTextOf(peer.doc, 'situatie').length >= 4);
			const base = state(peer.doc);
			const baseRows = logRows(caseDoc);
			edit(text);
			const closed = await Promise.race([attacker.closed, sleep(3_000).then(() => null)]);
			expect(closed?.code).toBe(4400);
			expect(closed?.reason).toMatch(reason);
			attacker.destroy();
			await sleep(100);
			expect(logRows(caseDoc)).toBe(baseRows);
			expect(sameDoc(peer.doc, base)).toBe(true);
			expect(caseTextOf(peer.doc, 'situatie').toDelta().every((op: { attributes?: unknown; insert: unknown }) => !op.attributes && typeof op.insert === 'string')).toBe(true);
		}
		for (const c of clients.splice(0)) c.destroy();
	}, 30_000);
});
