import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NO_MIGRATIONS, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrator, openDatabase, type Db } from '../../src/lib/server/db/index';

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
