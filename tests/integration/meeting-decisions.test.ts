import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MeetingState } from '../../src/lib/shared/live';
import type { RegieState } from '../../src/lib/shared/tables';
import { addAction, addAgendaItem, readAgenda } from '../../src/lib/shared/documents';
import { clientPool } from './helpers/clients';
import { caseId, firstMeeting, openShared, user, writeShared, type SharedDb } from './helpers/db';
import { docFromDatabase, emitAck, sleep, waitFor, type LiveSocket } from './helpers/realtime';
import { startServer, type TestServer, demoEmail, demoLogins } from './helpers/server';

/**
 * The decisions of a meeting that the server makes hold: rounding off an agenda item against
 * the table's output template and the regie rule, assigning regie live to exactly the people
 * who may see the case, and the client's side at the table within the table's age rule.
 * Real server in a child process, real socket.io and Yjs clients.
 */
let server: TestServer;
let db: SharedDb;
const as = demoLogins(() => server);
const pool = clientPool(() => server, as);
const { connect, joined, openDoc } = pool;
const upcomingMeeting = (table: string) => firstMeeting(db, table);
/** Puts a case on a meeting's agenda the way the chair's laptop does: in the meeting document. */
async function agendaItemFor(meetingId: number, code: string): Promise<string> {
	const doc = await openDoc('voorzitter', `meeting:${meetingId}`);
	const id = addAgendaItem(doc.doc, { caseId: caseId(db, code), caseCode: code, title: 'Bespreking', plannedMinutes: 10, status: 'gepland' });
	// stored = in the snapshot plus log (a row count can drop when an earlier open is compacted)
	await waitFor('the item to be stored', () =>
		readAgenda(docFromDatabase(db, `meeting:${meetingId}`).doc).some((item) => item.id === id)
	);
	return id;
}
const closure = (meetingId: number, itemId: string) =>
	db.prepare('select template_missing, template_reason, regie_reason from item_closures where meeting_id = ? and item_id = ?').get(meetingId, itemId) as
		| { template_missing: string; template_reason: string | null; regie_reason: string | null }
		| undefined;
const caseStatus = (code: string) => (db.prepare('select status from cases where code = ?').get(code) as { status: string }).status;

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	await Promise.all(['voorzitter', 'secretaris', 'deelnemer', 'waarnemer', 'geen-toegang', 'linda', 'kees', 'noor', 'sara'].map(as));
});
afterEach(() => pool.closeAll());
afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('rounding off an agenda item', () => {
	it('MDA++ names exactly three actions: with two the item is refused unless a reason is given; with three it closes', async () => {
		const meetingId = upcomingMeeting('MDA++ Regio Voorbeeld');
		const itemId = await agendaItemFor(meetingId, 'MDA-2026-001');
		const chair = await joined('voorzitter', meetingId);
		const caseDoc = await openDoc('linda', `case:${caseId(db, 'MDA-2026-001')}`);
		const action = (text: string) => ({ text, actiehouderId: null, actiehouderName: '', organisationId: null, organisationName: '', deadline: '', status: 'open' as const, leefgebied: '' });
		addAction(caseDoc.doc, action('Veiligheidsplan met het huishouden'));
		addAction(caseDoc.doc, action('Daderhulp starten'));
		await sleep(200);

		const refused = await emitAck<MeetingState>(chair, 'item:close', { meetingId, itemId });
		expect(refused).toMatchObject({ ok: false, code: 'CONFLICT' });
		if (refused.ok) throw new Error('unreachable');
		expect(refused.fields?.templateReason).toContain('MDA++ benoemt per bespreking precies drie acties; er staan er nu 2.');
		expect(refused.fields?.regieReason).toBeUndefined(); // linda is casusregisseur
		expect(closure(meetingId, itemId)).toBeUndefined();

		addAction(caseDoc.doc, action('Schuldhulp aanvragen'));
		await sleep(200);
		const closed = await emitAck<MeetingState>(chair, 'item:close', { meetingId, itemId });
		expect(closed).toMatchObject({ ok: true });
		if (!closed.ok) throw new Error('unreachable');
		expect(closed.data.closedItems.map((c) => c.itemId)).toContain(itemId);
		expect(closure(meetingId, itemId)).toEqual({ template_missing: '[]', template_reason: null, regie_reason: null });
		// the agenda in the meeting document shows it as discussed, for every open screen
		const meetingDoc = await openDoc('secretaris', `meeting:${meetingId}`);
		expect(readAgenda(meetingDoc.doc).find((i) => i.id === itemId)?.status).toBe('besproken');
		// a case in monitoring stays in monitoring
		expect(caseStatus('MDA-2026-001')).toBe('monitoring');
	});

	it('MDA++ "drie acties" is per bespreking (001 §5.4.3): the follow-up meeting, after the three of the first, needs three new ones', async () => {
		// runs after the test above, which rounded MDA-2026-001 off with three actions
		const first = upcomingMeeting('MDA++ Regio Voorbeeld');
		const tableId = (db.prepare('select case_table_id as t from meetings where id = ?').get(first) as { t: number }).t;
		const startsAt = new Date(Date.now() + 70 * 86_400_000).toISOString();
		writeShared(server.dbFile, "insert into meetings (case_table_id, starts_at, location, status, created_at) values (?, ?, 'Zorg- en Veiligheidshuis', 'gepland', ?)", tableId, startsAt, new Date().toISOString());
		const followUp = (db.prepare('select id from meetings where case_table_id = ? and starts_at = ?').get(tableId, startsAt) as { id: number }).id;
		const itemId = await agendaItemFor(followUp, 'MDA-2026-001');
		const chair = await joined('voorzitter', followUp);
		const caseDoc = await openDoc('linda', `case:${caseId(db, 'MDA-2026-001')}`);
		const action = (text: string) => ({ text, actiehouderId: null, actiehouderName: '', organisationId: null, organisationName: '', deadline: '', status: 'open' as const, leefgebied: '' });
		addAction(caseDoc.doc, action('Evaluatie veiligheidsplan'));
		addAction(caseDoc.doc, action('Netwerkberaad met de familie'));
		await sleep(200);
		// five actions on the case, two of them from this bespreking
		const refused = await emitAck<MeetingState>(chair, 'item:close', { meetingId: followUp, itemId });
		if (refused.ok) throw new Error('closed with two new actions');
		expect(refused.fields?.templateReason).toContain('MDA++ benoemt per bespreking precies drie acties; er staan er in deze bespreking nu 2.');
		addAction(caseDoc.doc, action('Terugvalpreventie met de school'));
		await sleep(200);
		const closed = await emitAck<MeetingState>(chair, 'item:close', { meetingId: followUp, itemId });
		expect(closed).toMatchObject({ ok: true });
		expect(closure(followUp, itemId)).toEqual({ template_missing: '[]', template_reason: null, regie_reason: null });
	});

	it('A case without casusregisseur and an incomplete plan closes only with both reasons, which are recorded; the case becomes besproken', async () => {
		const meetingId = upcomingMeeting('Top 150 Regio Voorbeeld');
		const itemId = await agendaItemFor(meetingId, 'T150-2026-016');
		const chair = await joined('secretaris', meetingId);

		const bare = await emitAck<MeetingState>(chair, 'item:close', { meetingId, itemId });
		if (bare.ok) throw new Error('closed without reasons');
		expect(bare.code).toBe('CONFLICT');
		expect(Object.keys(bare.fields ?? {}).sort()).toEqual(['regieReason', 'templateReason']);
		expect(bare.fields?.templateReason).toContain('Situatie is nog leeg.');
		expect(bare.fields?.regieReason).toContain('nog geen casusregisseur');

		const halfway = await emitAck<MeetingState>(chair, 'item:close', { meetingId, itemId, templateReason: 'Eerst informatie van de politie nodig.' });
		expect(halfway).toMatchObject({ ok: false, code: 'CONFLICT', fields: { regieReason: expect.any(String) } });
		expect(closure(meetingId, itemId)).toBeUndefined();

		const ok = await emitAck<MeetingState>(chair, 'item:close', {
			meetingId,
			itemId,
			templateReason: 'Eerst informatie van de politie nodig.',
			regieReason: 'Regisseur wordt volgende week gekozen.'
		});
		expect(ok).toMatchObject({ ok: true });
		const row = closure(meetingId, itemId)!;
		expect(JSON.parse(row.template_missing)).toContain('Situatie is nog leeg.');
		expect(row).toMatchObject({ template_reason: 'Eerst informatie van de politie nodig.', regie_reason: 'Regisseur wordt volgende week gekozen.' });
		expect(caseStatus('T150-2026-016')).toBe('besproken');
		const audit = db.prepare("select detail from audit_log where action = 'meeting.item_close' and meeting_id = ? order by id desc").get(meetingId) as { detail: string };
		expect(JSON.parse(audit.detail)).toMatchObject({ itemId, templateMet: false, regie: false });
	});

	it('A deelnemer and a waarnemer cannot round off an item; the answer is the same as for a meeting that does not exist', async () => {
		const meetingId = upcomingMeeting('Top 150 Regio Voorbeeld');
		const itemId = await agendaItemFor(meetingId, 'T150-2026-015');
		for (const who of ['deelnemer', 'waarnemer', 'geen-toegang']) {
			const socket = await joined(who, meetingId);
			expect(await emitAck(socket, 'item:close', { meetingId, itemId, templateReason: 'x'.repeat(10), regieReason: 'x'.repeat(10) }), who).toMatchObject({ ok: false, code: 'NOT_FOUND' });
		}
		const stranger = await connect('linda');
		expect(await emitAck(stranger, 'item:close', { meetingId, itemId })).toMatchObject({ ok: false, code: 'NOT_FOUND' });
		expect(closure(meetingId, itemId)).toBeUndefined();
	});
});

describe('regie during the meeting', () => {
	it('The secretaris names a casusregisseur: everyone in the room who may see the case hears it within a second, the others do not, and the history records the meeting', async () => {
		const meetingId = upcomingMeeting('Top 150 Regio Voorbeeld');
		const t150015 = caseId(db, 'T150-2026-015'); // Politie and OM have access; Sociaal Team does not
		const secretary = await joined('secretaris', meetingId);
		const chair = await joined('voorzitter', meetingId);
		const police = await joined('geen-toegang', meetingId);
		const noAccess = await joined('deelnemer', meetingId);
		const heard = new Map<LiveSocket, number[]>();
		for (const s of [chair, police, noAccess]) {
			heard.set(s, []);
			s.on('case:regie', (p) => heard.get(s)!.push(p.caseId));
		}
		const pieter = user(db, demoEmail('geen-toegang'));
		const started = Date.now();
		const reply = await emitAck<RegieState>(secretary, 'regie:set', { meetingId, caseId: t150015, kind: 'casusregisseur', userId: pieter.id });
		expect(reply).toMatchObject({ ok: true, data: { current: { casusregisseur: { userId: pieter.id, name: 'Pieter Smit' } } } });
		await waitFor('the chair and the police to hear it', () => heard.get(chair)!.length > 0 && heard.get(police)!.length > 0, 1000);
		expect(Date.now() - started).toBeLessThan(1000);
		await sleep(200);
		expect(heard.get(noAccess)).toEqual([]);

		const history = db
			.prepare('select kind, user_id, meeting_id, decided_by, ended_at from regie_assignments where case_id = ? order by id')
			.all(t150015);
		expect(history).toEqual([{ kind: 'casusregisseur', user_id: pieter.id, meeting_id: meetingId, decided_by: user(db, demoEmail('secretaris')).id, ended_at: null }]);
	});

	it('Changing the regisseur ends the previous assignment; only one is active per role', async () => {
		const meetingId = upcomingMeeting('Top 150 Regio Voorbeeld');
		const t150014 = caseId(db, 'T150-2026-014');
		const chair = await joined('voorzitter', meetingId);
		const lotte = user(db, demoEmail('waarnemer')); // GGZ has access to T150-2026-014
		const reply = await emitAck<RegieState>(chair, 'regie:set', { meetingId, caseId: t150014, kind: 'casusregisseur', userId: lotte.id });
		if (!reply.ok) throw new Error(reply.message);
		const casus = reply.data.history.filter((h) => h.kind === 'casusregisseur');
		expect(casus.map((h) => [h.name, h.until === null])).toEqual([
			['Lotte Jansen', true],
			['Fatima El Amrani', false]
		]);
		expect(db.prepare("select count(*) as n from regie_assignments where case_id = ? and kind = 'casusregisseur' and ended_at is null").get(t150014)).toEqual({ n: 1 });
	});

	it('Only the voorzitter and secretaris assign regie, and only to people whose organisation has access', async () => {
		const meetingId = upcomingMeeting('Top 150 Regio Voorbeeld');
		const t150014 = caseId(db, 'T150-2026-014');
		const before = db.prepare('select count(*) as n from regie_assignments').get();
		for (const who of ['deelnemer', 'waarnemer', 'geen-toegang']) {
			const socket = await joined(who, meetingId);
			expect(await emitAck(socket, 'regie:set', { meetingId, caseId: t150014, kind: 'procesregisseur', userId: user(db, demoEmail(who)).id }), who).toMatchObject({ ok: false, code: 'NOT_FOUND' });
		}
		const chair = await joined('voorzitter', meetingId);
		// Pieter's organisation (politie) has no access to T150-2026-014
		const refused = await emitAck(chair, 'regie:set', { meetingId, caseId: t150014, kind: 'procesregisseur', userId: user(db, demoEmail('geen-toegang')).id });
		expect(refused).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: expect.stringContaining('geen toegang tot de casus') });
		// a case of another table through this meeting
		const other = await emitAck(chair, 'regie:set', { meetingId, caseId: caseId(db, 'MDA-2026-001'), kind: 'procesregisseur', userId: null });
		expect(other.ok).toBe(false);
		expect(await emitAck(chair, 'regie:set', { meetingId, caseId: t150014, kind: 'hoofdregisseur', userId: null })).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
		expect(db.prepare('select count(*) as n from regie_assignments').get()).toEqual(before);
	});
});

describe('the client side at the table', () => {
	it('At the Jeugdbeschermingstafel a child of 11 may not join the conversation and one of 12 may (001 §5.4.4 "ouder dan 12", read as from 12); the message says why', async () => {
		const meetingId = upcomingMeeting('Jeugdbeschermingstafel Regio Voorbeeld');
		const jbt = caseId(db, 'JBT-2026-007');
		const vt = await joined('kees', meetingId);
		const updates: number[] = [];
		const chair = await joined('noor', meetingId);
		chair.on('case:attendance', (p) => updates.push(p.attendees.length));

		const young = await emitAck(vt, 'attendance:add', { meetingId, caseId: jbt, kind: 'jeugdige', name: 'Zoon', age: 11 });
		expect(young).toMatchObject({ ok: false, code: 'INVALID_INPUT', message: expect.stringContaining('vanaf 12 jaar') });
		const noAge = await emitAck(vt, 'attendance:add', { meetingId, caseId: jbt, kind: 'jeugdige', name: 'Zoon', age: null });
		expect(noAge).toMatchObject({ ok: false, code: 'INVALID_INPUT' });
		expect(await emitAck(vt, 'attendance:add', { meetingId, caseId: jbt, kind: 'ouder', name: 'Moeder', age: null })).toMatchObject({ ok: true });
		const teen = await emitAck<{ attendees: { name: string; kind: string; age: number | null }[] }>(vt, 'attendance:add', { meetingId, caseId: jbt, kind: 'jeugdige', name: 'Dochter', age: 12 });
		if (!teen.ok) throw new Error(teen.message);
		expect(teen.data.attendees.map((a) => [a.name, a.kind, a.age])).toEqual([
			['Moeder', 'ouder', null],
			['Dochter', 'jeugdige', 12]
		]);
		await waitFor('the chair to see both', () => updates.at(-1) === 2);
	});

	it('Someone who may only read the case, or not see it, cannot record attendance', async () => {
		const meetingId = upcomingMeeting('Top 150 Regio Voorbeeld');
		const t150014 = caseId(db, 'T150-2026-014');
		for (const who of ['waarnemer', 'geen-toegang']) {
			const socket = await joined(who, meetingId);
			expect(await emitAck(socket, 'attendance:add', { meetingId, caseId: t150014, kind: 'persoon zelf', name: 'Rens', age: null }), who).toMatchObject({ ok: false, code: 'NOT_FOUND' });
		}
		expect(db.prepare('select count(*) as n from attendance where case_id = ?').get(t150014)).toEqual({ n: 0 });
	});
});
