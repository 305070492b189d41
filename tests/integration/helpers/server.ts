import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_PASSWORD } from '../../../src/lib/server/seed/demo';
import { demoTotpSecret, nextTotp, skipTotpStep } from './totp';

/**
 * The real Casustafel process (`server/index.ts`, run by `node --import tsx`) as a child process with its own
 * SQLite file, for tests that talk HTTP (and websockets) to it. It builds nothing:
 * `build/handler.js` must exist (the test command runs `vite build` first).
 *
 * The server listens on PORT=0 and HOST=127.0.0.1 without ORIGIN (server/index.ts tells
 * adapter-node the real protocol itself); the URL is read from what the server prints.
 */
export interface TestServer {
	/** e.g. http://127.0.0.1:41234, as the server printed it */
	url: string;
	/** the port the server listens on; a restart listens on the same one */
	port: number;
	/** the SQLite file the server owns; tests may open it read-only */
	dbFile: string;
	/** the server process's id (it leads its own process group), e.g. to read /proc/<pid>/status */
	pid: number;
	/** everything the process wrote, for failure messages */
	output(): string;
	/** Ends the server gracefully (SIGTERM) and removes its database. */
	stop(): Promise<void>;
	/** Kills the whole process group with SIGKILL, as a crash or `kill -9` would; keeps the database. */
	crash(): Promise<void>;
	/**
	 * Starts the server again on the same database file and the same port, so clients that
	 * were connected to the old one can reconnect by themselves. The old process must be gone.
	 */
	restart(): Promise<TestServer>;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const READY = /Casustafel draait op (http:\/\/\S+)/;

function signalGroup(child: ChildProcess, sig: NodeJS.Signals) {
	try {
		process.kill(-child.pid!, sig);
	} catch {
		// already gone
	}
}

function isRunning(child: ChildProcess) {
	return child.exitCode === null && child.signalCode === null && child.pid !== undefined;
}

/** Ends the child and anything it started, by its process group id. */
async function killGroup(child: ChildProcess, hard = false): Promise<void> {
	if (!isRunning(child)) {
		if (child.pid !== undefined) signalGroup(child, 'SIGKILL');
		return;
	}
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	signalGroup(child, hard ? 'SIGKILL' : 'SIGTERM');
	const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5_000);
	await exited;
	clearTimeout(timer);
	// make sure nothing of the group outlives it and keeps the port
	signalGroup(child, 'SIGKILL');
}

async function spawnOnce(dir: string, dbFile: string, port: number, extraEnv: NodeJS.ProcessEnv = {}): Promise<TestServer> {
	const env: NodeJS.ProcessEnv = {
		...process.env,
		...extraEnv,
		PORT: String(port),
		HOST: '127.0.0.1',
		DATABASE_URL: dbFile,
		SEED_DEMO: 'true',
		LOG_LEVEL: 'warn'
	};
	// the server works out its own origin; an inherited one would name another port
	delete env.ORIGIN;
	delete env.PROTOCOL_HEADER;
	// `node --import tsx` runs the server in this one process (no npx, no tsx launcher in between)
	const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
		cwd: ROOT,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
		env
	});
	let output = '';
	const url = await new Promise<string>((resolve, reject) => {
		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			const match = READY.exec(output);
			if (match) resolve(match[1]!);
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.once('exit', (code, sig) =>
			reject(new Error(`server exited (${code ?? sig}) before it was ready:\n${output}`))
		);
		setTimeout(() => reject(new Error(`server not ready after 45 s:\n${output}`)), 45_000).unref();
	}).catch(async (e) => {
		await killGroup(child);
		throw e;
	});
	const server: TestServer = {
		url,
		port: Number(new URL(url).port),
		dbFile,
		pid: child.pid!,
		output: () => output,
		stop: async () => {
			await killGroup(child);
			fs.rmSync(dir, { recursive: true, force: true });
		},
		crash: () => killGroup(child, true),
		restart: async () => {
			if (isRunning(child)) throw new Error('restart: the old server is still running');
			return spawnWithRetry(dir, dbFile, server.port, extraEnv);
		}
	};
	return server;
}

async function spawnWithRetry(dir: string, dbFile: string, port: number, extraEnv: NodeJS.ProcessEnv = {}): Promise<TestServer> {
	let lastError: unknown;
	for (let attempt = 0; attempt < 5; attempt++) {
		try {
			return await spawnOnce(dir, dbFile, port, extraEnv);
		} catch (e) {
			lastError = e;
			// a fixed port (restart) can still be held by the dying process for a moment
			if (port === 0 || !String(e).includes('EADDRINUSE')) break;
			await new Promise((r) => setTimeout(r, 200));
		}
	}
	throw lastError;
}

/**
 * Starts a fresh server on a fresh database seeded with the demo region. `env` adds to the
 * environment (e.g. SMTP_URL); PORT, HOST, DATABASE_URL, SEED_DEMO and LOG_LEVEL stay the test's.
 */
export async function startServer(options: { env?: NodeJS.ProcessEnv } = {}): Promise<TestServer> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casustafel-http-'));
	const dbFile = path.join(dir, 'casustafel.sqlite');
	try {
		return await spawnWithRetry(dir, dbFile, 0, options.env);
	} catch (e) {
		fs.rmSync(dir, { recursive: true, force: true });
		throw e;
	}
}

export const SESSION_COOKIE = 'casustafel_sessie';

export interface Reply {
	status: number;
	headers: Headers;
	body: string;
	/** `name=value` of the session cookie when the response sets one (empty value = cleared) */
	sessionCookie: string | null;
	location: string | null;
}

export interface RequestOptions {
	method?: 'GET' | 'POST';
	/** `casustafel_sessie=…`, or null for an anonymous request */
	cookie?: string | null;
	/** form fields, sent as application/x-www-form-urlencoded */
	form?: Record<string, string | number>;
	/** a raw body with its content type, for other encodings */
	body?: { contentType: string; data: string | FormData };
	/** the Origin header; a browser sends the page's origin with every form post */
	origin?: string | null;
	/** 'html' as a browser navigates, 'json' as SvelteKit's `use:enhance` posts a form */
	accept?: 'html' | 'json';
}

/** One request without following redirects, as a browser would send it. */
export async function request(base: string, pathname: string, options: RequestOptions = {}): Promise<Reply> {
	const method = options.method ?? (options.form || options.body ? 'POST' : 'GET');
	const headers: Record<string, string> = {
		accept: options.accept === 'json' ? 'application/json' : 'text/html,application/xhtml+xml'
	};
	if (options.accept === 'json' && method === 'POST') headers['x-sveltekit-action'] = 'true';
	if (options.cookie) headers.cookie = options.cookie;
	const origin = options.origin === undefined ? (method === 'POST' ? base : null) : options.origin;
	if (origin !== null) headers.origin = origin;
	let body: string | FormData | undefined;
	if (options.form) {
		headers['content-type'] = 'application/x-www-form-urlencoded';
		body = new URLSearchParams(
			Object.entries(options.form).map(([k, v]) => [k, String(v)])
		).toString();
	} else if (options.body) {
		if (typeof options.body.data === 'string') headers['content-type'] = options.body.contentType;
		body = options.body.data;
	}
	const response = await fetch(new URL(pathname, base), { method, headers, body, redirect: 'manual' });
	const setCookie = response.headers
		.getSetCookie()
		.find((c) => c.startsWith(`${SESSION_COOKIE}=`));
	return {
		status: response.status,
		headers: response.headers,
		body: await response.text(),
		sessionCookie: setCookie ? setCookie.split(';')[0]! : null,
		location: response.headers.get('location')
	};
}

/**
 * Logs in through the login form and returns the session cookie as `casustafel_sessie=…`. When
 * the server asks for the second factor (the account has TOTP on), the code is computed from
 * `totpSecret`, by default the demo beheerder's known key.
 */
export async function login(base: string, email: string, password: string, options: { totpSecret?: string } = {}): Promise<string> {
	const reply = await request(base, '/login', { form: { email, password } });
	if (reply.status !== 303 || !reply.sessionCookie || reply.sessionCookie.endsWith('=')) {
		throw new Error(`login as ${email} failed: ${reply.status}\n${reply.body.slice(0, 500)}`);
	}
	if (reply.location?.startsWith('/login/tweede-factor')) {
		const secret = options.totpSecret ?? demoTotpSecret(email);
		if (!secret) throw new Error(`login as ${email} asks for a second factor, and no TOTP key was given`);
		// each code once: a step already used (by another login of the same key) is skipped
		for (let attempt = 1; ; attempt++) {
			const step = await request(base, reply.location, { cookie: reply.sessionCookie, form: { code: await nextTotp(secret) } });
			if (step.status === 303 && !step.location?.startsWith('/login')) {
				// the second factor starts a new session (ASVS 7.2.4): the cookie it set is the one
				return step.sessionCookie && !step.sessionCookie.endsWith('=') ? step.sessionCookie : reply.sessionCookie;
			}
			if (attempt < 3 && step.body.includes('al gebruikt')) {
				await skipTotpStep(secret);
				continue;
			}
			throw new Error(`second factor for ${email} failed: ${step.status}\n${step.body.slice(0, 500)}`);
		}
	}
	return reply.sessionCookie;
}

/** A demo account's e-mail address from its local part ("deelnemer" → deelnemer@casustafel.example). */
export const demoEmail = (local: string) => `${local}@casustafel.example`;

/**
 * Logs demo users in once each and hands out their session cookies; `server` is read at the
 * first login, so the cache can be made before the server has started.
 */
export function demoLogins(server: () => TestServer) {
	const cookies = new Map<string, Promise<string>>();
	return (local: string): Promise<string> => {
		if (!cookies.has(local)) cookies.set(local, login(server().url, demoEmail(local), DEMO_PASSWORD));
		return cookies.get(local)!;
	};
}

/** A new session of a demo user (not the cached one of `demoLogins`): a cookie of its own. */
export const freshLogin = (server: TestServer, local: string) => login(server.url, demoEmail(local), DEMO_PASSWORD);

/** The sessions table's id of a session cookie `casustafel_sessie=…`: the SHA-256 of its token. */
export const sessionIdOf = (cookie: string) => createHash('sha256').update(cookie.split('=')[1]!).digest('hex');
