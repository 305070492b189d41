import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JoinResult, MeetingState } from '../../src/lib/shared/live';
import {
	addAction,
	addAgendaItem,
	addDecision,
	besprekingDocName,
	caseTextOf,
	meetingNotesOf,
	readActions,
	updateAction
} from '../../src/lib/shared/documents';
import { caseId, openShared, tableId, type SharedDb } from './helpers/db';
import {
	connectDoc,
	connectLive,
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
import { demoEmail, login, startServer, type TestServer } from './helpers/server';
import { DEMO_PASSWORD } from '../../src/lib/server/seed/demo';

/**
 * A long meeting day, compressed (issue 6, item 7): one server, eight laptops (each a socket.io
 * client on `/live` and y-websocket clients for the documents), fifteen agenda items. For every
 * item the chair moves the current item and works the timer, every laptop tries to open the
 * case document (those without access are refused), the ones let in type 150 edits into its
 * texts and add and update an action, two laptops leave and rejoin the meeting (one by closing its socket, as a laptop lid does), a decision goes into the case's bespreking
 * document, and everyone closes the case document again, so the server unloads and compacts it.
 *
 * The server's resident memory is read from /proc/<pid>/status (VmRSS) after every item; nothing
 * is added to the production server for it. After a warm-up of three items it must stay flat:
 * the last sample within 40 MB of the level after warm-up.
 */
const ITEMS = 15;
const WARM_UP = 3;
/** edits typed into the case per agenda item, spread over the laptops let in */
const EDITS = 150;
const MAX_GROWTH_MB = 40;

let server: TestServer;
let db: SharedDb;
let meetingId: number;
const cases: number[] = [];

interface Laptop {
	who: string;
	cookie: string;
	live: LiveSocket;
	/** may write the case documents of this table */
	writes: boolean;
}
const laptops: Laptop[] = [];
const docs: DocClient[] = [];

const rssMb = () => {
	const status = fs.readFileSync(`/proc/${server.pid}/status`, 'utf8');
	const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
	return Math.round((kb / 1024) * 10) / 10;
};
const updateRows = (docName: string) =>
	(db.prepare('select count(*) as n from doc_updates where doc_name = ?').get(docName) as { n: number }).n;
const hasSnapshot = (docName: string) =>
	db.prepare('select 1 from doc_snapshots where doc_name = ?').get(docName) !== undefined;

async function liveSocket(cookie: string) {
	const socket = connectLive(server.url, cookie);
	await liveConnected(socket);
	return socket;
}
async function join(socket: LiveSocket) {
	const reply = await emitAck<JoinResult>(socket, 'meeting:join', { meetingId });
	if (!reply.ok) throw new Error(`meeting:join: ${reply.code}`);
}
async function chairCommand(event: string, payload: Record<string, unknown>) {
	const reply = await emitAck<MeetingState>(laptops[0]!.live, event, { meetingId, ...payload });
	if (!reply.ok) throw new Error(`${event}: ${reply.code}`);
	return reply.data;
}

beforeAll(async () => {
	if (!fs.existsSync('/proc/self/status')) throw new Error('the soak test reads /proc (Linux only)');
	server = await startServer();
	db = openShared(server.dbFile);
	for (const code of ['T150-2026-014', 'T150-2026-015', 'T150-2026-016']) cases.push(caseId(db, code));
	meetingId = (
		db
			.prepare("select id from meetings where case_table_id = ? and status = 'gepland' order by starts_at limit 1")
			.get(tableId(db, 'Top 150 Regio Voorbeeld')) as { id: number }
	).id;
	// eight laptops: the chair first; the secretaris and a deelnemer each on two devices
	const who: [string, boolean][] = [
		['voorzitter', true],
		['secretaris', true],
		['secretaris', true],
		['deelnemer', true],
		['deelnemer', true],
		['waarnemer', false],
		['geen-toegang', true],
		['tom', true]
	];
	for (const [local, writes] of who) {
		const cookie = await login(server.url, demoEmail(local), DEMO_PASSWORD);
		laptops.push({ who: local, cookie, writes, live: await liveSocket(cookie) });
	}
});

afterAll(async () => {
	for (const l of laptops.splice(0)) l.live.disconnect();
	for (const d of docs.splice(0)) d.destroy();
	db?.close();
	await server?.stop();
});

describe('a compressed meeting day', () => {
	it('keeps the server memory flat over fifteen agenda items with eight laptops', async () => {
		const started = Date.now();
		const random = seeded(15);
		for (const l of laptops) await join(l.live);

		// the chair prepares the agenda in the meeting document and opens the meeting
		const meetingDoc = `meeting:${meetingId}`;
		const chairDoc = connectDoc(server.url, meetingDoc, laptops[0]!.cookie);
		const secretarisMeeting = connectDoc(server.url, meetingDoc, laptops[1]!.cookie);
		docs.push(chairDoc, secretarisMeeting);
		await Promise.all([chairDoc.synced, secretarisMeeting.synced]);
		const codes = ['T150-2026-014', 'T150-2026-015', 'T150-2026-016'];
		const items: string[] = [];
		for (let i = 0; i < ITEMS; i++) {
			const k = i % cases.length;
			items.push(
				addAgendaItem(chairDoc.doc, { caseId: cases[k]!, caseCode: codes[k]!, title: `Bespreking ${i + 1}`, plannedMinutes: 10, status: 'gepland' })
			);
		}
		await chairCommand('meeting:open', {});

		const samples: number[] = [];
		let edits = 0;
		let actionsAdded = 0;
		let reopenedSockets = 0;
		let refused = 0;
		for (let i = 0; i < ITEMS; i++) {
			const caseDoc = `case:${cases[i % cases.length]}`;
			// the chair moves on and works the timer
			await chairCommand('meeting:current', { itemId: items[i] });
			await chairCommand('meeting:timer', { action: 'start' });
			await chairCommand('meeting:timer', { action: 'extend', minutes: 2 });
			await chairCommand('meeting:timer', { action: 'pause' });

			// every laptop tries to open the case: those whose organisation has access get it, the
			// others are refused (4403) and stay out of it; every laptop let in but the waarnemer's writes
			const tried = laptops.map((l) => ({ laptop: l, client: connectDoc(server.url, caseDoc, l.cookie) }));
			const outcome = await Promise.all(tried.map((o) => Promise.race([o.client.synced.then(() => true), o.client.closed.then(() => false)])));
			const open = tried.filter((_, n) => outcome[n]);
			for (const o of tried.filter((_, n) => !outcome[n])) o.client.destroy();
			docs.push(...open.map((o) => o.client));
			refused += tried.length - open.length;
			const writers = open.filter((o) => o.laptop.writes);
			const fields = ['situatie', 'zorgen', 'afspraken'] as const;
			for (let n = 0; n < EDITS; n++) {
				const w = writers[n % writers.length]!;
				insertToken(caseTextOf(w.client.doc, fields[n % fields.length]!), `<i${i}:${n}>`, random);
				edits++;
				if (n % 8 === 7) await sleep(1);
			}
			const secretaris = writers.find((o) => o.laptop.who === 'secretaris')!.client.doc;
			const actionId = addAction(secretaris, {
				text: `Actie bij punt ${i + 1}`,
				actiehouderId: null,
				actiehouderName: 'Wijkteam',
				organisationId: null,
				organisationName: 'Sociaal Team',
				deadline: '2026-12-31',
				status: 'open',
				leefgebied: 'wonen'
			});
			updateAction(secretaris, actionId, { status: 'bezig' });
			actionsAdded++;
			insertToken(meetingNotesOf(chairDoc.doc), `<notitie ${i}>`, random);
			// a decision about a case goes where the case's access governs it, as the meeting page puts it
			const bespreking = connectDoc(server.url, besprekingDocName(meetingId, cases[i % cases.length]!), laptops[0]!.cookie);
			docs.push(bespreking);
			await bespreking.synced;
			addDecision(bespreking.doc, items[i]!, `Besluit bij punt ${i + 1}`);

			// presence: one laptop leaves the meeting and comes back; another closes its lid
			const leaver = laptops[6]!;
			expect(await emitAck(leaver.live, 'meeting:leave', { meetingId })).toMatchObject({ ok: true });
			await join(leaver.live);
			const lid = laptops[7]!;
			lid.live.disconnect();
			lid.live = await liveSocket(lid.cookie);
			await join(lid.live);
			reopenedSockets++;

			// everyone has everything before the case is closed again
			const reader = open.at(-1)!.client.doc;
			await waitFor(
				`item ${i + 1}: every laptop to have the same case`,
				() =>
					open.every((o) =>
						fields.every((f) => caseTextOf(o.client.doc, f).toString() === caseTextOf(reader, f).toString())
					) &&
					fields.reduce((sum, f) => sum + tokens(caseTextOf(reader, f).toString()).filter((t) => t.startsWith(`<i${i}:`)).length, 0) === EDITS &&
					readActions(reader).some((a) => a.id === actionId && a.status === 'bezig'),
				10_000
			);
			for (const o of open) {
				o.client.destroy();
				docs.splice(docs.indexOf(o.client), 1);
			}
			// the server unloads the document and compacts its log into a snapshot
			await waitFor(`item ${i + 1}: the case document to be unloaded and compacted`, () => updateRows(caseDoc) === 0 && hasSnapshot(caseDoc), 10_000);
			await chairCommand('meeting:timer', { action: 'reset' });
			samples.push(rssMb());
		}
		await waitFor('the meeting notes to reach the secretaris', () => tokens(meetingNotesOf(secretarisMeeting.doc).toString()).length === ITEMS);

		const afterWarmUp = samples[WARM_UP - 1]!;
		const end = samples.at(-1)!;
		const peak = Math.max(...samples);
		const seconds = ((Date.now() - started) / 1000).toFixed(1);
		console.log(
			`soak test: ${laptops.length} laptops, ${ITEMS} items, ${edits} case edits, ${actionsAdded} actions, ` +
				`${reopenedSockets} sockets reopened, ${ITEMS} case documents loaded and unloaded (${refused} refused openings); server RSS after warm-up ` +
				`${afterWarmUp} MB, at the end ${end} MB (${(end - afterWarmUp).toFixed(1)} MB), peak ${peak} MB, ${seconds} s; ` +
				`samples ${samples.join(' ')}`
		);
		expect(end - afterWarmUp).toBeLessThan(MAX_GROWTH_MB);

		// the meeting document is unloaded too once its last client leaves
		for (const c of [chairDoc, secretarisMeeting]) {
			c.destroy();
			docs.splice(docs.indexOf(c), 1);
		}
		await waitFor('the meeting document to be unloaded and compacted', () => updateRows(meetingDoc) === 0 && hasSnapshot(meetingDoc), 10_000);
		for (const k of cases) expect(updateRows(`case:${k}`)).toBe(0);
	}, 60_000);
});
