import * as Y from 'yjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_STATUSES, addAction, addAgendaItem, actionsOf, readActions, readAgenda, removeAction, removeAgendaItem, updateAction, updateAgendaItem } from '../../src/lib/shared/documents';
import { actionRowsOf } from '../../src/lib/server/projection/index';
import { caseId, openShared, user, type SharedDb } from './helpers/db';
import { connectDoc, sleep, waitFor, type DocClient } from './helpers/realtime';
import { demoEmail, demoLogins, startServer, type TestServer } from './helpers/server';

/**
 * The projection of the documents into SQL rows, against the real server: two people make
 * random edits to a case's actions and a meeting's agenda at the same time; the rows must end
 * up exactly as the documents say, and again after a crash and restart, even when the rows were
 * damaged while the server was down.
 */
let server: TestServer;
let db: SharedDb;
const as = demoLogins(() => server);
const clients: DocClient[] = [];

/** A small deterministic PRNG, so a failure can be replayed. */
function mulberry32(seed: number) {
	let a = seed;
	return () => {
		a |= 0;
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

async function open(who: string, name: string): Promise<DocClient> {
	const client = connectDoc(server.url, name, await as(who));
	clients.push(client);
	await client.synced;
	return client;
}

interface Row {
	case_id: number;
	action_id: string;
	position: number;
	text: string;
	actiehouder_id: number | null;
	organisation_id: number | null;
	deadline: string;
	status: string;
	leefgebied: string;
	note: string;
}
const actionRows = (id: number) =>
	(db.prepare('select case_id, action_id, position, text, actiehouder_id, organisation_id, deadline, status, leefgebied, note from action_rows where case_id = ? order by position').all(id) as Row[]).map((r) => ({
		caseId: r.case_id,
		actionId: r.action_id,
		position: r.position,
		text: r.text,
		actiehouderId: r.actiehouder_id,
		organisationId: r.organisation_id,
		deadline: r.deadline,
		status: r.status,
		leefgebied: r.leefgebied,
		note: r.note
	}));
const agendaRows = (meetingId: number) =>
	db.prepare('select item_id as id, case_id as caseId, title, planned_minutes as plannedMinutes, status from agenda_rows where meeting_id = ? order by position').all(meetingId);

/** Waits until the rows are what the document says (the projection is debounced). */
async function projected(caseNumber: number, doc: Y.Doc) {
	await waitFor('the action rows to match the document', () => {
		expect(actionRows(caseNumber)).toEqual(actionRowsOf(caseNumber, doc));
		return true;
	}, 5_000, 50);
}
async function agendaProjected(meetingId: number, doc: Y.Doc) {
	await waitFor('the agenda rows to match the document', () => {
		expect(agendaRows(meetingId)).toEqual(readAgenda(doc).map(({ id, caseId, title, plannedMinutes, status }) => ({ id, caseId, title, plannedMinutes, status })));
		return true;
	}, 5_000, 50);
}

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
});
afterEach(() => {
	for (const c of clients.splice(0)) c.destroy();
});
afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('the projection of actions and agendas', () => {
	it('the seeded documents are projected at start-up', async () => {
		const t150 = caseId(db, 'T150-2026-014');
		await waitFor('the seeded actions to be projected', () => actionRows(t150).length === 3);
		expect(actionRows(t150).map((r) => [r.text, r.status])).toEqual([
			['Aanmelding schuldhulpverlening afronden', 'bezig'],
			['Intake verslavingszorg plannen', 'open'],
			['Tijdelijke woonplek regelen', 'gedaan']
		]);
	});

	it('after random concurrent edits by two people, the rows are exactly what the documents say', async () => {
		const t150 = caseId(db, 'T150-2026-014');
		const chair = await open('voorzitter', `case:${t150}`);
		const member = await open('deelnemer', `case:${t150}`);
		const meeting = db.prepare("select id from meetings where status = 'gepland' order by starts_at limit 1").get() as { id: number };
		const chairAgenda = await open('voorzitter', `meeting:${meeting.id}`);
		const fatima = user(db, demoEmail('deelnemer'));
		const lotte = user(db, demoEmail('waarnemer'));
		const random = mulberry32(20261129);
		const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;

		for (let step = 0; step < 150; step++) {
			const writer = pick([chair, member]);
			const ids = actionsOf(writer.doc).toArray().map((m) => m.get('id') as string);
			const roll = random();
			if (roll < 0.35 || ids.length === 0) {
				const who = pick([fatima, lotte, null]);
				addAction(writer.doc, {
					text: `Actie ${step}`,
					actiehouderId: who?.id ?? null,
					actiehouderName: who ? 'Iemand' : '',
					organisationId: who?.organisationId ?? null,
					organisationName: '',
					deadline: `2027-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`,
					status: 'open',
					leefgebied: pick(['Wonen', 'Financiën', ''])
				});
			} else if (roll < 0.75) {
				updateAction(writer.doc, pick(ids), { status: pick(ACTION_STATUSES), note: `notitie ${step}` });
			} else {
				// an action held by another organisation is the voorzitter's or that organisation's
				// to delete or hand to someone else (action-delete.test.ts): the deelnemer touches
				// only those she may
				const deletable = writer === chair ? ids : readActions(writer.doc).filter((a) => a.organisationId === null || a.organisationId === fatima.organisationId).map((a) => a.id);
				if (deletable.length > 0 && roll < 0.85) updateAction(writer.doc, pick(deletable), { actiehouderId: pick([fatima.id, lotte.id]), deadline: '2027-12-31' });
				else if (deletable.length > 0) removeAction(writer.doc, pick(deletable));
			}
			// the agenda too, by the chair
			if (step % 10 === 0) {
				const items = readAgenda(chairAgenda.doc);
				if (items.length > 2 && random() < 0.3) removeAgendaItem(chairAgenda.doc, pick(items).id);
				else if (items.length > 0 && random() < 0.5) updateAgendaItem(chairAgenda.doc, pick(items).id, { status: 'aangehouden', plannedMinutes: 5 + step });
				else addAgendaItem(chairAgenda.doc, { caseId: t150, caseCode: 'T150-2026-014', title: `Punt ${step}`, plannedMinutes: 10, status: 'gepland' });
			}
			if (step % 25 === 0) await sleep(30);
		}
		await waitFor('both replicas to converge', () => {
			expect(Y.encodeStateVector(chair.doc)).toEqual(Y.encodeStateVector(member.doc));
			return true;
		});
		expect(actionsOf(chair.doc).length).toBeGreaterThan(5);
		await projected(t150, chair.doc);
		await agendaProjected(meeting.id, chairAgenda.doc);
	});

	it('after a crash, rows damaged while the server was down are rebuilt from the documents', async () => {
		const t150 = caseId(db, 'T150-2026-014');
		const writer = await open('deelnemer', `case:${t150}`);
		addAction(writer.doc, { text: 'Vlak voor de crash', actiehouderId: null, actiehouderName: '', organisationId: null, organisationName: '', deadline: '', status: 'open', leefgebied: '' });
		const expected = actionRowsOf(t150, writer.doc);
		await projected(t150, writer.doc);
		for (const c of clients.splice(0)) c.destroy();

		await server.crash();
		db.close();
		const writable = openShared(server.dbFile, { writable: true });
		writable.prepare('delete from action_rows where case_id = ?').run(t150);
		writable.prepare("insert into action_rows (case_id, action_id, position, text, deadline, status, leefgebied, projected_at) values (?, 'spook', 0, 'bestaat niet', '', 'open', '', '2026-01-01')").run(caseId(writable, 'T150-2026-015'));
		writable.prepare('delete from agenda_rows').run();
		writable.close();

		server = await server.restart();
		db = openShared(server.dbFile);
		await waitFor('the rows to be rebuilt', () => {
			expect(actionRows(t150)).toEqual(expected);
			return true;
		}, 10_000, 50);
		await waitFor('the ghost row to be gone', () => actionRows(caseId(db, 'T150-2026-015')).length === 0, 10_000, 50);
		expect(db.prepare('select count(*) as n from agenda_rows').get()).not.toEqual({ n: 0 });
	});
});
