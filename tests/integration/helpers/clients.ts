import { createHash } from 'node:crypto';
import { DEMO_PASSWORD } from '../../../src/lib/server/seed/demo';
import type { JoinResult } from '../../../src/lib/shared/live';
import { openShared, tableId, type SharedDb } from './db';
import { connectDoc, connectLive, emitAck, liveConnected, type DocClient, type LiveSocket } from './realtime';
import { demoEmail, login, type TestServer } from './server';

/**
 * The clients one test file opens against its server, closed together after each test
 * (`afterEach(() => pool.closeAll())`): stock y-websocket providers on documents and socket.io
 * clients on `/live`, each with a real session cookie.
 */
export interface ClientPool {
	/** A document client on `docName`; not waited for (see `synced`). */
	doc(cookie: string | null, docName: string, options?: { maxBackoffTime?: number }): DocClient;
	/** A document client on `docName`, after its first sync with the server. */
	synced(cookie: string | null, docName: string): Promise<DocClient>;
	/** A socket.io client on `/live`, after the handshake was accepted. */
	live(cookie: string | null, headers?: Record<string, string>): Promise<LiveSocket>;
	/** A live socket that has joined the meeting; throws with the refusal's code otherwise. */
	joined(cookie: string, meetingId: number): Promise<LiveSocket>;
	/** Something else with a `disconnect()` to close after the test (a raw socket.io client). */
	track<T extends { disconnect(): unknown }>(socket: T): T;
	closeAll(): void;
}

export function clientPool(server: () => TestServer): ClientPool {
	const docs: DocClient[] = [];
	const sockets: { disconnect(): unknown }[] = [];
	const pool: ClientPool = {
		doc(cookie, docName, options) {
			const client = connectDoc(server().url, docName, cookie, options);
			docs.push(client);
			return client;
		},
		async synced(cookie, docName) {
			const client = pool.doc(cookie, docName);
			await client.synced;
			return client;
		},
		async live(cookie, headers = {}) {
			const socket = connectLive(server().url, cookie, headers);
			sockets.push(socket);
			await liveConnected(socket);
			return socket;
		},
		async joined(cookie, meetingId) {
			const socket = await pool.live(cookie);
			const reply = await emitAck<JoinResult>(socket, 'meeting:join', { meetingId });
			if (!reply.ok) throw new Error(`could not join meeting ${meetingId}: ${reply.code}`);
			return socket;
		},
		track(socket) {
			sockets.push(socket);
			return socket;
		},
		closeAll() {
			for (const s of sockets.splice(0)) s.disconnect();
			for (const d of docs.splice(0)) d.destroy();
		}
	};
	return pool;
}

/** A new session of a demo user (not the cached one of `demoLogins`): its own cookie. */
export const freshLogin = (server: TestServer, who: string) => login(server.url, demoEmail(who), DEMO_PASSWORD);

/** The sessions table's id of a session cookie (the SHA-256 of its token). */
export const sessionIdOf = (cookie: string) => createHash('sha256').update(cookie.split('=')[1]!).digest('hex');

/** The first meeting of a table with that status, by start time. */
export function firstMeeting(db: SharedDb, tableName: string, status: 'gepland' | 'gesloten' = 'gepland'): number {
	const row = db
		.prepare('select id from meetings where case_table_id = ? and status = ? order by starts_at limit 1')
		.get(tableId(db, tableName), status) as { id: number } | undefined;
	if (!row) throw new Error(`no ${status} meeting of ${tableName}`);
	return row.id;
}

/** Writes to the server's database as an operator (or time) would, while the server runs. */
export function writeDb(server: TestServer, sql: string, ...params: unknown[]): void {
	const writable = openShared(server.dbFile, { writable: true });
	try {
		writable.prepare(sql).run(...params);
	} finally {
		writable.close();
	}
}
