import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addAgendaItem, readAgenda } from '../../src/lib/shared/documents';
import type { CarryResult } from '../../src/lib/shared/live';
import { caseId, meetingsOf, openShared, type SharedDb } from './helpers/db';
import { connectDoc, connectLive, emitAck, liveConnected, waitFor, type DocClient, type LiveSocket } from './helpers/realtime';
import { demoLogins, startServer, type TestServer } from './helpers/server';

/**
 * Carrying an agenda item to the table's next meeting ("Doorschuiven naar volgende overleg",
 * issue 14 item 2) over socket.io: only the voorzitter and secretaris may; the item is marked in
 * this meeting and appended to the next planned one; a case item carries its code, never a title.
 * Top 150 has a closed meeting 14 days ago and planned ones in 3 and 17 days. Real server, real
 * socket.io clients, real documents.
 */
let server: TestServer;
let db: SharedDb;
let closedMeeting: number;
let meeting: number;
let nextMeeting: number;
let case014: number;
const items: Record<string, string> = {};
const as = demoLogins(() => server);
const TABLE = 'Top 150 Regio Voorbeeld';
const NOT_FOUND = { ok: false, code: 'NOT_FOUND', message: 'Deze pagina bestaat niet of u hebt er geen toegang toe.' };

const sockets: LiveSocket[] = [];
const docs: DocClient[] = [];
async function connect(who: string): Promise<LiveSocket> {
	const socket = connectLive(server.url, await as(who));
	sockets.push(socket);
	await liveConnected(socket);
	return socket;
}
async function agendaOf(meetingId: number) {
	const client = connectDoc(server.url, `meeting:${meetingId}`, await as('voorzitter'));
	docs.push(client);
	await client.synced;
	return client;
}
const carry = async (who: string, meetingId: number, itemId: string) => emitAck<CarryResult>(await connect(who), 'item:carry', { meetingId, itemId });
const auditCount = () => (db.prepare("select count(*) as n from audit_log where action = 'meeting.item_carry'").get() as { n: number }).n;

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	case014 = caseId(db, 'T150-2026-014');
	[meeting, nextMeeting] = meetingsOf(db, TABLE) as [number, number];
	closedMeeting = meetingsOf(db, TABLE, 'gesloten')[0]!;
	await Promise.all(['voorzitter', 'secretaris', 'deelnemer', 'waarnemer', 'geen-toegang', 'beheerder'].map(as));
	const agenda = await agendaOf(meeting);
	items.mededelingen = addAgendaItem(agenda.doc, { caseId: null, caseCode: null, title: 'Mededelingen', plannedMinutes: 10, status: 'gepland' });
	items.case014 = addAgendaItem(agenda.doc, { caseId: case014, caseCode: 'T150-2026-014', title: '', plannedMinutes: 20, status: 'gepland' });
	items.rondvraag = addAgendaItem(agenda.doc, { caseId: null, caseCode: null, title: 'Rondvraag', plannedMinutes: 5, status: 'gepland' });
	const last = await agendaOf(nextMeeting);
	items.evaluatie = addAgendaItem(last.doc, { caseId: null, caseCode: null, title: 'Evaluatie', plannedMinutes: 5, status: 'gepland' });
	await waitFor('the agendas to be stored', () => {
		const n = (id: number) => (db.prepare('select count(*) as n from agenda_rows where meeting_id = ?').get(id) as { n: number }).n;
		return n(meeting) === 3 && n(nextMeeting) === 1;
	});
});

afterEach(() => {
	for (const s of sockets.splice(0)) s.disconnect();
});

afterAll(async () => {
	for (const d of docs.splice(0)) d.destroy();
	db?.close();
	await server?.stop();
});

describe('carrying an agenda item to the next meeting', () => {
	it('every role but the voorzitter and secretaris, and a non-member, gets NOT_FOUND and changes nothing', async () => {
		for (const who of ['deelnemer', 'waarnemer', 'geen-toegang', 'beheerder']) {
			for (const itemId of [items.mededelingen!, items.case014!]) {
				expect(await carry(who, meeting, itemId), who).toEqual(NOT_FOUND);
			}
		}
		const here = await agendaOf(meeting);
		expect(readAgenda(here.doc).every((i) => i.status === 'gepland' && !i.carriedTo)).toBe(true);
		const next = await agendaOf(nextMeeting);
		expect(readAgenda(next.doc).map((i) => i.title)).toEqual(['Evaluatie']);
		expect(auditCount()).toBe(0);
	});

	it('the secretaris carries a general item: marked here, appended to the next planned meeting with its minutes', async () => {
		const answer = await carry('secretaris', meeting, items.mededelingen!);
		if (!answer.ok) throw new Error(answer.message);
		expect(answer.data).toMatchObject({ itemId: items.mededelingen, toMeetingId: nextMeeting, added: true });
		const here = await agendaOf(meeting);
		await waitFor('the carry mark', () => readAgenda(here.doc).find((i) => i.id === items.mededelingen)?.carriedTo === nextMeeting);
		expect(readAgenda(here.doc).find((i) => i.id === items.mededelingen)).toMatchObject({ status: 'aangehouden', carriedTo: nextMeeting });
		const next = await agendaOf(nextMeeting);
		expect(readAgenda(next.doc).map((i) => [i.title, i.plannedMinutes, i.status, i.carriedFrom ?? null])).toEqual([
			['Evaluatie', 5, 'gepland', null],
			['Mededelingen', 10, 'gepland', meeting]
		]);
		// carrying it again answers with the first carry and adds nothing
		const again = await carry('voorzitter', meeting, items.mededelingen!);
		expect(again).toMatchObject({ ok: true, data: { toMeetingId: nextMeeting, added: false } });
		expect(readAgenda(next.doc)).toHaveLength(2);
	});

	it('the voorzitter carries a case item: its code goes along, no title, and not twice', async () => {
		const answer = await carry('voorzitter', meeting, items.case014!);
		expect(answer).toMatchObject({ ok: true, data: { toMeetingId: nextMeeting, added: true } });
		const next = await agendaOf(nextMeeting);
		await waitFor('the case on the next agenda', () => readAgenda(next.doc).some((i) => i.caseId === case014));
		const moved = readAgenda(next.doc).find((i) => i.caseId === case014)!;
		expect(moved).toMatchObject({ caseCode: 'T150-2026-014', title: '', plannedMinutes: 20, carriedFrom: meeting });
		// the audit log names who carried what, not what the item is about
		const rows = db.prepare("select user_id, case_id, meeting_id, detail from audit_log where action = 'meeting.item_carry' order by id").all() as { case_id: number | null; meeting_id: number; detail: string }[];
		expect(rows.map((r) => [r.case_id, r.meeting_id])).toEqual([[null, meeting], [case014, meeting]]);
		expect(rows.every((r) => !r.detail.includes('Mededelingen'))).toBe(true);
	});

	it('a case already on the next agenda is not added again', async () => {
		const here = await agendaOf(meeting);
		const again = addAgendaItem(here.doc, { caseId: case014, caseCode: 'T150-2026-014', title: '', plannedMinutes: 15, status: 'gepland' });
		await waitFor('the item to be stored', () => db.prepare('select 1 from agenda_rows where meeting_id = ? and item_id = ?').get(meeting, again));
		expect(await carry('secretaris', meeting, again)).toMatchObject({ ok: true, data: { added: false } });
		const next = await agendaOf(nextMeeting);
		expect(readAgenda(next.doc).filter((i) => i.caseId === case014)).toHaveLength(1);
	});

	it('says in Dutch that there is no next meeting, and refuses a closed meeting and an unknown item', async () => {
		const last = await carry('voorzitter', nextMeeting, items.evaluatie!);
		expect(last).toMatchObject({ ok: false, code: 'CONFLICT' });
		expect(!last.ok && last.message).toContain('Er is nog geen volgend overleg van deze tafel gepland');
		expect(await carry('voorzitter', closedMeeting, 'demo-t150-014')).toMatchObject({ ok: false, code: 'CONFLICT', message: 'Dit overleg is gesloten; er kan niets meer worden gewijzigd.' });
		expect(await carry('voorzitter', meeting, 'bestaat-niet')).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: 'Dit agendapunt bestaat niet (meer).' });
		expect(await carry('voorzitter', meeting, '')).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
		const next = await agendaOf(nextMeeting);
		expect(readAgenda(next.doc).find((i) => i.id === items.evaluatie)).toMatchObject({ status: 'gepland' });
	});
});
