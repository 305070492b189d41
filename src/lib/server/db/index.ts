import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Transaction } from 'kysely';
import { migrationProvider } from '../../../../migrations/index';
import type { DB } from './schema';

export type Db = Kysely<DB>;
/** Repository functions take this first so services can compose them in one transaction. */
export type Executor = Kysely<DB> | Transaction<DB>;

/**
 * Opens the embedded SQLite database: WAL for concurrent readers, foreign keys enforced,
 * a busy timeout so a second connection waits instead of failing, and secure_delete.
 */
export function openDatabase(databaseUrl: string): Db {
	if (databaseUrl.startsWith('postgres')) {
		throw new Error('Postgres is planned for several nodes; use a SQLite path for now.');
	}
	const file = databaseUrl.replace(/^sqlite:(\/\/)?/, '');
	if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
	const sqlite = new Database(file);
	sqlite.pragma('journal_mode = WAL');
	sqlite.pragma('foreign_keys = ON');
	sqlite.pragma('busy_timeout = 5000');
	sqlite.pragma('synchronous = NORMAL');
	// deleted rows and freed pages are overwritten with zeros, so what the retention purge
	// removes (names, free text, old document updates) does not linger in the file
	sqlite.pragma('secure_delete = ON');
	const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
	handles.set(db, sqlite);
	return db;
}

const handles = new WeakMap<Db, Database.Database>();

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running most of
 * our queries (it showed in every profile of bench/sync). Kysely holds its one connection for
 * one query (or stream, or transaction) at a time, so a prepared statement is never used twice
 * at once and can be kept, keyed by its SQL text. The cache is bounded; SQLite re-prepares a
 * kept statement by itself after a schema change.
 */
function withStatementCache(sqlite: Database.Database, max = 1000) {
	const cache = new Map<string, Database.Statement>();
	return {
		close: () => sqlite.close(),
		prepare(sql: string) {
			let statement = cache.get(sql);
			if (statement) {
				// most recently used last, so the oldest is dropped first
				cache.delete(sql);
			} else {
				statement = sqlite.prepare(sql);
				if (cache.size >= max) cache.delete(cache.keys().next().value!);
			}
			cache.set(sql, statement);
			return statement;
		}
	};
}

/**
 * The raw better-sqlite3 handle behind a Kysely instance, for the one hot path that needs
 * synchronous prepared statements (the document update log); everything else uses Kysely.
 */
export function sqliteHandle(db: Db): Database.Database {
	const handle = handles.get(db);
	if (!handle) throw new Error('not a SQLite database opened by openDatabase');
	return handle;
}

export function migrator(db: Kysely<any>): Migrator {
	return new Migrator({ db, provider: migrationProvider });
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<any>): Promise<void> {
	const { error, results } = await migrator(db).migrateToLatest();
	if (error) {
		const failed = results?.find((r) => r.status === 'Error');
		throw new Error(`migration ${failed?.migrationName ?? '?'} failed: ${String(error)}`);
	}
}
