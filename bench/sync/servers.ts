/**
 * The two servers under test, each a child process of its own: `node --import tsx <script>`
 * spawned directly (no npx), so the child's pid is the server's node process and
 * /proc/<pid> tells its memory and CPU time. Each child leads its own process group; every
 * group is killed when the runner exits, however it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import WebSocket from 'ws';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServerProcess {
	name: string;
	pid: number;
	/** http://127.0.0.1:port */
	url: string;
	/** ws://127.0.0.1:port/collab — the y-websocket provider appends `/<docName>`; Hocuspocus: ws://127.0.0.1:port */
	wsBase: string;
	/** what the clients speak: the y-websocket protocol, or Hocuspocus's (document name in every message) */
	protocol: 'y-websocket' | 'hocuspocus';
	/** resident set size in KiB, from /proc/<pid>/status */
	rssKiB(): number;
	/** user + system CPU time in seconds, from /proc/<pid>/stat */
	cpuSeconds(): number;
	output(): string;
	stop(): Promise<void>;
}

const live = new Set<ChildProcess>();

/** Extra node flags for both servers alike, e.g. `--cpu-prof` for a profile. */
let extraNodeArgs: string[] = [];
export function setExtraNodeArgs(args: string[]): void {
	extraNodeArgs = args;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		// already gone
	}
}

/** Last resort: synchronously SIGKILL every child group still running (on `exit`). */
export function killAllChildren(): void {
	for (const child of live) killGroup(child, 'SIGKILL');
	live.clear();
}

const CLK_TCK = 100; // getconf CLK_TCK on Linux/x86-64 and arm64

function readRssKiB(pid: number): number {
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const m = /VmRSS:\s+(\d+) kB/.exec(status);
		return m ? Number(m[1]) : NaN;
	} catch {
		return NaN;
	}
}

function readCpuSeconds(pid: number): number {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		// fields after the parenthesised command name; utime and stime are fields 14 and 15
		const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
	} catch {
		return NaN;
	}
}

async function spawnServer(
	name: string,
	script: string,
	env: NodeJS.ProcessEnv,
	ready: RegExp,
	timeoutMs = 60_000,
	protocol: ServerProcess['protocol'] = 'y-websocket'
): Promise<ServerProcess> {
	const child = spawn(
		process.execPath,
		[...extraNodeArgs, '--import', 'tsx', '--import', './bench/sync/guard.ts', script],
		{ cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env }
	);
	live.add(child);
	let output = '';
	const keep = (chunk: Buffer) => {
		output += chunk.toString();
		if (output.length > 200_000) output = output.slice(-100_000);
	};
	child.stdout!.on('data', keep);
	child.stderr!.on('data', keep);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	exited.then(() => live.delete(child));

	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`${name} not ready after ${timeoutMs} ms:\n${output}`)), timeoutMs);
		const check = () => {
			const m = ready.exec(output);
			if (m) {
				clearTimeout(timer);
				child.stdout!.off('data', check);
				resolve(m[1]!);
			}
		};
		child.stdout!.on('data', check);
		child.once('exit', (code, sig) => {
			clearTimeout(timer);
			reject(new Error(`${name} exited (${code ?? sig}) before it was ready:\n${output}`));
		});
	}).catch((e) => {
		killGroup(child, 'SIGKILL');
		throw e;
	});

	const pid = child.pid!;
	let stopping: Promise<void> | undefined;
	return {
		name,
		pid,
		url,
		wsBase: url.replace(/^http/, 'ws') + (protocol === 'hocuspocus' ? '' : '/collab'),
		protocol,
		rssKiB: () => readRssKiB(pid),
		cpuSeconds: () => readCpuSeconds(pid),
		output: () => output,
		stop: () =>
			(stopping ??= (async () => {
				if (child.exitCode !== null || child.signalCode !== null) return;
				killGroup(child, 'SIGTERM');
				const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
				await exited;
				clearTimeout(timer);
				killGroup(child, 'SIGKILL');
			})())
	};
}

/** An environment with only loopback, no inherited server settings. */
function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = { ...process.env, BENCH_PARENT_PID: String(process.pid), ...extra };
	for (const key of ['ORIGIN', 'PROTOCOL_HEADER', 'YPERSISTENCE', 'CALLBACK_URL', 'NODE_OPTIONS']) {
		if (!(key in extra)) delete env[key];
	}
	return env;
}

export interface Casustafel extends ServerProcess {
	dbFile: string;
	/** rows now in doc_updates, per document (read from the SQLite file, read-only) */
	rowsPerDoc(): Map<string, number>;
	/** rows currently in doc_updates (compaction deletes them) */
	currentRows(): number;
	/** case ids the benchmark created, writable by all three benchmark users */
	caseIds: number[];
	/** `casustafel_sessie=…` per user */
	cookies: string[];
	users: string[];
}

export const DEMO_PASSWORD = 'Voorbeeld-2026';
export const BENCH_USERS = [
	'voorzitter@casustafel.example',
	'secretaris@casustafel.example',
	'deelnemer@casustafel.example'
];

async function login(base: string, email: string): Promise<string> {
	const response = await fetch(new URL('/login', base), {
		method: 'POST',
		redirect: 'manual',
		headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base, accept: 'text/html' },
		body: new URLSearchParams({ email, password: DEMO_PASSWORD }).toString()
	});
	const cookie = response.headers
		.getSetCookie()
		.map((c) => c.split(';')[0]!)
		.find((c) => c.startsWith('casustafel_sessie=') && !c.endsWith('='));
	await response.text();
	if (response.status !== 303 || !cookie) throw new Error(`login as ${email} failed: HTTP ${response.status}`);
	return cookie;
}

/**
 * Casustafel on a fresh SQLite file in a temp directory, seeded with the demo region. The
 * benchmark then adds, in its own database only: `caseCount` cases at the Top 150 table with
 * access for the Sociaal Team (so voorzitter@, secretaris@ and deelnemer@ may all write them).
 * Nothing else in the schema is touched.
 */
export async function startCasustafel(caseCount: number): Promise<Casustafel> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casustafel-bench-'));
	const dbFile = path.join(dir, 'casustafel.sqlite');
	const server = await spawnServer(
		'casustafel',
		'server/index.ts',
		baseEnv({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: dbFile, SEED_DEMO: 'true', LOG_LEVEL: 'info' }),
		/Casustafel draait op (http:\/\/\S+)/
	);
	const sqlite = new Database(dbFile);
	try {
		sqlite.pragma('busy_timeout = 5000');
		const table = sqlite.prepare("SELECT id FROM case_tables WHERE code_prefix = 'T150'").get() as { id: number };
		const org = sqlite.prepare("SELECT id FROM organisations WHERE name = 'Sociaal Team Voorbeeld'").get() as { id: number };
		const chair = sqlite.prepare('SELECT id FROM users WHERE email = ?').get(BENCH_USERS[0]) as { id: number };
		const insertCase = sqlite.prepare(
			`INSERT INTO cases (case_table_id, code, title, subject_kind, subject_name, subject_birthdate, status, created_at)
			 VALUES (?, ?, ?, 'persoon', ?, NULL, 'aangemeld', ?)`
		);
		const grant = sqlite.prepare(
			'INSERT INTO case_access (case_id, organisation_id, granted_by, granted_at) VALUES (?, ?, ?, ?)'
		);
		const at = new Date().toISOString();
		const caseIds = sqlite.transaction(() => {
			const ids: number[] = [];
			for (let i = 1; i <= caseCount; i++) {
				const id = Number(
					insertCase.run(table.id, `BENCH-${String(i).padStart(4, '0')}`, `Benchmarkcasus ${i}`, `Benchpersoon ${i}`, at)
						.lastInsertRowid
				);
				grant.run(id, org.id, chair.id, at);
				ids.push(id);
			}
			return ids;
		})();
		sqlite.close();

		const reader = new Database(dbFile, { readonly: true, fileMustExist: true });
		reader.pragma('busy_timeout = 5000');
		const perDoc = reader.prepare('SELECT doc_name AS doc, count(*) AS n FROM doc_updates GROUP BY doc_name');
		const current = reader.prepare('SELECT count(*) AS n FROM doc_updates');
		const cookies: string[] = [];
		for (const email of BENCH_USERS) cookies.push(await login(server.url, email));
		const stop = server.stop;
		return {
			...server,
			dbFile,
			caseIds,
			cookies,
			users: BENCH_USERS,
			rowsPerDoc: () => new Map((perDoc.all() as { doc: string; n: number }[]).map((r) => [r.doc, r.n])),
			currentRows: () => (current.get() as { n: number }).n,
			stop: async () => {
				await stop();
				if (reader.open) reader.close();
				fs.rmSync(dir, { recursive: true, force: true });
			}
		};
	} catch (e) {
		if (sqlite.open) sqlite.close();
		await server.stop();
		fs.rmSync(dir, { recursive: true, force: true });
		throw e;
	}
}

export async function startBaseline(): Promise<ServerProcess> {
	return spawnServer(
		'baseline',
		'bench/sync/baseline-server.ts',
		baseEnv({ PORT: '0', HOST: '127.0.0.1' }),
		/baseline y-websocket-server draait op (http:\/\/\S+)/
	);
}

export interface Hocuspocus extends ServerProcess {
	/** documents stored so far (debounced saves of the whole document) */
	stats(): Promise<{ stores: number; loads: number; connections: number }>;
}

/** @hocuspocus/server 3.4.4 with @hocuspocus/extension-sqlite on a fresh file in a temp directory. */
export async function startHocuspocus(): Promise<Hocuspocus> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casustafel-bench-hocuspocus-'));
	const server = await spawnServer(
		'hocuspocus',
		'bench/sync/hocuspocus-server.ts',
		baseEnv({ PORT: '0', HOST: '127.0.0.1', HOCUSPOCUS_DB: path.join(dir, 'hocuspocus.sqlite') }),
		/baseline hocuspocus draait op (http:\/\/\S+)/,
		60_000,
		'hocuspocus'
	);
	const stop = server.stop;
	return {
		...server,
		stats: async () => (await (await fetch(new URL('/stats', server.url))).json()) as Awaited<ReturnType<Hocuspocus['stats']>>,
		stop: async () => {
			await stop();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}

/** A WebSocket class for y-websocket's `WebSocketPolyfill` that sends a cookie header. */
export function websocketWithCookie(cookie: string | null): typeof WebSocket {
	return class CookieWebSocket extends WebSocket {
		constructor(address: string | URL | null, protocols?: string | string[]) {
			super(address!, protocols, cookie ? { headers: { cookie } } : {});
		}
	} as typeof WebSocket;
}

/**
 * The exit discipline every runner of bench/ shares: on SIGINT, SIGTERM, an unhandled
 * rejection or the watchdog, run `beforeExit` (at most 3 s), kill every server process group
 * and exit with a code. Returns `bail(code, why)` for the runner's own failures.
 */
export function exitGuard(watchdogMinutes: number, beforeExit?: () => Promise<unknown>) {
	let exiting = false;
	const bail = async (code: number, why: string) => {
		if (exiting) return;
		exiting = true;
		console.error(why);
		killAllChildren();
		try {
			if (beforeExit) await Promise.race([beforeExit(), new Promise((r) => setTimeout(r, 3000))]);
		} finally {
			process.exit(code);
		}
	};
	process.on('exit', killAllChildren);
	process.once('SIGINT', () => void bail(130, 'interrupted'));
	process.once('SIGTERM', () => void bail(143, 'terminated'));
	process.on('unhandledRejection', (e) => void bail(1, `unhandled rejection: ${String((e as Error)?.stack ?? e)}`));
	setTimeout(() => void bail(1, `benchmark did not finish within ${watchdogMinutes} minutes`), watchdogMinutes * 60_000).unref();
	return bail;
}
