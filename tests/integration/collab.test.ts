import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { Awareness, encodeAwarenessUpdate, removeAwarenessStates } from 'y-protocols/awareness';
import { caseTextOf, meetingNotesOf } from '../../src/lib/shared/documents';
import type { MeetingState } from '../../src/lib/shared/live';
import { clientPool } from './helpers/clients';
import { caseId, firstMeeting, meetingsOf, openShared, user, type SharedDb } from './helpers/db';
import { docFromDatabase, emitAck, rawDocSocket, rawStoredBytes, sleep, waitFor, type DocClient } from './helpers/realtime';
import { startServer, type TestServer, demoEmail, demoLogins } from './helpers/server';

/**
 * The document endpoint `/collab/<doc>` against the real server in a child process, with
 * stock y-websocket clients carrying real session cookies and the real SQLite file underneath.
 * Every test closes its clients, so each starts with the documents unloaded.
 */
let server: TestServer;
let db: SharedDb;
let caseDoc: string; // case:<T150-2026-014>: write for voorzitter and deelnemer, read for waarnemer
let otherCaseDoc: string; // case:<T150-2026-015>: the chair writes; used for the unload test
let meetingDoc: string; // meeting:<a planned Top 150 meeting>
let meetingId: number;
let t150: number;

const email = demoEmail;
const as = demoLogins(() => server);

const pool = clientPool(() => server, as);
/** A document client of `who` (or without a cookie), not waited for; `doc` to bring one's own replica. */
const open = async (who: string | null, docName: string, doc?: Y.Doc): Promise<DocClient> =>
	pool.docWithCookie(who ? await as(who) : null, docName, { doc });
const openSynced = pool.openDoc;

const count = (sql: string, ...params: unknown[]) => (db.prepare(sql).get(...params) as { n: number }).n;
const logRows = (docName: string) => count('select count(*) as n from doc_updates where doc_name = ?', docName);

/** Waits until the server has unloaded the document: the log compacted into the snapshot. */
async function unloaded(docName: string) {
	await waitFor(
		`${docName} to be compacted on unload`,
		() => logRows(docName) === 0 && count('select count(*) as n from doc_snapshots where doc_name = ?', docName) === 1
	);
}

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	t150 = caseId(db, 'T150-2026-014');
	caseDoc = `case:${t150}`;
	otherCaseDoc = `case:${caseId(db, 'T150-2026-015')}`;
	meetingId = firstMeeting(db, 'Top 150 Regio Voorbeeld');
	meetingDoc = `meeting:${meetingId}`;
	await Promise.all(['voorzitter', 'deelnemer', 'waarnemer', 'geen-toegang', 'secretaris'].map(as));
});

afterEach(() => pool.closeAll());

afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('writing together', () => {
	it('two writers typing into the same text at the same moment end up with the same text, nothing lost', async () => {
		const chair = await openSynced('voorzitter', caseDoc);
		const member = await openSynced('deelnemer', caseDoc);
		const a = caseTextOf(chair.doc, 'zorgen');
		const b = caseTextOf(member.doc, 'zorgen');

		// Both type before either hears from the other: genuinely concurrent edits.
		for (let i = 0; i < 25; i++) {
			a.insert(0, `[V${i}]`);
			b.insert(b.length, `[D${i}]`);
		}
		const expectAll = (text: string) => {
			for (let i = 0; i < 25; i++) {
				expect(text).toContain(`[V${i}]`);
				expect(text).toContain(`[D${i}]`);
			}
		};
		const complete = (text: string) =>
			Array.from({ length: 25 }, (_, i) => [`[V${i}]`, `[D${i}]`]).flat().every((m) => text.includes(m));
		await waitFor('both replicas to converge', () => complete(a.toString()) && a.toString() === b.toString());
		expectAll(a.toString());
		expect(a.length).toBe(2 * (10 * 4 + 15 * 5));

		// and the server holds that same merged text: a newcomer sees it exactly
		const late = await openSynced('voorzitter', caseDoc);
		expect(caseTextOf(late.doc, 'zorgen').toString()).toBe(a.toString());
	});
});

describe('read-only access', () => {
	it("the waarnemer sees the case document live, but their edits reach no one and are never stored", async () => {
		// a text of its own: the demo's case has a situatie already, and the test above wrote zorgen
		const chair = await openSynced('voorzitter', caseDoc);
		const member = await openSynced('deelnemer', caseDoc);
		caseTextOf(chair.doc, 'moet_gebeuren').insert(0, 'Situatie volgens de voorzitter.');

		// A stock client whose replica already holds an offline edit: it goes out in sync step 2.
		const offline = new Y.Doc();
		caseTextOf(offline, 'wens').insert(0, 'OFFLINE-WAARNEMER');
		const observer = await open('waarnemer', caseDoc, offline);
		await observer.synced;
		const seen = caseTextOf(observer.doc, 'moet_gebeuren');
		await waitFor('the waarnemer to receive the text', () => seen.toString().includes('Situatie volgens de voorzitter.'));

		// the waarnemer types, live
		seen.insert(0, 'WAARNEMER-ONLINE ');
		observer.doc.getMap('acties').set('x', 'WAARNEMER-MAP');
		await sleep(300);
		// the chair goes on typing; everyone receives that, proving the channel is alive
		caseTextOf(chair.doc, 'moet_gebeuren').insert(caseTextOf(chair.doc, 'moet_gebeuren').length, ' Later.');
		await waitFor('the later edit to reach the others', () =>
			[member, observer].every((c) => caseTextOf(c.doc, 'moet_gebeuren').toString().endsWith(' Later.'))
		);

		for (const c of [chair, member]) {
			expect(caseTextOf(c.doc, 'moet_gebeuren').toString()).toBe('Situatie volgens de voorzitter. Later.');
			expect(caseTextOf(c.doc, 'wens').toString()).toBe('');
			expect(c.doc.getMap('acties').size).toBe(0);
		}
		// a newcomer gets the server's state: none of the waarnemer's edits
		const late = await openSynced('secretaris', caseDoc);
		expect(caseTextOf(late.doc, 'moet_gebeuren').toString()).toBe('Situatie volgens de voorzitter. Later.');
		expect(caseTextOf(late.doc, 'wens').toString()).toBe('');

		// the database never saw them, neither in the log while loaded ...
		const stored = () => rawStoredBytes(db, caseDoc).toString('latin1');
		expect(logRows(caseDoc)).toBeGreaterThan(0);
		expect(stored()).not.toContain('WAARNEMER');
		// ... nor in the snapshot once everyone has left and the document is unloaded
		pool.closeDocs();
		await unloaded(caseDoc);
		expect(stored()).not.toContain('WAARNEMER');
		const fromDb = docFromDatabase(db, caseDoc).doc;
		expect(caseTextOf(fromDb, 'moet_gebeuren').toString()).toBe('Situatie volgens de voorzitter. Later.');
		expect(caseTextOf(fromDb, 'wens').toString()).toBe('');
	});
});

describe('who may connect', () => {
	it('no access, no such document, no session and a nonsense name are all refused, with nothing sent first', async () => {
		const refused = await Promise.all([
			open('geen-toegang', caseDoc), // member of the table, organisation without access
			open('voorzitter', 'case:999999'), // does not exist
			open(null, caseDoc), // no cookie
			open('voorzitter', 'bestanden:1'), // not a document name
			open('voorzitter', 'case:0'),
			open('voorzitter', 'case:abc')
		]);
		const bogus = pool.docWithCookie('casustafel_sessie=niet-geldig', caseDoc);
		refused.push(bogus);

		const codes = await Promise.all(refused.map((c) => c.closed.then((e) => e.code)));
		expect(codes).toEqual([4403, 4403, 4401, 4403, 4403, 4403, 4401]);

		// "no access" and "does not exist" cannot be told apart
		const [noAccess, missing] = await Promise.all([refused[0]!.closed, refused[1]!.closed]);
		expect(noAccess).toEqual(missing);

		// the stock client treats 44xx as final: no reconnect loop, and not a byte of the case
		await sleep(600);
		for (const c of refused) {
			expect(c.closes).toHaveLength(1);
			expect(c.provider.wsconnected).toBe(false);
			expect(c.provider.synced).toBe(false);
			expect(Y.encodeStateVector(c.doc)).toEqual(Y.encodeStateVector(new Y.Doc()));
		}
		const pieter = user(db, email('geen-toegang')).id;
		expect(count("select count(*) as n from audit_log where action = 'case.document.open' and user_id = ?", pieter)).toBe(0);
	});
});

describe('audit', () => {
	it('opening a case document is recorded per user and session, with the access they got; opening it again counts', async () => {
		const fatima = user(db, email('deelnemer')).id;
		const lotte = user(db, email('waarnemer')).id;
		const rows = (userId: number) =>
			db
				.prepare("select a.case_id, a.detail, n.count from audit_log a join audit_counts n on n.audit_id = a.id where a.action = 'case.document.open' and a.user_id = ? order by a.id")
				.all(userId) as { case_id: number; detail: string; count: number }[];
		// both sessions opened the case document before (fatima) or not at all (lotte)
		const before = { fatima: rows(fatima), lotte: rows(lotte) };

		await openSynced('deelnemer', caseDoc);
		await openSynced('waarnemer', caseDoc);

		// one row per session and document: a session that had it open already only counts on
		expect(rows(fatima)).toHaveLength(Math.max(1, before.fatima.length));
		expect(rows(fatima).at(-1)).toEqual({ case_id: t150, detail: JSON.stringify({ access: 'write' }), count: (before.fatima.at(-1)?.count ?? 0) + 1 });
		expect(rows(lotte)).toHaveLength(Math.max(1, before.lotte.length));
		expect(rows(lotte).at(-1)).toMatchObject({ case_id: t150, detail: JSON.stringify({ access: 'read' }) });

		// a meeting document is no case file: recorded as a meeting document, not as case.document.open
		const total = count("select count(*) as n from audit_log where action = 'case.document.open'");
		const meetingOpens = count("select count(*) as n from audit_log where action = 'meeting.document.open' and user_id = ?", fatima);
		await openSynced('deelnemer', meetingDoc);
		expect(count("select count(*) as n from audit_log where action = 'case.document.open'")).toBe(total);
		expect(count("select count(*) as n from audit_log where action = 'meeting.document.open' and user_id = ? and meeting_id = ?", fatima, meetingId)).toBe(Math.max(1, meetingOpens));
	});
});

describe('unloading', () => {
	it('when the last client leaves, the log is compacted into a snapshot and reopening shows the same', async () => {
		const chair = await openSynced('voorzitter', otherCaseDoc);
		const secretary = await openSynced('secretaris', otherCaseDoc);
		caseTextOf(chair.doc, 'afspraken').insert(0, 'Wijkagent belt maandag.');
		caseTextOf(secretary.doc, 'zorgen').insert(0, 'Schulden lopen op.');
		await waitFor('both edits everywhere', () =>
			[chair, secretary].every(
				(c) =>
					caseTextOf(c.doc, 'afspraken').toString() === 'Wijkagent belt maandag.' &&
					caseTextOf(c.doc, 'zorgen').toString() === 'Schulden lopen op.'
			)
		);
		const expected = Y.encodeStateVector(chair.doc);
		expect(logRows(otherCaseDoc)).toBeGreaterThan(0);

		// one leaves: the document stays loaded, nothing compacted yet
		secretary.destroy();
		await sleep(200);
		expect(logRows(otherCaseDoc)).toBeGreaterThan(0);

		chair.destroy();
		await unloaded(otherCaseDoc);
		const fromDb = docFromDatabase(db, otherCaseDoc);
		expect(fromDb.updates).toBe(0);
		expect(caseTextOf(fromDb.doc, 'afspraken').toString()).toBe('Wijkagent belt maandag.');
		expect(caseTextOf(fromDb.doc, 'zorgen').toString()).toBe('Schulden lopen op.');

		const again = await openSynced('secretaris', otherCaseDoc);
		expect(caseTextOf(again.doc, 'afspraken').toString()).toBe('Wijkagent belt maandag.');
		expect(caseTextOf(again.doc, 'zorgen').toString()).toBe('Schulden lopen op.');
		expect(Y.encodeStateVector(again.doc)).toEqual(expected);
	});
});

describe('malformed input', () => {
	it('a malformed binary message closes only that connection (4400); the document is unchanged for others', async () => {
		const member = await openSynced('deelnemer', caseDoc);
		const text = caseTextOf(member.doc, 'plan');
		const rowsBefore = logRows(caseDoc);
		text.insert(0, 'Afspraak staat.');
		await waitFor('the edit to be stored', () => logRows(caseDoc) > rowsBefore);
		const before = member.doc.getText('plan').toString();

		const chairCookie = await as('voorzitter');
		const malformed: number[][] = [
			[], // empty frame
			[7], // unknown message type
			[0, 9], // unknown sync message
			[0, 2, 5, 1, 2, 3, 4, 5], // an "update" that is no Yjs update
			[0, 2, 0xff, 0xff, 0x03, 1, 2], // length beyond the frame
			[1, 3, 0xff, 0xff, 0xff] // broken awareness update
		];
		const results = await Promise.all(
			malformed.map(async (bytes, i) => {
				const raw = rawDocSocket(server.url, caseDoc, chairCookie);
				await raw.opened;
				// half of them right away (queued during the session check), half after the server's first message
				if (i % 2 === 1) await waitFor('the server to greet', () => raw.messages.length > 0);
				raw.ws.send(new Uint8Array(bytes));
				return raw.closed;
			})
		);
		expect(results.map((r) => r.code)).toEqual(malformed.map(() => 4400));

		// the other writer is still connected, undisturbed, and can go on
		expect(member.provider.wsconnected).toBe(true);
		expect(member.closes).toEqual([]);
		expect(text.toString()).toBe(before);
		text.insert(text.length, ' Nog steeds.');
		const late = await openSynced('voorzitter', caseDoc);
		await waitFor('the later edit', () => caseTextOf(late.doc, 'plan').toString() === 'Afspraak staat. Nog steeds.');

		// nothing of the garbage got into the document: its state is exactly the member's
		expect(Y.encodeStateVector(late.doc)).toEqual(Y.encodeStateVector(member.doc));
		const fromDb = docFromDatabase(db, caseDoc).doc;
		expect(caseTextOf(fromDb, 'plan').toString()).toBe('Afspraak staat. Nog steeds.');
	});
});

describe('meeting document', () => {
	it('members read, the chair writes; once the meeting is closed, the chair is read-only too', async () => {
		const chair = await openSynced('voorzitter', meetingDoc);
		const member = await openSynced('deelnemer', meetingDoc);
		const chairNotes = meetingNotesOf(chair.doc);
		const memberNotes = meetingNotesOf(member.doc);

		chairNotes.insert(0, 'Opening door de voorzitter.');
		await waitFor('the member to see the notes', () => memberNotes.toString() === 'Opening door de voorzitter.');

		// a deelnemer may read the meeting document but not write it
		memberNotes.insert(0, 'DEELNEMER-NOTITIE ');
		await sleep(300);
		chairNotes.insert(chairNotes.length, ' Punt 1.');
		await waitFor('the member to see the next note', () => memberNotes.toString().endsWith(' Punt 1.'));
		expect(chairNotes.toString()).toBe('Opening door de voorzitter. Punt 1.');

		// the chair closes the meeting over socket.io
		const socket = await pool.connect('voorzitter');
		const closed = await emitAck<MeetingState>(socket, 'meeting:close', { meetingId });
		expect(closed).toMatchObject({ ok: true, data: { meetingId, status: 'gesloten' } });

		// the chair's open connection is now read-only: the edit stays on the chair's screen only
		chairNotes.insert(chairNotes.length, ' NA-SLUITING');
		// and a fresh connection of the chair is read-only from the start
		const chairAgain = await openSynced('voorzitter', meetingDoc);
		meetingNotesOf(chairAgain.doc).insert(0, 'OOK-NA-SLUITING ');
		await sleep(400);

		// (the member's replica still shows the member's own dropped note: only its author sees it)
		expect(memberNotes.toString()).toBe('DEELNEMER-NOTITIE Opening door de voorzitter. Punt 1.');
		const late = await openSynced('secretaris', meetingDoc);
		expect(meetingNotesOf(late.doc).toString()).toBe('Opening door de voorzitter. Punt 1.');

		pool.closeDocs();
		await unloaded(meetingDoc);
		const stored = rawStoredBytes(db, meetingDoc).toString('latin1');
		expect(stored).not.toContain('NA-SLUITING');
		expect(stored).not.toContain('DEELNEMER-NOTITIE');
		expect(meetingNotesOf(docFromDatabase(db, meetingDoc).doc).toString()).toBe('Opening door de voorzitter. Punt 1.');
	});

	it('shows each participant under the name the server knows, and nobody can speak for another participant', async () => {
		const chair = await openSynced('voorzitter', otherCaseDoc);
		const other = await openSynced('geen-toegang', otherCaseDoc);
		const watcher = await openSynced('secretaris', otherCaseDoc);
		const nameOf = (clientId: number) =>
			(watcher.provider.awareness.getStates().get(clientId) as { user?: { name?: string } } | undefined)?.user?.name;

		// Pieter claims to be the chair in his own presence state
		other.provider.awareness.setLocalStateField('user', { name: 'Hanna de Vries', organisation: 'Zorg- en Veiligheidshuis Voorbeeld' });
		chair.provider.awareness.setLocalStateField('field', 'situatie');
		await waitFor('the watcher to see both presences', () => nameOf(other.doc.clientID) !== undefined && nameOf(chair.doc.clientID) !== undefined);
		expect(nameOf(other.doc.clientID)).toBe('Pieter Smit');
		expect(nameOf(chair.doc.clientID)).toBe('Hanna de Vries');

		// and he tries to erase the chair's presence with an update for the chair's client id
		const forged = new Awareness(new Y.Doc());
		forged.states.set(chair.doc.clientID, { user: { name: 'Weg' } });
		forged.meta.set(chair.doc.clientID, { clock: 1000, lastUpdated: Date.now() });
		removeAwarenessStates(forged, [chair.doc.clientID], null);
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, 1); // y-websocket: awareness message
		encoding.writeVarUint8Array(encoder, encodeAwarenessUpdate(forged, [chair.doc.clientID]));
		other.provider.ws!.send(encoding.toUint8Array(encoder));
		await sleep(400);
		expect(nameOf(chair.doc.clientID)).toBe('Hanna de Vries');
	});

	it('keeps the minutes of a bespreking with the access of the case, and freezes them when the meeting closes', async () => {
		// another planned Top 150 meeting than the one the meeting-document test closes
		const laterId = meetingsOf(db, 'Top 150 Regio Voorbeeld').at(-1)!;
		expect(laterId).not.toBe(meetingId);
		const minutes = `bespreking:${laterId}:${t150}`;

		// a deelnemer whose organisation has access writes the minutes; the Politie deelnemer is refused
		const writer = await openSynced('deelnemer', minutes);
		const refused = await open('geen-toegang', minutes);
		expect((await refused.closed).code).toBe(4403);
		// a case of another table cannot be paired with this meeting
		const mda = caseId(db, 'MDA-2026-001');
		const mismatched = await open('voorzitter', `bespreking:${laterId}:${mda}`);
		expect((await mismatched.closed).code).toBe(4403);

		writer.doc.getText('verslag').insert(0, 'Afgesproken: huisbezoek.');
		const reader = await openSynced('voorzitter', minutes);
		await waitFor('the chair to see the minutes', () => reader.doc.getText('verslag').toString() === 'Afgesproken: huisbezoek.');

		const socket = await pool.connect('voorzitter');
		expect(await emitAck(socket, 'meeting:close', { meetingId: laterId })).toMatchObject({ ok: true });

		writer.doc.getText('verslag').insert(0, 'NA-SLUITING ');
		await sleep(400);
		expect(reader.doc.getText('verslag').toString()).toBe('Afgesproken: huisbezoek.');
		// the case document itself stays open for follow-up
		const caseWriter = await openSynced('deelnemer', caseDoc);
		caseTextOf(caseWriter.doc, 'situatie').insert(0, 'Vervolg na het overleg. ');
		await waitFor('the case edit to be stored', () => count('select count(*) as n from doc_updates where doc_name = ?', caseDoc) > 0);
	});

	it('merges what a laptop typed while offline when its connection returns', async () => {
		const online = await openSynced('voorzitter', caseDoc);
		const laptop = await openSynced('deelnemer', caseDoc);
		// a goal text no other test touches, so the expected merge is exact
		const onlineText = online.doc.getText('doel:Offline');
		const laptopText = laptop.doc.getText('doel:Offline');
		onlineText.insert(0, 'Start. ');
		await waitFor('the laptop to have the start', () => laptopText.toString() === 'Start. ');

		laptop.provider.disconnect(); // the meeting room wifi drops
		laptopText.insert(laptopText.length, 'Offline getypt.');
		onlineText.insert(0, 'Intussen online. ');
		await sleep(300);
		expect(onlineText.toString()).toBe('Intussen online. Start. ');

		laptop.provider.connect();
		const merged = 'Intussen online. Start. Offline getypt.';
		await waitFor('both to converge', () => onlineText.toString() === merged && laptopText.toString() === merged);
	});
});
