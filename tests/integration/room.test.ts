import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addAgendaItem } from '../../src/lib/shared/documents';
import type { JoinResult, MeetingState } from '../../src/lib/shared/live';
import type { RoomRegister } from '../../src/lib/shared/room';
import type { RegieState } from '../../src/lib/shared/tables';
import { caseId, openShared, organisationId, tableId, user, type SharedDb } from './helpers/db';
import {
	connectDoc,
	connectLive,
	emitAck,
	liveConnected,
	sleep,
	waitFor,
	type DocClient,
	type LiveSocket
} from './helpers/realtime';
import { demoEmail, demoLogins, request, startServer, type TestServer } from './helpers/server';

/**
 * The room (issue 13 item 2): the attendance register over socket.io, kept by the voorzitter
 * and secretaris only, and the server's decision that the shared screen shows a case restricted
 * while someone in the room has no access to it: the police deelnemer (geen-toegang@) at
 * T150-2026-014. Real server, real socket.io clients, real documents.
 */
let server: TestServer;
let db: SharedDb;
let meetingId: number;
let case014: number;
let item014: string;
let itemGeneral: string;
const as = demoLogins(() => server);
const id = (local: string) => user(db, demoEmail(local)).id;
const POLICE = 'Politie Eenheid Voorbeeld heeft geen toegang: beperkte weergave';

const sockets: LiveSocket[] = [];
const docs: DocClient[] = [];
async function connect(who: string): Promise<LiveSocket> {
	const socket = connectLive(server.url, await as(who));
	sockets.push(socket);
	await liveConnected(socket);
	return socket;
}
async function joined(who: string, options: { screen?: boolean } = {}): Promise<{ socket: LiveSocket; join: JoinResult; states: MeetingState[] }> {
	const socket = await connect(who);
	const states: MeetingState[] = [];
	socket.on('meeting:state', (s) => states.push(s));
	const reply = await emitAck<JoinResult>(socket, 'meeting:join', { meetingId, ...options });
	if (!reply.ok) throw new Error(`${who} could not join: ${reply.code}`);
	return { socket, join: reply.data, states };
}
const lastRoom = (states: MeetingState[]) => states.at(-1)?.room?.restricted ?? null;
const attendanceRows = () => db.prepare('select user_id, status, reason from meeting_attendance where meeting_id = ? order by user_id').all(meetingId);
const itemRows = () => db.prepare('select item_id, user_id, presence from meeting_item_presence where meeting_id = ?').all(meetingId);

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	case014 = caseId(db, 'T150-2026-014');
	const meeting = db
		.prepare("select id from meetings where case_table_id = ? and status = 'gepland' order by starts_at limit 1")
		.get(tableId(db, 'Top 150 Regio Voorbeeld')) as { id: number };
	meetingId = meeting.id;
	await Promise.all(['voorzitter', 'secretaris', 'deelnemer', 'waarnemer', 'geen-toegang', 'beheerder'].map(as));
	const agenda = connectDoc(server.url, `meeting:${meetingId}`, await as('voorzitter'));
	docs.push(agenda);
	await agenda.synced;
	item014 = addAgendaItem(agenda.doc, { caseId: case014, caseCode: 'T150-2026-014', title: 'Jongvolwassene, herhaalde inbraken en schulden', plannedMinutes: 20, status: 'gepland' });
	itemGeneral = addAgendaItem(agenda.doc, { caseId: null, caseCode: null, title: 'Rondvraag', plannedMinutes: 5, status: 'gepland' });
	await waitFor('the agenda to be stored', () => {
		const rows = db.prepare('select count(*) as n from agenda_rows where meeting_id = ?').get(meetingId) as { n: number };
		return rows.n === 2;
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

describe('the register', () => {
	it('the voorzitter and secretaris keep it; every other role and a non-member get NOT_FOUND and change nothing', async () => {
		const chair = await connect('voorzitter');
		const register = await emitAck<RoomRegister>(chair, 'room:register', { meetingId });
		if (!register.ok) throw new Error(register.code);
		expect(register.data.entries.map((e) => [e.name, e.role])).toEqual([
			['Hanna de Vries', 'voorzitter'],
			['Joris Bakker', 'secretaris'],
			['Fatima El Amrani', 'deelnemer'],
			['Pieter Smit', 'deelnemer'],
			['Tom van Leeuwen', 'deelnemer'],
			['Lotte Jansen', 'waarnemer']
		]);

		const byChair = await emitAck<RoomRegister>(chair, 'room:attendance', { meetingId, userId: id('deelnemer'), status: 'afgemeld', reason: 'Cursusdag' });
		expect(byChair).toMatchObject({ ok: true });
		const secretaris = await connect('secretaris');
		const bySecretaris = await emitAck<RoomRegister>(secretaris, 'room:attendance', { meetingId, userId: id('waarnemer'), status: 'aanwezig' });
		if (!bySecretaris.ok) throw new Error(bySecretaris.code);
		expect(bySecretaris.data.entries.find((e) => e.name === 'Fatima El Amrani')).toMatchObject({ status: 'afgemeld', reason: 'Cursusdag' });
		expect(bySecretaris.data.entries.find((e) => e.name === 'Lotte Jansen')).toMatchObject({ status: 'aanwezig', reason: null });
		const itemBySecretaris = await emitAck(secretaris, 'room:item', { meetingId, itemId: itemGeneral, userId: id('waarnemer'), presence: 'uit' });
		expect(itemBySecretaris).toMatchObject({ ok: true });

		const before = { attendance: attendanceRows(), items: itemRows() };
		for (const who of ['deelnemer', 'waarnemer', 'geen-toegang', 'beheerder']) {
			const socket = await connect(who);
			const answers = [
				await emitAck(socket, 'room:register', { meetingId }),
				await emitAck(socket, 'room:attendance', { meetingId, userId: id(who === 'beheerder' ? 'deelnemer' : who), status: 'aanwezig' }),
				await emitAck(socket, 'room:item', { meetingId, itemId: item014, userId: id('geen-toegang'), presence: 'in' })
			];
			for (const answer of answers) {
				expect(answer, who).toEqual({ ok: false, code: 'NOT_FOUND', message: 'Deze pagina bestaat niet of u hebt er geen toegang toe.' });
			}
		}
		expect({ attendance: attendanceRows(), items: itemRows() }).toEqual(before);
	});

	it('refuses bad input with a Dutch message and a stable code', async () => {
		const chair = await connect('voorzitter');
		expect(await emitAck(chair, 'room:attendance', { meetingId, userId: id('deelnemer'), status: 'ziek' })).toEqual({
			ok: false,
			code: 'INVALID_INPUT',
			message: 'Ongeldig verzoek.'
		});
		expect(await emitAck(chair, 'room:attendance', { meetingId, userId: id('deelnemer'), status: 'afgemeld', reason: 'x'.repeat(301) })).toMatchObject({
			ok: false,
			code: 'INVALID_INPUT'
		});
		// a user who is no member of this table (the beheerder)
		expect(await emitAck(chair, 'room:attendance', { meetingId, userId: id('beheerder'), status: 'aanwezig' })).toEqual({
			ok: false,
			code: 'INVALID_INPUT',
			message: 'Deze persoon is geen lid van deze tafel.',
			fields: { userId: 'Deze persoon is geen lid van deze tafel.' }
		});
		expect(await emitAck(chair, 'room:item', { meetingId, itemId: 'bestaat-niet', userId: id('deelnemer'), presence: 'uit' })).toMatchObject({
			ok: false,
			code: 'INVALID_INPUT',
			message: 'Dit agendapunt bestaat niet (meer).'
		});
		expect(await emitAck(chair, 'room:attendance', { meetingId: 999_999, userId: id('deelnemer'), status: 'aanwezig' })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
	});

	it('goes to the sockets of the voorzitter and secretaris only, never to a deelnemer in the room', async () => {
		const chair = await joined('voorzitter');
		const deelnemer = await joined('deelnemer');
		expect(deelnemer.join.state.room).toBeDefined();
		const toChair: RoomRegister[] = [];
		const toDeelnemer: RoomRegister[] = [];
		chair.socket.on('room:register', (r) => toChair.push(r));
		deelnemer.socket.on('room:register', (r) => toDeelnemer.push(r));
		await emitAck(chair.socket, 'room:attendance', { meetingId, userId: id('deelnemer'), status: 'aanwezig' });
		await waitFor('the register to reach the chair', () => toChair.some((r) => r.entries.find((e) => e.name === 'Fatima El Amrani')?.status === 'aanwezig'));
		// laptops: the chair and the deelnemer, both in the room
		expect(toChair.at(-1)!.laptops).toBe(2);
		await sleep(200);
		expect(toDeelnemer).toEqual([]);
	});
});

describe('the shared screen restricted by the server', () => {
	it('restricts T150-2026-014 while the police deelnemer is in the room for it, and not after he left', async () => {
		const chair = await joined('voorzitter');
		const current = await emitAck<MeetingState>(chair.socket, 'meeting:current', { meetingId, itemId: item014 });
		if (!current.ok) throw new Error(current.code);
		// who is in the room so far (the chair, and the waarnemer and Fatima marked aanwezig above) has access
		expect(current.data.room).toEqual({ restricted: null });

		// the police laptop connects to the meeting: everyone's state says restricted, and why
		const police = await joined('geen-toegang');
		expect(police.join.state.room?.restricted).toMatchObject({ itemId: item014, caseId: case014, organisations: ['Politie Eenheid Voorbeeld'], message: POLICE });
		await waitFor('the chair to learn of the restriction', () => lastRoom(chair.states)?.message === POLICE);

		// the chair marks him as having left the room for this item: the full view may return
		const left = await emitAck<RoomRegister>(chair.socket, 'room:item', { meetingId, itemId: item014, userId: id('geen-toegang'), presence: 'uit' });
		if (!left.ok) throw new Error(left.code);
		expect(left.data.restricted).toBeNull();
		expect(left.data.entries.find((e) => e.name === 'Pieter Smit')).toMatchObject({ item: 'uit', inRoom: false, hasAccess: false, sockets: 1 });
		await waitFor('the restriction to be lifted for everyone', () => chair.states.at(-1)?.room?.restricted === null && police.states.at(-1)?.room?.restricted === null);

		// he comes back in for it: restricted again
		const back = await emitAck<RoomRegister>(chair.socket, 'room:item', { meetingId, itemId: item014, userId: id('geen-toegang'), presence: 'in' });
		expect(back.ok && back.data.restricted?.message).toBe(POLICE);
		await waitFor('the restriction to return', () => lastRoom(chair.states)?.message === POLICE);

		// a general item is about no case: nothing to restrict; the marks of the case item stay
		const general = await emitAck<MeetingState>(chair.socket, 'meeting:current', { meetingId, itemId: itemGeneral });
		expect(general.ok && general.data.room).toEqual({ restricted: null });
		const again = await emitAck<MeetingState>(chair.socket, 'meeting:current', { meetingId, itemId: item014 });
		expect(again.ok && again.data.room?.restricted?.message).toBe(POLICE);

		// marked aanwezig, his laptop closed: still in the room by the register
		await emitAck(chair.socket, 'room:item', { meetingId, itemId: item014, userId: id('geen-toegang'), presence: null });
		await emitAck(chair.socket, 'room:attendance', { meetingId, userId: id('geen-toegang'), status: 'aanwezig' });
		police.socket.disconnect();
		await sleep(300);
		expect(lastRoom(chair.states)?.message).toBe(POLICE);
		const out = await emitAck<RoomRegister>(chair.socket, 'room:item', { meetingId, itemId: item014, userId: id('geen-toegang'), presence: 'uit' });
		expect(out.ok && out.data.restricted).toBeNull();
		await waitFor('the full view to return', () => chair.states.at(-1)?.room?.restricted === null);
	});

	it('a laptop that disconnects or connects changes the restriction without any command', async () => {
		const chair = await joined('voorzitter');
		await emitAck(chair.socket, 'meeting:current', { meetingId, itemId: item014 });
		// the police deelnemer is no longer marked for the item, nor for the meeting
		await emitAck(chair.socket, 'room:item', { meetingId, itemId: item014, userId: id('geen-toegang'), presence: null });
		await emitAck(chair.socket, 'room:attendance', { meetingId, userId: id('geen-toegang'), status: null });
		await waitFor('no restriction', () => chair.states.at(-1)?.room?.restricted === null);
		const police = await joined('geen-toegang');
		await waitFor('restricted when his laptop joins', () => lastRoom(chair.states)?.message === POLICE);
		police.socket.disconnect();
		await waitFor('lifted when it leaves', () => chair.states.at(-1)?.room?.restricted === null);
	});

	it('the screen gets no case content for a restricted case over socket.io; a laptop of the chair does', async () => {
		const chair = await joined('voorzitter');
		const screen = await joined('voorzitter', { screen: true });
		await emitAck(chair.socket, 'meeting:current', { meetingId, itemId: item014 });
		const police = await joined('geen-toegang');
		await waitFor('restricted', () => lastRoom(screen.states)?.message === POLICE);
		const onScreen: RegieState[] = [];
		const onChair: RegieState[] = [];
		const onPolice: RegieState[] = [];
		screen.socket.on('case:regie', (r) => onScreen.push(r));
		chair.socket.on('case:regie', (r) => onChair.push(r));
		police.socket.on('case:regie', (r) => onPolice.push(r));
		const set = await emitAck(chair.socket, 'regie:set', { meetingId, caseId: case014, kind: 'casusregisseur', userId: id('deelnemer') });
		expect(set).toMatchObject({ ok: true });
		await waitFor('the chair to receive the regie', () => onChair.length === 1);
		await sleep(200);
		expect(onScreen).toEqual([]);
		expect(onPolice).toEqual([]);

		// he leaves the room for the item: the screen receives the case's updates again
		await emitAck(chair.socket, 'room:item', { meetingId, itemId: item014, userId: id('geen-toegang'), presence: 'uit' });
		await waitFor('lifted on the screen', () => screen.states.at(-1)?.room?.restricted === null);
		await emitAck(chair.socket, 'regie:set', { meetingId, caseId: case014, kind: 'casusregisseur', userId: id('waarnemer') });
		await waitFor('the screen to receive the regie', () => onScreen.length === 1);
		expect(onPolice).toEqual([]);
	});
});

describe('the verslag', () => {
	it('shows the attendance per member and who was in the room for the case item', async () => {
		const chair = await connect('voorzitter');
		for (const [who, status] of [
			['voorzitter', 'aanwezig'],
			['secretaris', 'aanwezig'],
			['deelnemer', 'aanwezig'],
			['geen-toegang', 'aanwezig'],
			['waarnemer', 'afwezig']
		] as const) {
			expect(await emitAck(chair, 'room:attendance', { meetingId, userId: id(who), status })).toMatchObject({ ok: true });
		}
		await emitAck(chair, 'room:item', { meetingId, itemId: item014, userId: id('geen-toegang'), presence: 'uit' });
		const page = await request(server.url, `/overleg/${meetingId}/verslag`, { cookie: await as('voorzitter') });
		expect(page.status).toBe(200);
		const text = page.body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
		expect(text).toContain('Naam Organisatie Rol Aanwezigheid');
		expect(text).toContain('Pieter Smit Politie Eenheid Voorbeeld Deelnemer Aanwezig');
		expect(text).toContain('Lotte Jansen GGZ Voorbeeld Waarnemer Afwezig');
		expect(text).toContain('Aanwezig bij dit punt Fatima El Amrani (Sociaal Team Voorbeeld), Hanna de Vries (Zorg- en Veiligheidshuis Voorbeeld), Joris Bakker (Zorg- en Veiligheidshuis Voorbeeld)');
		for (const format of ['pdf', 'docx'] as const) {
			const file = await fetch(`${server.url}/overleg/${meetingId}/verslag/verslag.${format}`, { headers: { cookie: await as('voorzitter') } });
			expect(file.status, format).toBe(200);
		}
	});
});

describe('access that changes during the meeting', () => {
	it('withdrawing an organisation present in the room restricts the screen at once; granting it again lifts it', async () => {
		const chair = await joined('voorzitter');
		await emitAck(chair.socket, 'meeting:current', { meetingId, itemId: item014 });
		const deelnemer = await joined('deelnemer');
		// the Sociaal Team has access to 014: nothing to restrict
		expect(deelnemer.join.state.room).toEqual({ restricted: null });
		const form = { organisationId: organisationId(db, 'Sociaal Team Voorbeeld') };
		const withdraw = await request(server.url, `/casus/${case014}?/withdraw`, { cookie: await as('voorzitter'), form, accept: 'json' });
		expect(JSON.parse(withdraw.body)).toMatchObject({ type: 'success' });
		await waitFor('restricted for the Sociaal Team', () => lastRoom(chair.states)?.message === 'Sociaal Team Voorbeeld heeft geen toegang: beperkte weergave');
		const grant = await request(server.url, `/casus/${case014}?/grant`, { cookie: await as('voorzitter'), form, accept: 'json' });
		expect(JSON.parse(grant.body)).toMatchObject({ type: 'success' });
		await waitFor('lifted after the grant', () => chair.states.at(-1)?.room?.restricted === null);
	});
});
