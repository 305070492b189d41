import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NO_MIGRATIONS, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import { migrator, openDatabase, type Db } from '../../src/lib/server/db/index';
import * as m0012 from '../../migrations/0012_case_decisions_to_bespreking';
import { addAgendaItem, addDecision, agendaItemsOf, besprekingDocName, meetingNotesOf, minutesText, readAgenda, readDecisions } from '../../src/lib/shared/documents';
import { docFromDatabase, rawStoredBytes } from './helpers/realtime';

/**
 * The migrations on a real SQLite file: all the way up, all the way down, and up again. An
 * operator rolling back a release and forward again must end up with the same schema.
 */
/** What 0001_foundation creates; later migrations may add more, never take these away. */
const TABLES = [
	'audit_log',
	'case_access',
	'case_tables',
	'cases',
	'login_throttle',
	'meetings',
	'memberships',
	'organisations',
	'sessions',
	'table_types',
	'users'
];
const INDEXES = [
	'audit_case_idx',
	'case_access_active_uq',
	'cases_table_idx',
	'meetings_table_idx',
	'memberships_user_idx',
	'sessions_user_idx'
];
const KYSELY_TABLES = ['kysely_migration', 'kysely_migration_lock'];

let dir: string;
let db: Db;

interface SchemaRow {
	type: string;
	name: string;
	sql: string | null;
}

async function schema(): Promise<SchemaRow[]> {
	const { rows } = await sql<SchemaRow>`
		select type, name, sql from sqlite_master
		where name not like 'sqlite_%' order by type, name`.execute(db);
	return rows;
}

const names = (rows: SchemaRow[], type: string) =>
	rows.filter((r) => r.type === type && !KYSELY_TABLES.includes(r.name)).map((r) => r.name);

beforeAll(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casustafel-migrations-'));
	db = openDatabase(path.join(dir, 'casustafel.sqlite'));
});

afterAll(async () => {
	await db?.destroy();
	fs.rmSync(dir, { recursive: true, force: true });
});

describe('migrating up, down and up again', () => {
	let firstSchema: SchemaRow[];

	it('Migrating a new database to the latest version runs every migration and creates every table and index.', async () => {
		const { error, results } = await migrator(db).migrateToLatest();
		expect(error).toBeUndefined();
		const all = (await migrator(db).getMigrations()).map((m) => m.name);
		expect(all[0]).toBe('0001_foundation');
		expect(results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual(
			all.map((name) => [name, 'Up', 'Success'])
		);
		firstSchema = await schema();
		expect(names(firstSchema, 'table')).toEqual(expect.arrayContaining(TABLES));
		expect(names(firstSchema, 'index')).toEqual(expect.arrayContaining(INDEXES));
	});

	it('Migrating down to nothing removes every table the migrations created.', async () => {
		const { error, results } = await migrator(db).migrateTo(NO_MIGRATIONS);
		expect(error).toBeUndefined();
		const all = (await migrator(db).getMigrations()).map((m) => m.name);
		expect(results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual(
			[...all].reverse().map((name) => [name, 'Down', 'Success'])
		);
		const after = await schema();
		expect(names(after, 'table')).toEqual([]);
		expect(names(after, 'index')).toEqual([]);
		const executed = (await migrator(db).getMigrations()).filter((m) => m.executedAt);
		expect(executed).toEqual([]);
	});

	it('Migrating up again gives exactly the same schema as the first time.', async () => {
		const { error } = await migrator(db).migrateToLatest();
		expect(error).toBeUndefined();
		expect(await schema()).toEqual(firstSchema);
		const pending = (await migrator(db).getMigrations()).filter((m) => !m.executedAt);
		expect(pending).toEqual([]);
	});

	it('After the round trip the schema still enforces its rules: one active grant per case and organisation, and foreign keys.', async () => {
		const at = new Date('2026-03-02T09:00:00Z').toISOString();
		const org = await db.insertInto('organisations').values({ name: 'Gemeente Test', type: 'gemeente', created_at: at }).returning('id').executeTakeFirstOrThrow();
		const type = await db
			.insertInto('table_types')
			.values({ slug: 'test', name: 'Test', purpose: 'Test', leefgebieden: '[]', created_at: at })
			.returning('id')
			.executeTakeFirstOrThrow();
		const table = await db
			.insertInto('case_tables')
			.values({ table_type_id: type.id, name: 'Testtafel', code_prefix: 'TT', created_at: at })
			.returning('id')
			.executeTakeFirstOrThrow();
		const c = await db
			.insertInto('cases')
			.values({ case_table_id: table.id, code: 'TT-1', title: 't', subject_kind: 'persoon', subject_name: 'n', status: 'aangemeld', created_at: at })
			.returning('id')
			.executeTakeFirstOrThrow();
		const grant = { case_id: c.id, organisation_id: org.id, granted_at: at };
		await db.insertInto('case_access').values(grant).execute();
		await expect(db.insertInto('case_access').values(grant).execute()).rejects.toThrow(/UNIQUE/);
		// once withdrawn, a new grant is allowed and the history row stays
		await db.updateTable('case_access').set({ withdrawn_at: at }).execute();
		await db.insertInto('case_access').values(grant).execute();
		await expect(
			db.insertInto('case_access').values({ ...grant, organisation_id: 9_999 }).execute()
		).rejects.toThrow(/FOREIGN KEY/);
	});
});

/**
 * 0012: decisions recorded at an agenda item about a case move from the meeting document (which
 * every member reads) into that case's bespreking document (the case's access). Stored the way
 * the server stores documents: a snapshot and an update log, replayed as the hub does.
 */
describe('0012: case decisions move from the meeting document to the bespreking document, case items lose their titles', () => {
	const CASE_DECISION = 'CANARY-0012-besluit: het OM wacht met vervolging zolang de schuldhulp loopt';
	const SECOND_CASE_DECISION = 'CANARY-0012-tweede: de GGZ plant de intake binnen twee weken';
	const PURGED_DECISION = 'CANARY-0012-opgeschoond: besluit over een casus die al is opgeschoond';
	const GENERAL_DECISION = 'De volgende vergadering is op 12 maart in het gemeentehuis.';
	const TITLE_A = 'CANARY-0012-titel: jongvolwassene met schulden';
	const TITLE_B = 'CANARY-0012-gezin: zorgen over de veiligheid thuis';
	const LEGACY_TITLE = 'CANARY-0012-oud: titel in de oude agenda-array';
	/** a second meeting, stored before the agenda map: a titled case item in the legacy array, no decisions */
	const legacyDoc = 'meeting:8';
	let mdir: string;
	let mdb: Db;
	let raw: Database.Database;
	let caseA: number;
	let caseB: number;
	let purged: number;
	const meetingId = 7;
	const meetingDoc = `meeting:${meetingId}`;

	beforeAll(async () => {
		mdir = fs.mkdtempSync(path.join(os.tmpdir(), 'casustafel-migration-0012-'));
		const file = path.join(mdir, 'casustafel.sqlite');
		mdb = openDatabase(file);
		const { error } = await migrator(mdb).migrateTo('0010_doc_update_quarantine');
		expect(error).toBeUndefined();
		const at = new Date('2026-03-02T09:00:00Z').toISOString();
		const type = await mdb.insertInto('table_types').values({ slug: 't', name: 'T', purpose: 'T', leefgebieden: '[]', created_at: at }).returning('id').executeTakeFirstOrThrow();
		const table = await mdb.insertInto('case_tables').values({ table_type_id: type.id, name: 'Tafel', code_prefix: 'TT', created_at: at }).returning('id').executeTakeFirstOrThrow();
		const newCase = async (code: string) =>
			(await mdb.insertInto('cases').values({ case_table_id: table.id, code, title: 't', subject_kind: 'persoon', subject_name: 'n', status: 'besproken', created_at: at }).returning('id').executeTakeFirstOrThrow()).id;
		caseA = await newCase('TT-1');
		caseB = await newCase('TT-2');
		purged = await newCase('TT-3');
		await mdb.updateTable('cases').set({ purged_at: at }).where('id', '=', purged).execute();

		// the meeting document as a chair made it: the agenda in one stored update (part of it in
		// the snapshot), decisions typed later, one by one, in the log
		const doc = new Y.Doc();
		const rows: Uint8Array[] = [];
		doc.on('update', (u: Uint8Array) => rows.push(u));
		const opening = addAgendaItem(doc, { caseId: null, caseCode: null, title: 'Opening en mededelingen', plannedMinutes: 5, status: 'besproken' });
		const itemA = addAgendaItem(doc, { caseId: caseA, caseCode: 'TT-1', title: 'Jongvolwassene', plannedMinutes: 20, status: 'besproken' });
		const itemB = addAgendaItem(doc, { caseId: caseB, caseCode: 'TT-2', title: 'Gezin', plannedMinutes: 20, status: 'besproken' });
		const itemPurged = addAgendaItem(doc, { caseId: purged, caseCode: 'TT-3', title: 'Oud', plannedMinutes: 20, status: 'besproken' });
		// before this release a case item carried the case's title (addAgendaItem no longer writes one)
		for (const [id, title] of [[itemA, TITLE_A], [itemB, TITLE_B]] as const) (agendaItemsOf(doc).get(id) as Y.Map<unknown>).set('title', title);
		const snapshot = Y.encodeStateAsUpdate(doc);
		rows.length = 0;
		addDecision(doc, itemA, CASE_DECISION);
		addDecision(doc, opening, GENERAL_DECISION);
		addDecision(doc, itemB, SECOND_CASE_DECISION);
		addDecision(doc, itemPurged, PURGED_DECISION);
		meetingNotesOf(doc).insert(0, 'Algemene notitie.');
		raw = new Database(file);
		raw.prepare('insert into doc_snapshots (doc_name, state, last_update_id, updated_at) values (?, ?, 0, ?)').run(meetingDoc, Buffer.from(snapshot), at);
		const legacy = new Y.Doc();
		const old = new Y.Map<unknown>();
		for (const [k, v] of Object.entries({ id: 'oud-1', caseId: caseA, caseCode: 'TT-1', title: LEGACY_TITLE, plannedMinutes: 10, status: 'gepland' })) old.set(k, v);
		legacy.getArray('agenda').push([old]);
		raw.prepare('insert into doc_updates (doc_name, data, created_at) values (?, ?, ?)').run(legacyDoc, Buffer.from(Y.encodeStateAsUpdate(legacy)), at);
		legacy.destroy();
		for (const u of rows) raw.prepare('insert into doc_updates (doc_name, data, created_at) values (?, ?, ?)').run(meetingDoc, Buffer.from(u), at);
		// the case already has minutes in its bespreking document
		const minutes = new Y.Doc();
		minutesText(minutes).insert(0, 'Verslag van TT-1.');
		raw.prepare('insert into doc_updates (doc_name, data, created_at) values (?, ?, ?)').run(besprekingDocName(meetingId, caseA), Buffer.from(Y.encodeStateAsUpdate(minutes)), at);
		doc.destroy();
		minutes.destroy();
	});

	afterAll(async () => {
		raw?.close();
		await mdb?.destroy();
		fs.rmSync(mdir, { recursive: true, force: true });
	});

	const decisionsIn = (name: string) => readDecisions(docFromDatabase(raw, name).doc);

	it('A decision about a case ends up in its bespreking document and no longer in the meeting document, bytes included; general decisions and notes stay.', async () => {
		expect(decisionsIn(meetingDoc).map((d) => d.text)).toEqual([CASE_DECISION, GENERAL_DECISION, SECOND_CASE_DECISION, PURGED_DECISION]);
		const idA = decisionsIn(meetingDoc)[0]!.id;

		const { error } = await migrator(mdb).migrateToLatest();
		expect(error).toBeUndefined();

		const meeting = docFromDatabase(raw, meetingDoc).doc;
		expect(readDecisions(meeting).map((d) => d.text)).toEqual([GENERAL_DECISION]);
		expect(meetingNotesOf(meeting).toString()).toBe('Algemene notitie.');
		expect(readAgenda(meeting).map((i) => i.caseCode)).toEqual([null, 'TT-1', 'TT-2', 'TT-3']);
		// the case items lost their titles; the general item keeps its own
		expect(readAgenda(meeting).map((i) => i.title)).toEqual(['Opening en mededelingen', '', '', '']);
		// what a member downloading the meeting document could get: none of the case decisions
		const stored = rawStoredBytes(raw, meetingDoc).toString('latin1');
		for (const text of [CASE_DECISION, SECOND_CASE_DECISION, PURGED_DECISION, TITLE_A, TITLE_B]) expect(stored).not.toContain(text.slice(0, 20));
		expect(stored).toContain(GENERAL_DECISION.slice(0, 20));

		// a document with titled case items and no decisions is rewritten too
		const legacyMeeting = docFromDatabase(raw, legacyDoc).doc;
		expect(readAgenda(legacyMeeting).map((i) => [i.id, i.caseCode, i.title])).toEqual([['oud-1', 'TT-1', '']]);
		expect(rawStoredBytes(raw, legacyDoc).toString('latin1')).not.toContain(LEGACY_TITLE.slice(0, 20));

		const a = docFromDatabase(raw, besprekingDocName(meetingId, caseA)).doc;
		expect(readDecisions(a)).toEqual([{ id: idA, itemId: expect.any(String), text: CASE_DECISION }]);
		expect(minutesText(a).toString()).toBe('Verslag van TT-1.');
		expect(decisionsIn(besprekingDocName(meetingId, caseB)).map((d) => d.text)).toEqual([SECOND_CASE_DECISION]);
		// a purged case gets nothing back: its decision is gone, not moved
		expect(rawStoredBytes(raw, besprekingDocName(meetingId, purged)).length).toBe(0);
	});

	it('Running 0012 again changes nothing: no second copy, no new rows.', async () => {
		const count = () => (raw.prepare('select count(*) as n from doc_updates').get() as { n: number }).n;
		const before = count();
		await m0012.up(mdb);
		expect(count()).toBe(before);
		expect(decisionsIn(besprekingDocName(meetingId, caseA)).map((d) => d.text)).toEqual([CASE_DECISION]);
		expect(decisionsIn(besprekingDocName(meetingId, caseB)).map((d) => d.text)).toEqual([SECOND_CASE_DECISION]);
		expect(decisionsIn(meetingDoc).map((d) => d.text)).toEqual([GENERAL_DECISION]);
	});
});
