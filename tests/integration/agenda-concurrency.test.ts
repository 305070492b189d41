import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { MeetingState } from '../../src/lib/shared/live';
import { addAgendaItem, moveAgendaItem, readAgenda } from '../../src/lib/shared/documents';
import { clientPool } from './helpers/clients';
import { caseId, meetingsOf, openShared, type SharedDb } from './helpers/db';
import { docFromDatabase, emitAck, waitFor, type DocClient } from './helpers/realtime';
import { request, startServer, type TestServer, demoLogins } from './helpers/server';

/**
 * The agenda of a meeting under concurrent edits, through the real server with stock y-websocket
 * clients: two chairs moving one item at once, a move crossing the server's rounding off, and an
 * agenda stored in the old shape (a Y.Array) that must keep working and is migrated once.
 */
let server: TestServer;
let db: SharedDb;
const as = demoLogins(() => server);
const pool = clientPool(() => server, as);
const openDoc = pool.openDoc;
/** The table's upcoming meetings, soonest first; each test takes its own. */
const upcoming = (table: string, index: number): number => meetingsOf(db, table)[index]!;
const idsIn = (doc: Y.Doc) => readAgenda(doc).map((i) => i.id);
/** Goes offline, runs `edit`, comes back: the edit is concurrent with whatever happened meanwhile. */
async function whileOffline(client: DocClient, edit: () => void | Promise<void>) {
	client.provider.disconnect();
	await edit();
	client.provider.connect();
	await waitFor('the client to be back', () => client.provider.wsconnected && client.provider.synced);
}

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile, { writable: true });
	await Promise.all(['voorzitter', 'secretaris'].map(as));
});
afterEach(() => pool.closeAll());
afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('the agenda under concurrent edits, through the server', () => {
	it('two chairs moving the same item at once leave it once, for everyone and in the database', async () => {
		const meetingId = upcoming('Top 150 Regio Voorbeeld', 0);
		const name = `meeting:${meetingId}`;
		const voorzitter = await openDoc('voorzitter', name);
		const secretaris = await openDoc('secretaris', name);
		const [first] = ['Eerste', 'Tweede', 'Derde'].map((title) =>
			addAgendaItem(voorzitter.doc, { caseId: null, caseCode: null, title, plannedMinutes: 10, status: 'gepland' })
		);
		await waitFor('the secretaris to have the agenda', () => idsIn(secretaris.doc).length === 3);

		await whileOffline(secretaris, () => {
			moveAgendaItem(secretaris.doc, first!, 1);
			moveAgendaItem(voorzitter.doc, first!, 1);
			moveAgendaItem(voorzitter.doc, first!, 1);
		});
		const watcher = await openDoc('voorzitter', name);
		await waitFor('all three replicas to agree', () => {
			expect(readAgenda(secretaris.doc)).toEqual(readAgenda(voorzitter.doc));
			expect(readAgenda(watcher.doc)).toEqual(readAgenda(voorzitter.doc));
			return true;
		});
		const ids = idsIn(watcher.doc);
		expect(ids).toHaveLength(3);
		expect(new Set(ids).size).toBe(3);
		await waitFor('the stored document to agree', () => {
			expect(idsIn(docFromDatabase(db, name).doc)).toEqual(ids);
			return true;
		});
		await waitFor('the agenda rows to agree', () => {
			const rows = db.prepare('select item_id from agenda_rows where meeting_id = ? order by position').all(meetingId) as { item_id: string }[];
			expect(rows.map((r) => r.item_id)).toEqual(ids);
			return true;
		});
	});

	it('a chair moving an item while the server rounds it off: the item stays "besproken"', async () => {
		const meetingId = upcoming('Top 150 Regio Voorbeeld', 1);
		const name = `meeting:${meetingId}`;
		const chairDoc = await openDoc('voorzitter', name);
		const code = 'T150-2026-014';
		const itemId = addAgendaItem(chairDoc.doc, { caseId: caseId(db, code), caseCode: code, title: 'Bespreking', plannedMinutes: 10, status: 'gepland' });
		addAgendaItem(chairDoc.doc, { caseId: null, caseCode: null, title: 'Rondvraag', plannedMinutes: 5, status: 'gepland' });
		await waitFor('the items to be stored', () => idsIn(docFromDatabase(db, name).doc).length === 2);

		const socket = await pool.joined('secretaris', meetingId);

		// the voorzitter's laptop is offline for a moment and moves the item down meanwhile
		await whileOffline(chairDoc, async () => {
			moveAgendaItem(chairDoc.doc, itemId, 1);
			const closed = await emitAck<MeetingState>(socket, 'item:close', {
				meetingId,
				itemId,
				templateReason: 'Besproken zonder volledig plan',
				regieReason: 'Regie volgt in het volgende overleg'
			});
			expect(closed).toMatchObject({ ok: true });
		});
		const watcher = await openDoc('secretaris', name);
		await waitFor('the move and the closure to reach everyone', () => {
			expect(readAgenda(chairDoc.doc)).toEqual(readAgenda(watcher.doc));
			expect(readAgenda(watcher.doc).map((i) => [i.caseCode ?? i.title, i.status])).toEqual([
				['Rondvraag', 'gepland'],
				[code, 'besproken']
			]);
			return true;
		});
	});

	it('an agenda stored as an array before this version keeps working, and is migrated when the meeting is opened', async () => {
		const meetingId = upcoming('MDA++ Regio Voorbeeld', 0);
		const name = `meeting:${meetingId}`;
		// what the previous version stored: maps in the 'agenda' array, one of them twice (a concurrent move)
		const old = new Y.Doc();
		const array = old.getArray<Y.Map<unknown>>('agenda');
		for (const [id, title, status] of [['oud-a', 'Eerste', 'besproken'], ['oud-b', 'Tweede', 'gepland'], ['oud-a', 'Eerste (kopie)', 'gepland']] as const) {
			const m = new Y.Map<unknown>();
			for (const [k, v] of Object.entries({ id, caseId: null, caseCode: null, title, plannedMinutes: 10, status })) m.set(k, v);
			array.push([m]);
		}
		db.prepare('insert into doc_updates (doc_name, data, created_at) values (?, ?, ?)').run(name, Buffer.from(Y.encodeStateAsUpdate(old)), new Date().toISOString());

		// a reader before any migration: each id once, the array's order
		const expected = [
			['oud-a', 'Eerste', 'besproken'],
			['oud-b', 'Tweede', 'gepland']
		];
		const early = await openDoc('voorzitter', name);
		expect(readAgenda(early.doc).map((i) => [i.id, i.title, i.status])).toEqual(expected);

		// opening the meeting page loads its data, which migrates the agenda once
		const page = await request(server.url, `/overleg/${meetingId}/__data.json`, { cookie: await as('voorzitter') });
		expect(page.status).toBe(200);
		await waitFor('the stored document to hold the agenda as a map', () => {
			const stored = docFromDatabase(db, name).doc;
			expect(stored.getArray('agenda').length).toBe(0);
			expect([...stored.getMap('agendaItems').keys()].sort()).toEqual(['oud-a', 'oud-b']);
			expect(readAgenda(stored).map((i) => [i.id, i.title, i.status])).toEqual(expected);
			return true;
		});
		// the open page saw the migration live, and nothing changed for it
		await waitFor('the open page to have the migrated agenda', () => early.doc.getArray('agenda').length === 0);
		expect(readAgenda(early.doc).map((i) => [i.id, i.title, i.status])).toEqual(expected);
		// and it can be moved as any agenda
		moveAgendaItem(early.doc, 'oud-a', 1);
		await waitFor('the move to be stored', () => idsIn(docFromDatabase(db, name).doc).join() === 'oud-b,oud-a');
	});
});
