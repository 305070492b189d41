/**
 * Shared by the bench/data parts: a real migrated SQLite file in a temp directory, the machine
 * and the code measured, distributions with p95, and the marked section of bench/README.md.
 */
import { git, machine as baseMachine, rewriteSection } from '../machine';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pino from 'pino';
import { createContext, type AppContext } from '../../src/lib/server/context';
import { migrateToLatest, openDatabase, sqliteHandle, type Db } from '../../src/lib/server/db/index';
import { percentile, round } from '../sync/stats';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const silentLog = pino({ level: 'silent' });

export interface TempDb {
	dir: string;
	file: string;
	db: Db;
	sqlite: Database.Database;
	close(): Promise<void>;
}

/** A fresh SQLite file with every migration applied, opened as the server opens it. */
export async function tempDatabase(prefix: string): Promise<TempDb> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `casustafel-bench-${prefix}-`));
	const file = path.join(dir, 'casustafel.sqlite');
	const db = openDatabase(file);
	await migrateToLatest(db);
	return {
		dir,
		file,
		db,
		sqlite: sqliteHandle(db),
		close: async () => {
			await db.destroy();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}

/** The application context (migrated, demo region seeded) on a fresh temp SQLite file. */
export async function tempContext(prefix: string, now: () => Date): Promise<{ ctx: AppContext; dir: string; close(): Promise<void> }> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), `casustafel-bench-${prefix}-`));
	const log = console.log;
	console.log = () => {}; // the demo seed prints its logins
	const ctx = await createContext({
		config: {
			databaseUrl: path.join(dir, 'casustafel.sqlite'),
			seedDemo: true,
			logLevel: 'silent',
			sessionIdleMinutes: 30,
			sessionAbsoluteHours: 12
		},
		log: silentLog,
		now
	}).finally(() => {
		console.log = log;
	});
	return {
		ctx,
		dir,
		close: async () => {
			await ctx.db.destroy();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}

export interface Dist {
	count: number;
	mean: number;
	p50: number;
	p95: number;
	p99: number;
	max: number;
}

export function dist(samples: number[], digits = 3): Dist {
	const sorted = Float64Array.from(samples).sort();
	let sum = 0;
	for (const x of sorted) sum += x;
	return {
		count: sorted.length,
		mean: round(sorted.length ? sum / sorted.length : NaN, digits),
		p50: round(percentile(sorted, 50), digits),
		p95: round(percentile(sorted, 95), digits),
		p99: round(percentile(sorted, 99), digits),
		max: round(sorted.length ? sorted[sorted.length - 1]! : NaN, digits)
	};
}

export function machine() {
	return {
		...baseMachine(),
		sqlite: (new Database(':memory:').prepare('select sqlite_version() as v').get() as { v: string }).v
	};
}

/** The commit measured, and how many files under the measured code had uncommitted changes. */
export function source() {
	return {
		commit: git('rev-parse', '--short', 'HEAD') || 'unknown',
		uncommittedChanges: git('status', '--porcelain', '--', 'src', 'server', 'migrations').split('\n').filter(Boolean).length
	};
}


export const ms = (x: number) => (x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0)) + ' ms';
export const int = (x: number) => Math.round(x).toLocaleString('en-US');

/** This runner's marked section of bench/README.md. */
export const rewriteReadme = (section: string) => rewriteSection('data', section);
