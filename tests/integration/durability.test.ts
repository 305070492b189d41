import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DEMO_PASSWORD } from '../../src/lib/server/seed/demo';
import { addAgendaItem, caseTextOf, meetingNotesOf, readAgenda } from '../../src/lib/shared/documents';
import type { JoinResult, MeetingState } from '../../src/lib/shared/live';
import { caseId, openShared, tableId, type SharedDb } from './helpers/db';
import {
	connectDoc,
	connectLive,
	docFromDatabase,
	emitAck,
	insertToken,
	liveConnected,
	seeded,
	sleep,
	tokens,
	waitFor,
	type DocClient,
	type LiveSocket
} from './helpers/realtime';
import { login, startServer, type TestServer } from './helpers/server';

/**
 * What survives `kill -9`: the server is killed (SIGKILL to its whole process group) and
 * started again on the same SQLite file and port. Everything any client had received from the
 * server before the kill must be there afterwards: the server broadcasts an update only after
 * it is committed. Writers are closed before the restart, so they cannot quietly re-send what
 * the server lost; the observers are read-only (their re-sends are dropped), so what a fresh
 * client sees after the restart comes from the database alone.
 */
let server: TestServer;
let db: SharedDb;
let caseDoc: string;
let meetingDoc: string;
let meetingId: number;

const email = (local: string) => `${local}@casustafel.example`;
const cookies = new Map<string, string>();
const cookie = (who: string) => cookies.get(who)!;

const all: DocClient[] = [];
const sockets: LiveSocket[] = [];
function open(who: string, docName: string): DocClient {
	const client = connectDoc(server.url, docName, cookie(who));
	all.push(client);
	return client;
}
async function live(who: string): Promise<LiveSocket> {
	const socket = connectLive(server.url, cookie(who));
	sockets.push(socket);
	await liveConnected(socket);
	return socket;
}

/** Every (client, clock) in `seen` is also in `stored`: nothing seen was lost. */
function covers(stored: Y.Doc, seen: Y.Doc, except: number[] = []) {
	const have = Y.decodeStateVector(Y.encodeStateVector(stored));
	for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(seen))) {
		if (except.includes(client)) continue;
		expect(have.get(client) ?? 0, `client ${client}`).toBeGreaterThanOrEqual(clock);
	}
}

let observer: DocClient; // waarnemer on the case document: read-only, kept across restarts
let meetingObserver: DocClient; // deelnemer on the meeting document: read-only too
let stateBeforeCrash: MeetingState;
let agendaItemId: string;

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	caseDoc = `case:${caseId(db, 'T150-2026-014')}`;
	const meeting = db
		.prepare("select id from meetings where case_table_id = ? and status = 'gepland' order by starts_at limit 1")
		.get(tableId(db, 'Top 150 Regio Voorbeeld')) as { id: number };
	meetingId = meeting.id;
	meetingDoc = `meeting:${meetingId}`;
	for (const who of ['voorzitter', 'secretaris', 'deelnemer', 'waarnemer']) {
		cookies.set(who, await login(server.url, email(who), DEMO_PASSWORD));
	}
});

afterAll(async () => {
	for (const s of sockets.splice(0)) s.disconnect();
	for (const c of all.splice(0)) c.destroy();
	db?.close();
	await server?.stop();
});

async function crashAndRestart() {
	db.close();
	await server.crash();
	server = await server.restart();
	db = openShared(server.dbFile);
}

describe('a hard kill of the server', () => {
	it('loses no document update that any client had received, and the meeting state survives', async () => {
		const writers = [open('voorzitter', caseDoc), open('secretaris', caseDoc), open('deelnemer', caseDoc)];
		const meetingWriter = open('voorzitter', meetingDoc);
		observer = open('waarnemer', caseDoc);
		meetingObserver = open('deelnemer', meetingDoc);
		await Promise.all(all.map((c) => c.synced));

		// the chair runs the meeting: an agenda item in the document, current item and timer via socket.io
		agendaItemId = addAgendaItem(meetingWriter.doc, {
			caseId: null,
			caseCode: 'T150-2026-014',
			title: 'Jongvolwassene, inbraken',
			plannedMinutes: 15,
			status: 'gepland'
		});
		const chair = await live('voorzitter');
		expect(await emitAck(chair, 'meeting:join', { meetingId })).toMatchObject({ ok: true });
		for (const [event, payload] of [
			['meeting:open', { meetingId }],
			['meeting:current', { meetingId, itemId: agendaItemId }],
			['meeting:timer', { meetingId, action: 'pause' }],
			['meeting:timer', { meetingId, action: 'extend', minutes: 5 }],
			['meeting:timer', { meetingId, action: 'start' }]
		] as const) {
			const reply = await emitAck<MeetingState>(chair, event, payload);
			if (!reply.ok) throw new Error(`${event}: ${reply.code}`);
			stateBeforeCrash = reply.data;
		}
		expect(stateBeforeCrash).toMatchObject({ status: 'geopend', currentItemId: agendaItemId, timer: { running: true, extraMs: 300_000 } });

		// a burst: 300 small inserts spread over three writers, plus notes in the meeting document
		const random = seeded(2026);
		for (let i = 0; i < 300; i++) {
			const w = i % 3;
			insertToken(caseTextOf(writers[w]!.doc, 'situatie'), `<${w}:${i}>`, random);
			if (i % 5 === 0) insertToken(meetingNotesOf(meetingWriter.doc), `<n:${i}>`, random);
			if (i % 10 === 9) await sleep(0); // let the clients' frames interleave at the server
		}

		// wait until every client has RECEIVED the others' updates, observers included
		const observed = caseTextOf(observer.doc, 'situatie');
		await waitFor(
			'all 300 updates to reach the observer and the writers',
			() =>
				tokens(observed.toString()).length === 300 &&
				writers.every((w) => caseTextOf(w.doc, 'situatie').toString() === observed.toString()),
			10_000
		);
		await waitFor('the meeting notes to reach the observer', () => tokens(meetingNotesOf(meetingObserver.doc).toString()).length === 60);
		const seenText = observed.toString();
		const seenNotes = meetingNotesOf(meetingObserver.doc).toString();
		expect(readAgenda(meetingObserver.doc).map((a) => a.id)).toEqual([agendaItemId]);

		// writers leave first: they must not be able to re-send anything the server lost
		for (const w of [...writers, meetingWriter]) w.destroy();
		const closesBefore = observer.closes.length;
		await crashAndRestart();
		await waitFor('the observer to notice the crash', () => observer.closes.length > closesBefore);

		// a fresh client sees exactly what the observer had received
		const fresh = open('secretaris', caseDoc);
		const freshMeeting = open('secretaris', meetingDoc);
		await Promise.all([fresh.synced, freshMeeting.synced]);
		expect(caseTextOf(fresh.doc, 'situatie').toString()).toBe(seenText);
		expect(meetingNotesOf(freshMeeting.doc).toString()).toBe(seenNotes);
		expect(readAgenda(freshMeeting.doc).map((a) => a.id)).toEqual([agendaItemId]);
		covers(fresh.doc, observer.doc, [observer.doc.clientID]);

		// current agenda item and timer are as the chair left them
		const chairAgain = await live('voorzitter');
		const joined = await emitAck<JoinResult>(chairAgain, 'meeting:join', { meetingId });
		if (!joined.ok) throw new Error(joined.code);
		expect(joined.data.state.status).toBe('geopend');
		expect(joined.data.state.currentItemId).toBe(agendaItemId);
		expect(joined.data.state.timer).toEqual(stateBeforeCrash.timer);

		// the old providers reconnect by themselves and sync again: an edit made now reaches them
		await waitFor('the old observers to be connected again', () => observer.provider.synced && meetingObserver.provider.synced, 10_000);
		caseTextOf(fresh.doc, 'situatie').insert(0, '<na-herstart>');
		meetingNotesOf(freshMeeting.doc).insert(0, '<na-herstart>');
		await waitFor('the old observer to receive an edit made after the restart', () =>
			observed.toString() === `<na-herstart>${seenText}` &&
			meetingNotesOf(meetingObserver.doc).toString() === `<na-herstart>${seenNotes}`
		);
		fresh.destroy();
		freshMeeting.destroy();
	}, 45_000);

	it('loses nothing an observer had received when killed in the middle of a burst, nor in a document reopened after compaction', async () => {
		// First a document no one else touches is opened, edited, left (compacted on unload: its
		// rows, the newest in the log, are deleted), opened again and edited again. Ids of the
		// new rows must not reuse the deleted ones, or the snapshot would hide them on load.
		const reopened = `case:${caseId(db, 'T150-2026-015')}`;
		const rows = () => (db.prepare('select count(*) as n from doc_updates where doc_name = ?').get(reopened) as { n: number }).n;
		const first = [open('voorzitter', reopened), open('secretaris', reopened)];
		await Promise.all(first.map((c) => c.synced));
		caseTextOf(first[0]!.doc, 'afspraken').insert(0, '<eerste>');
		await waitFor('the first edit to arrive', () => caseTextOf(first[1]!.doc, 'afspraken').toString() === '<eerste>');
		for (const c of first) c.destroy();
		await waitFor('the document to be compacted', () => rows() === 0);
		const again = [open('voorzitter', reopened), open('secretaris', reopened)];
		await Promise.all(again.map((c) => c.synced));
		caseTextOf(again[0]!.doc, 'afspraken').insert(caseTextOf(again[0]!.doc, 'afspraken').length, '<tweede>');
		await waitFor('the second edit to arrive', () => caseTextOf(again[1]!.doc, 'afspraken').toString() === '<eerste><tweede>');

		const writers = [open('voorzitter', caseDoc), open('secretaris', caseDoc), open('deelnemer', caseDoc)];
		await Promise.all(writers.map((w) => w.synced));
		const observed = caseTextOf(observer.doc, 'situatie');
		const start = tokens(observed.toString()).length;

		// writers keep typing until the server dies under them
		let typing = true;
		const random = seeded(7);
		const burst = (async () => {
			for (let i = 0; typing; i++) {
				const w = i % 3;
				insertToken(caseTextOf(writers[w]!.doc, 'situatie'), `<k${w}:${i}>`, random);
				if (i % 5 === 4) await sleep(1);
			}
		})();
		await waitFor('the burst to be under way', () => tokens(observed.toString()).length >= start + 100, 10_000);
		db.close();
		const closesBefore = observer.closes.length;
		await server.crash();
		typing = false;
		await burst;
		// the writers are closed before the restart, so they cannot re-send anything themselves
		for (const w of [...writers, ...again]) w.destroy();
		await waitFor('the observer to notice the crash', () => observer.closes.length > closesBefore);
		const seen = new Y.Doc();
		Y.applyUpdate(seen, Y.encodeStateAsUpdate(observer.doc));
		const seenTokens = tokens(observed.toString());

		server = await server.restart();
		db = openShared(server.dbFile);
		const fresh = open('secretaris', caseDoc);
		await fresh.synced;
		const stored = caseTextOf(fresh.doc, 'situatie').toString();
		const storedTokens = new Set(tokens(stored));
		expect(seenTokens.filter((t) => !storedTokens.has(t))).toEqual([]);
		covers(fresh.doc, seen, [observer.doc.clientID]);
		// the database agrees with what the server serves
		expect(caseTextOf(docFromDatabase(db, caseDoc).doc, 'situatie').toString()).toBe(stored);

		// and the edit made after reopening, which the other writer had received, is there
		const freshReopened = open('voorzitter', reopened);
		await freshReopened.synced;
		expect(caseTextOf(freshReopened.doc, 'afspraken').toString()).toBe('<eerste><tweede>');
		fresh.destroy();
		freshReopened.destroy();
	}, 45_000);
});
