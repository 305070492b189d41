import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { JoinResult, MeetingState } from '../../src/lib/shared/live';
import { addAgendaItem, addDecision, besprekingDocName, readAgenda, readDecisions } from '../../src/lib/shared/documents';
import { caseId, openShared, tableId, type SharedDb } from './helpers/db';
import {
	connectDoc,
	connectLive,
	docFromDatabase,
	emitAck,
	liveConnected,
	rawDocSocket,
	rawStoredBytes,
	sleep,
	waitFor,
	type DocClient,
	type LiveSocket
} from './helpers/realtime';
import { request, startServer, demoLogins, type TestServer } from './helpers/server';

/**
 * One rule for case content (issue 13): what is said about a case in a meeting reaches only the
 * members who may see that case, on every transport. The police deelnemer of the demo
 * (geen-toegang@, Politie Eenheid Voorbeeld) sits at the Top 150 table without access to
 * T150-2026-014; the Sociaal Team deelnemer has access. The chair records a decision at 014's
 * agenda item and closes it with a reason; everything that reaches the police laptop (every
 * byte of the meeting document's websocket, the document a stock y-websocket provider builds,
 * every socket.io event, the page data and the verslag) is searched for both texts.
 */
let server: TestServer;
let db: SharedDb;
const as = demoLogins(() => server);
const opened: { destroy(): void }[] = [];

const DECISION = 'CANARY-besluit-014 het OM wacht met vervolging zolang de schuldhulp loopt';
const REASON = 'CANARY-reden-014 het plan volgt na de intake bij de verslavingszorg';
const GENERAL = 'Besluit rondvraag: de volgende tafel is in de raadszaal';

async function openDoc(who: string, name: string): Promise<DocClient> {
	const client = connectDoc(server.url, name, await as(who));
	opened.push(client);
	await client.synced;
	return client;
}

/** A socket.io client in the meeting that keeps every event it receives, payload as JSON. */
async function listener(who: string, meetingId: number): Promise<{ socket: LiveSocket; events: string[]; join: JoinResult }> {
	const socket = connectLive(server.url, await as(who));
	opened.push({ destroy: () => socket.disconnect() });
	const events: string[] = [];
	socket.onAny((event: string, ...args: unknown[]) => events.push(`${event} ${JSON.stringify(args)}`));
	await liveConnected(socket);
	const reply = await emitAck<JoinResult>(socket, 'meeting:join', { meetingId });
	if (!reply.ok) throw new Error(`${who} could not join: ${reply.code}`);
	events.push(`join ${JSON.stringify(reply.data)}`);
	return { socket, events, join: reply.data };
}

const latin1 = (chunks: Uint8Array[]) => Buffer.concat(chunks.map((c) => Buffer.from(c))).toString('latin1');
/** the first words of a canary: enough to find it in Yjs bytes, where a string is stored whole */
const head = (text: string) => text.slice(0, 24);

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	await Promise.all(['voorzitter', 'deelnemer', 'geen-toegang'].map(as));
});
afterAll(async () => {
	for (const o of opened.splice(0)) o.destroy();
	db?.close();
	await server?.stop();
});

describe('a decision and a closure reason about T150-2026-014 in a meeting where the police sit without access', () => {
	let meetingId: number;
	let c014: number;
	let itemId: string;
	let police: { meeting: DocClient; raw: ReturnType<typeof rawDocSocket>; live: Awaited<ReturnType<typeof listener>> };
	let member: { meeting: DocClient; bespreking: DocClient; live: Awaited<ReturnType<typeof listener>> };
	let chairMeeting: DocClient;

	beforeAll(async () => {
		meetingId = (
			db
				.prepare("select id from meetings where case_table_id = ? and status = 'gepland' order by starts_at limit 1")
				.get(tableId(db, 'Top 150 Regio Voorbeeld')) as { id: number }
		).id;
		c014 = caseId(db, 'T150-2026-014');

		// the chair's laptop puts 014 and the rondvraag on the agenda
		chairMeeting = await openDoc('voorzitter', `meeting:${meetingId}`);
		itemId = addAgendaItem(chairMeeting.doc, { caseId: c014, caseCode: 'T150-2026-014', title: 'Terugkomcasus', plannedMinutes: 15, status: 'gepland' });
		const rondvraag = addAgendaItem(chairMeeting.doc, { caseId: null, caseCode: null, title: 'Rondvraag', plannedMinutes: 5, status: 'gepland' });
		await waitFor('the agenda to be stored', () => readAgenda(docFromDatabase(db, `meeting:${meetingId}`).doc).length >= 2);

		// the police laptop: a stock provider, a raw websocket that keeps every byte, socket.io
		const cookie = await as('geen-toegang');
		const raw = rawDocSocket(server.url, `meeting:${meetingId}`, cookie);
		opened.push({ destroy: () => raw.ws.close() });
		await raw.opened;
		police = { meeting: await openDoc('geen-toegang', `meeting:${meetingId}`), raw, live: await listener('geen-toegang', meetingId) };
		member = {
			meeting: await openDoc('deelnemer', `meeting:${meetingId}`),
			bespreking: await openDoc('deelnemer', besprekingDocName(meetingId, c014)),
			live: await listener('deelnemer', meetingId)
		};
		const chair = await listener('voorzitter', meetingId);

		// the chair records the decisions the way the meeting page does: each where it belongs
		const chairBespreking = await openDoc('voorzitter', besprekingDocName(meetingId, c014));
		addDecision(chairBespreking.doc, itemId, DECISION);
		addDecision(chairMeeting.doc, rondvraag, GENERAL);
		await waitFor('the decision to reach the member with access', () => readDecisions(member.bespreking.doc).some((d) => d.text === DECISION));
		await waitFor('the general decision to reach the police', () => readDecisions(police.meeting.doc).some((d) => d.text === GENERAL));

		// 014's template is not met yet: the chair closes it anyway, with a reason
		const refused = await emitAck<MeetingState>(chair.socket, 'item:close', { meetingId, itemId });
		expect(refused).toMatchObject({ ok: false, code: 'CONFLICT', fields: { templateReason: expect.any(String) } });
		const closed = await emitAck<MeetingState>(chair.socket, 'item:close', { meetingId, itemId, templateReason: REASON, regieReason: REASON });
		expect(closed.ok).toBe(true);
		// the chair sees the reason in the answer
		expect(JSON.stringify(closed)).toContain(REASON);
		await waitFor('the member to hear of the closure with its reason', () => member.live.events.some((e) => e.startsWith('meeting:state') && e.includes(REASON)));
		await waitFor('the police to hear that the item closed', () =>
			police.live.events.some((e) => e.startsWith('meeting:state') && e.includes(itemId))
		);
		// and the agenda's status change (after the closure) has reached the police's document
		await waitFor('the item to be besproken for the police', () => readAgenda(police.meeting.doc).find((i) => i.id === itemId)?.status === 'besproken');
	});

	it('the member with access reads the decision in the bespreking document and the reason in the meeting state', () => {
		expect(readDecisions(member.bespreking.doc).map((d) => d.text)).toEqual([DECISION]);
		const state = member.live.events.filter((e) => e.startsWith('meeting:state')).at(-1)!;
		expect(state).toContain(REASON);
	});

	it('no byte of the meeting document that reaches the police laptop holds the decision; the general decision does reach it', () => {
		const bytes = latin1(police.raw.messages);
		expect(bytes).toContain(head(GENERAL));
		expect(bytes).not.toContain(head(DECISION));
		const state = latin1([Y.encodeStateAsUpdate(police.meeting.doc)]);
		expect(state).not.toContain(head(DECISION));
		expect(readDecisions(police.meeting.doc).map((d) => d.text)).toEqual([GENERAL]);
		// nor the stored meeting document, which every member can download
		expect(latin1([Y.encodeStateAsUpdate(docFromDatabase(db, `meeting:${meetingId}`).doc)])).not.toContain(head(DECISION));
	});

	it('no socket.io event to the police holds the reason or the decision, while the closure itself (agenda data) does reach them', () => {
		const events = police.live.events;
		expect(events.some((e) => e.startsWith('meeting:state'))).toBe(true);
		for (const e of events) {
			expect(e).not.toContain(REASON);
			expect(e).not.toContain(head(DECISION));
		}
		const last = JSON.parse(events.filter((e) => e.startsWith('meeting:state')).at(-1)!.slice('meeting:state '.length))[0] as MeetingState;
		expect(last.closedItems.find((c) => c.itemId === itemId)).toMatchObject({ templateReason: null, regieReason: null, templateMissing: [] });
	});

	it('joining again, the police get the state without the reason; the bespreking document stays closed to them', async () => {
		const again = await listener('geen-toegang', meetingId);
		expect(JSON.stringify(again.join)).not.toContain(REASON);
		expect(again.join.state.closedItems.some((c) => c.itemId === itemId)).toBe(true);
		const refused = connectDoc(server.url, besprekingDocName(meetingId, c014), await as('geen-toegang'));
		opened.push(refused);
		expect((await refused.closed).code).toBe(4403);
	});

	it('the meeting page, the shared screen (their __data.json) and the verslag hold neither text for the police; the verslag holds the decision for the member', async () => {
		const policeCookie = await as('geen-toegang');
		for (const path of [`/overleg/${meetingId}/__data.json`, `/overleg/${meetingId}/scherm/__data.json`, `/overleg/${meetingId}`, `/overleg/${meetingId}/verslag`]) {
			const reply = await request(server.url, path, { cookie: policeCookie });
			expect(reply.status, path).toBe(200);
			for (const text of [REASON, DECISION, 'Rens Verzonnen', 'vier keer aangehouden']) expect(reply.body, `${path}: ${text}`).not.toContain(text);
		}
		const verslag = await request(server.url, `/overleg/${meetingId}/verslag`, { cookie: await as('deelnemer') });
		expect(verslag.body).toContain(DECISION);
		expect(verslag.body).toContain(REASON);
		expect(verslag.body).toContain(GENERAL);
	});

	it('a case decision that a page from before this release still writes into the meeting document is refused (4400): it never reaches the police laptop nor the store', async () => {
		const STALE = 'CANARY-oud-014 besluit van een laptop met de oude pagina';
		addDecision(chairMeeting.doc, itemId, STALE);
		const code = await Promise.race([chairMeeting.closed.then((c) => c.code), sleep(3_000).then(() => 'open')]);
		expect(code).toBe(4400);
		await sleep(200);
		expect(readDecisions(police.meeting.doc).map((d) => d.text)).toEqual([GENERAL]);
		expect(rawStoredBytes(db, `meeting:${meetingId}`).toString('latin1')).not.toContain(STALE.slice(0, 20));
		expect(readDecisions(member.bespreking.doc).map((d) => d.text)).toEqual([DECISION]);
	});
});
