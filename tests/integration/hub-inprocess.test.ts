import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { attachRealtime, type Realtime } from '../../server/realtime';
import { login } from '../../src/lib/server/auth/login';
import { withdrawCaseAccess, grantCaseAccess } from '../../src/lib/server/cases/service';
import { sqliteHandle } from '../../src/lib/server/db/index';
import { encodeUpdate } from '../../src/lib/server/collab/protocol';
import { DEMO_PASSWORD } from '../../src/lib/server/seed/demo';
import { caseTextOf } from '../../src/lib/shared/documents';
import { actorFor, caseIdOf, createTestContext, email, organisationIdOf, type TestContext } from './helpers/context';
import { giantString } from './helpers/hostile-updates';
import { connectDoc, sleep, waitFor, type DocClient } from './helpers/realtime';
import { SESSION_COOKIE } from './helpers/server';

/**
 * The document hub with the realtime endpoints attached to an in-process HTTP server (a real
 * SQLite file, stock y-websocket clients over real sockets), where a test needs to reach into
 * the server: a hook between authorization and registration, the hub's own counters, a server
 * change made by code. Issue 12 (hub findings).
 */
let t: TestContext;
let server: http.Server;
let realtime: Realtime;
let url: string;
let t150: number;
const clients: DocClient[] = [];
/** runs once, between a connection's authorization and its registration (then disarms) */
let betweenAuthAndRegistration: (() => Promise<void>) | null = null;

let nextIp = 1;
async function cookieOf(who: string): Promise<string> {
	const { token } = await login(t.ctx, { email: email(who), password: DEMO_PASSWORD, ip: `198.51.100.${nextIp++}`, userAgent: 'vitest' });
	return `${SESSION_COOKIE}=${token}`;
}
function open(docName: string, cookie: string, doc?: Y.Doc): DocClient {
	const client = connectDoc(url, docName, cookie, { doc });
	clients.push(client);
	return client;
}
const raw = () => sqliteHandle(t.ctx.db);
const storedOf = (docName: string) =>
	raw().prepare('select count(*) as rows, coalesce(sum(length(data)), 0) as bytes from doc_updates where doc_name = ?').get(docName) as { rows: number; bytes: number };

beforeAll(async () => {
	t = await createTestContext();
	// the clock of the test context stands still; sessions are checked against it
	server = http.createServer((_req, res) => res.writeHead(404).end());
	realtime = attachRealtime(server, t.ctx, {
		collabHooks: {
			authorized: async () => {
				const hook = betweenAuthAndRegistration;
				betweenAuthAndRegistration = null;
				await hook?.();
			}
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	t150 = await caseIdOf(t.ctx, 'T150-2026-014');
}, 60_000);

afterEach(async () => {
	for (const c of clients.splice(0)) c.destroy();
	betweenAuthAndRegistration = null;
	await sleep(50);
});

afterAll(async () => {
	await realtime?.close();
	await new Promise<void>((resolve) => server?.close(() => resolve()));
	server?.closeAllConnections?.();
	await t?.close();
});

describe('an update sent again', () => {
	it('the same 900 KB update re-sent 20 times over a y-websocket connection is stored once; the document is right', async () => {
		const docName = `case:${await caseIdOf(t.ctx, 'T150-2026-015')}`;
		const chair = open(docName, await cookieOf('voorzitter'));
		const peer = open(docName, await cookieOf('secretaris'));
		await Promise.all([chair.synced, peer.synced]);
		const before = storedOf(docName);
		const paste = giantString(900_000, 'situatie');
		let peerUpdates = 0;
		peer.doc.on('update', () => (peerUpdates += 1));

		// sent by the stock provider's own socket, as a client that resends would
		for (let i = 0; i < 20; i++) chair.provider.ws!.send(encodeUpdate(paste) as Uint8Array<ArrayBuffer>);
		await waitFor('the paste at the peer', () => caseTextOf(peer.doc, 'situatie').length === 900_000, 10_000);
		// a later, real edit of the same writer is stored and arrives (so all 20 were handled)
		caseTextOf(chair.doc, 'zorgen').insert(0, 'Daarna getypt.');
		await waitFor('the typed text at the peer', () => caseTextOf(peer.doc, 'zorgen').toString() === 'Daarna getypt.', 10_000);
		await waitFor('stored', () => storedOf(docName).rows === before.rows + 2);
		await sleep(200);

		const after = storedOf(docName);
		expect(after.rows - before.rows, 'the paste once, the typing once').toBe(2);
		expect(after.bytes - before.bytes).toBeLessThan(paste.byteLength + 1_000);
		expect(peerUpdates, 'the peer got the paste once and the typing once').toBe(2);
		expect(chair.closes, 'the sender was not closed').toEqual([]);
		const fresh = open(docName, await cookieOf('voorzitter'));
		await fresh.synced;
		expect(caseTextOf(fresh.doc, 'situatie').length).toBe(900_000);
		expect(caseTextOf(fresh.doc, 'zorgen').toString()).toBe('Daarna getypt.');
	});
});

describe('a change made by the server', () => {
	it('edits the live document: on a grown document each change reaches the peer once, is stored once and small, and adds no new client to the document', async () => {
		const docName = `case:${t150}`;
		const writer = open(docName, await cookieOf('deelnemer'));
		await writer.synced;
		// a document grown to a few hundred KB
		caseTextOf(writer.doc, 'situatie').insert(0, 'Lorem ipsum dolor sit amet. '.repeat(12_000));
		const grown = caseTextOf(writer.doc, 'situatie').length;
		expect(grown).toBeGreaterThanOrEqual(28 * 12_000);
		const peer = open(docName, await cookieOf('secretaris'));
		await peer.synced;
		await waitFor('the grown text at the peer', () => caseTextOf(peer.doc, 'situatie').length === grown, 10_000);
		const clientsBefore = Y.decodeStateVector(Y.encodeStateVector(peer.doc)).size;
		const before = storedOf(docName);
		let peerUpdates = 0;
		peer.doc.on('update', () => (peerUpdates += 1));

		for (let i = 0; i < 10; i++) {
			await realtime.hub.change(docName, 'test', (doc) => caseTextOf(doc, 'afspraken').insert(0, `${i}`));
		}
		await waitFor('ten changes at the peer', () => caseTextOf(peer.doc, 'afspraken').toString().startsWith('9876543210'));
		const after = storedOf(docName);
		expect(after.rows - before.rows, 'each change stored once').toBe(10);
		expect(after.bytes - before.bytes, 'only the changes, never the document').toBeLessThan(10 * 200);
		expect(peerUpdates).toBe(10);
		// the scratch copy of each change had a client id of its own: ten changes, ten clients
		expect(Y.decodeStateVector(Y.encodeStateVector(peer.doc)).size - clientsBefore).toBeLessThanOrEqual(1);
	});

	it('a change that throws halfway leaves nothing: not in the document, not stored, not broadcast', async () => {
		const docName = `case:${t150}`;
		const peer = open(docName, await cookieOf('deelnemer'));
		await peer.synced;
		const before = storedOf(docName);
		const text = caseTextOf(peer.doc, 'zorgen').toString();
		await expect(
			realtime.hub.change(docName, 'test', (doc) => {
				caseTextOf(doc, 'zorgen').insert(0, 'HALF ');
				throw new Error('halfway');
			})
		).rejects.toThrow('halfway');
		await realtime.hub.change(docName, 'test', (doc) => caseTextOf(doc, 'afspraken').insert(0, 'heel '));
		await waitFor('the whole change at the peer', () => caseTextOf(peer.doc, 'afspraken').toString().startsWith('heel '));
		expect(caseTextOf(peer.doc, 'zorgen').toString()).toBe(text);
		expect(await realtime.hub.read(docName, (doc) => caseTextOf(doc, 'zorgen').toString())).toBe(text);
		expect(storedOf(docName).rows - before.rows).toBe(1);
	});
});

describe('revocation and registration', () => {
	it('access withdrawn while a connection is being authorized: it is closed (4403) and gets nothing of the case', async () => {
		const chair = await actorFor(t.ctx, email('voorzitter'));
		const ggz = await organisationIdOf(t.ctx, 'GGZ Voorbeeld');
		const docName = `case:${t150}`;
		const writer = open(docName, await cookieOf('deelnemer'));
		await writer.synced;
		const lotte = await cookieOf('waarnemer'); // GGZ Voorbeeld: reads T150 until withdrawn
		let withdrawn = false;
		betweenAuthAndRegistration = async () => {
			await withdrawCaseAccess(t.ctx, chair, t150, ggz, { ip: null });
			withdrawn = true;
		};
		try {
			const late = open(docName, lotte, new Y.Doc());
			const outcome = await Promise.race([late.closed.then((c) => c.code), late.synced.then(() => 'synced'), sleep(5_000).then(() => 'timeout')]);
			expect(withdrawn).toBe(true);
			expect(outcome).toBe(4403);
			caseTextOf(writer.doc, 'zorgen').insert(0, 'Na het intrekken getypt. ');
			await sleep(300);
			expect(caseTextOf(late.doc, 'zorgen').toString()).not.toContain('Na het intrekken');
			expect(realtime.hub.connections(docName).map((c) => c.userId)).not.toContain((await actorFor(t.ctx, email('waarnemer'))).userId);
		} finally {
			await grantCaseAccess(t.ctx, chair, t150, ggz, { ip: null });
		}
	});

	it('a connection authorized while nothing is revoked is not checked twice and opens as before', async () => {
		const docName = `case:${t150}`;
		const reader = open(docName, await cookieOf('waarnemer'));
		await reader.synced;
		expect(reader.closes).toEqual([]);
	});
});

describe('presence of clients that left', () => {
	it('a connect/disconnect loop with presence does not grow what the hub keeps of presence', async () => {
		const docName = `meeting:${(raw().prepare("select id from meetings where status = 'gepland' order by id limit 1").get() as { id: number }).id}`;
		const stay = open(docName, await cookieOf('voorzitter'));
		await stay.synced;
		stay.provider.awareness.setLocalStateField('field', 'notes');
		const cookie = await cookieOf('secretaris');
		const round = async () => {
			const c = connectDoc(url, docName, cookie);
			c.provider.awareness.setLocalStateField('field', 'notes');
			await c.synced;
			await waitFor('its presence at the chair', () => stay.provider.awareness.getStates().has(c.doc.clientID));
			c.destroy();
			await waitFor('its presence gone', () => !stay.provider.awareness.getStates().has(c.doc.clientID));
		};
		for (let i = 0; i < 3; i++) await round();
		const settled = realtime.hub.stats().presenceEntries;
		for (let i = 0; i < 20; i++) await round();
		expect(realtime.hub.stats().presenceEntries).toBeLessThanOrEqual(settled);
		expect(realtime.hub.stats().presenceEntries).toBeLessThanOrEqual(3);
	});
});
