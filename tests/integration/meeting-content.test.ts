import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addAgendaItem, addDecision, agendaItemsOf, moveAgendaItem, readAgenda, readDecisions, updateAgendaItem } from '../../src/lib/shared/documents';
import { clientPool } from './helpers/clients';
import { caseId, firstMeeting, meetingsOf, openShared, writeShared, type SharedDb } from './helpers/db';
import { docFromDatabase, rawStoredBytes, sleep, waitFor, type DocClient } from './helpers/realtime';
import { demoLogins, startServer, type TestServer } from './helpers/server';

/**
 * Issue 13, item 1: the meeting document, which every member of the table reads, holds no case
 * content. A case item of the agenda has no title and a case item's decisions live in its
 * bespreking document; the hub refuses (4400) an update that puts either in the meeting
 * document, whoever sends it (an old page, a script with the chair's session). Real server in a
 * child process, real y-websocket clients.
 */
let server: TestServer;
let db: SharedDb;
const as = demoLogins(() => server);
const pool = clientPool(() => server, as);
const { openDoc } = pool;
const CODE = 'T150-2026-014';
const TITLE_CANARY = 'CANARY-titel-jongvolwassene-met-schulden';
const DECISION_CANARY = 'CANARY-besluit-OM-wacht-met-vervolging';

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	await Promise.all(['voorzitter', 'secretaris'].map(as));
});
afterEach(() => pool.closeAll());
afterAll(async () => {
	db?.close();
	await server?.stop();
});

const stored = (name: string) => docFromDatabase(db, name).doc;
/** The code the server closed the client with, or 'open' when it is still open after a while. */
const closedWith = (client: DocClient, ms = 2_000) =>
	Promise.race([client.closed.then((c) => c.code), sleep(ms).then(() => 'open' as const)]);

async function caseItem(meetingId: number): Promise<string> {
	const chair = await openDoc('voorzitter', `meeting:${meetingId}`);
	const id = addAgendaItem(chair.doc, { caseId: caseId(db, CODE), caseCode: CODE, title: 'wordt niet geschreven', plannedMinutes: 10, status: 'gepland' });
	await waitFor('the case item to be stored', () => readAgenda(stored(`meeting:${meetingId}`)).some((i) => i.id === id));
	chair.destroy();
	return id;
}

describe('the meeting document holds no case content', () => {
	it('a case item is stored without a title, whatever the writer passed', async () => {
		const meetingId = firstMeeting(db, 'Top 150 Regio Voorbeeld');
		const id = await caseItem(meetingId);
		expect(readAgenda(stored(`meeting:${meetingId}`)).find((i) => i.id === id)).toMatchObject({ caseCode: CODE, title: '' });
	});

	it('a title typed on a case item by a raw client of the chair is refused (4400); the stored document is unchanged', async () => {
		const meetingId = firstMeeting(db, 'Top 150 Regio Voorbeeld');
		const id = await caseItem(meetingId);
		const before = readAgenda(stored(`meeting:${meetingId}`));
		const raw = await openDoc('voorzitter', `meeting:${meetingId}`);
		(agendaItemsOf(raw.doc).get(id) as Y.Map<unknown>).set('title', TITLE_CANARY);
		expect(await closedWith(raw)).toBe(4400);
		// a new case item with a title in one update: refused as well
		const other = await openDoc('voorzitter', `meeting:${meetingId}`);
		const map = new Y.Map<unknown>();
		for (const [k, v] of Object.entries({ caseId: caseId(db, 'T150-2026-015'), caseCode: 'T150-2026-015', title: TITLE_CANARY, plannedMinutes: 5, status: 'gepland', order: 'zz' })) map.set(k, v);
		agendaItemsOf(other.doc).set('handgemaakt', map);
		expect(await closedWith(other)).toBe(4400);

		expect(readAgenda(stored(`meeting:${meetingId}`))).toEqual(before);
		expect(rawStoredBytes(db, `meeting:${meetingId}`).toString('latin1')).not.toContain(TITLE_CANARY);
		// and a member opening it now gets nothing of it
		const secretaris = await openDoc('secretaris', `meeting:${meetingId}`);
		expect(JSON.stringify(secretaris.doc.toJSON())).not.toContain(TITLE_CANARY);
	});

	it('a decision on a case item (or on an item the agenda does not have) is refused; the document is unchanged', async () => {
		const meetingId = firstMeeting(db, 'Top 150 Regio Voorbeeld');
		const id = await caseItem(meetingId);
		const before = readDecisions(stored(`meeting:${meetingId}`));
		for (const itemId of [id, 'bestaat-niet']) {
			const raw = await openDoc('voorzitter', `meeting:${meetingId}`);
			addDecision(raw.doc, itemId, DECISION_CANARY);
			expect(await closedWith(raw)).toBe(4400);
		}
		expect(readDecisions(stored(`meeting:${meetingId}`))).toEqual(before);
		expect(rawStoredBytes(db, `meeting:${meetingId}`).toString('latin1')).not.toContain(DECISION_CANARY);
	});

	it('a general item still takes a title and decisions', async () => {
		const meetingId = firstMeeting(db, 'Top 150 Regio Voorbeeld');
		const chair = await openDoc('voorzitter', `meeting:${meetingId}`);
		const id = addAgendaItem(chair.doc, { caseId: null, caseCode: null, title: 'Rondvraag', plannedMinutes: 5, status: 'gepland' });
		updateAgendaItem(chair.doc, id, { title: 'Rondvraag en sluiting' });
		addDecision(chair.doc, id, 'De volgende vergadering is op 12 maart.');
		await waitFor('the general item and its decision to be stored', () => {
			const doc = stored(`meeting:${meetingId}`);
			return readAgenda(doc).some((i) => i.id === id && i.title === 'Rondvraag en sluiting') && readDecisions(doc).some((d) => d.itemId === id);
		});
		expect(await closedWith(chair, 300)).toBe('open');
	});

	it('an old document whose case item still has a title keeps working for status and order edits', async () => {
		// a meeting nobody opened yet, stored as before this release: a titled case item
		const meetingId = meetingsOf(db, 'Top 150 Regio Voorbeeld').at(-1)!;
		const name = `meeting:${meetingId}`;
		const old = new Y.Doc();
		addAgendaItem(old, { caseId: null, caseCode: null, title: 'Opening', plannedMinutes: 5, status: 'gepland' }, 'opening');
		addAgendaItem(old, { caseId: caseId(db, CODE), caseCode: CODE, title: '', plannedMinutes: 10, status: 'gepland' }, 'oud-casus');
		(agendaItemsOf(old).get('oud-casus') as Y.Map<unknown>).set('title', 'Oude titel');
		writeShared(server.dbFile, 'insert into doc_updates (doc_name, data, created_at) values (?, ?, ?)', name, Buffer.from(Y.encodeStateAsUpdate(old)), new Date().toISOString());

		const chair = await openDoc('voorzitter', name);
		expect(readAgenda(chair.doc).find((i) => i.id === 'oud-casus')?.title).toBe('Oude titel');
		updateAgendaItem(chair.doc, 'oud-casus', { status: 'aangehouden' });
		moveAgendaItem(chair.doc, 'oud-casus', -1);
		await waitFor('the status and order to be stored', () => {
			const agenda = readAgenda(stored(name));
			return agenda[0]?.id === 'oud-casus' && agenda[0].status === 'aangehouden';
		});
		expect(await closedWith(chair, 300)).toBe('open');
	});
});
