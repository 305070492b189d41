import type { JoinResult } from '../../../src/lib/shared/live';
import { connectDoc, connectLive, emitAck, liveConnected, type DocClient, type LiveSocket } from './realtime';
import type { TestServer } from './server';

/**
 * The realtime clients one test file opens against its server, all closed after each test
 * (`afterEach(() => pool.closeAll())`): stock y-websocket providers on documents and socket.io
 * clients on `/live`. `as` gives a demo user's session cookie (`demoLogins`); the `…WithCookie`
 * forms take any cookie (a fresh login, none, a forged one).
 */
export interface ClientPool {
	/** A document client with that cookie; not waited for (`await client.synced`). */
	docWithCookie(cookie: string | null, docName: string, options?: Parameters<typeof connectDoc>[3]): DocClient;
	/** A document client of a demo user, after its first sync with the server. */
	openDoc(who: string, docName: string): Promise<DocClient>;
	/** A socket.io client on `/live` with that cookie, after the handshake was accepted. */
	liveWithCookie(cookie: string | null, headers?: Record<string, string>): Promise<LiveSocket>;
	/** A socket.io client of a demo user on `/live`, after the handshake was accepted. */
	connect(who: string): Promise<LiveSocket>;
	/** A demo user's live socket that has joined the meeting; throws with the refusal's code otherwise. */
	joined(who: string, meetingId: number): Promise<LiveSocket>;
	/** Anything else with a `disconnect()` to close after the test (a socket not yet connected). */
	track<T extends { disconnect(): unknown }>(socket: T): T;
	/** Closes the document clients only (so the server can unload the documents). */
	closeDocs(): void;
	closeAll(): void;
}

export function clientPool(server: () => TestServer, as: (who: string) => Promise<string>): ClientPool {
	const docs: DocClient[] = [];
	const sockets: { disconnect(): unknown }[] = [];
	const pool: ClientPool = {
		docWithCookie(cookie, docName, options) {
			const client = connectDoc(server().url, docName, cookie, options);
			docs.push(client);
			return client;
		},
		async openDoc(who, docName) {
			const client = pool.docWithCookie(await as(who), docName);
			await client.synced;
			return client;
		},
		async liveWithCookie(cookie, headers = {}) {
			const socket = pool.track(connectLive(server().url, cookie, headers));
			await liveConnected(socket);
			return socket;
		},
		async connect(who) {
			return pool.liveWithCookie(await as(who));
		},
		async joined(who, meetingId) {
			const socket = await pool.connect(who);
			const reply = await emitAck<JoinResult>(socket, 'meeting:join', { meetingId });
			if (!reply.ok) throw new Error(`${who} could not join meeting ${meetingId}: ${reply.code}`);
			return socket;
		},
		track(socket) {
			sockets.push(socket);
			return socket;
		},
		closeDocs() {
			for (const d of docs.splice(0)) d.destroy();
		},
		closeAll() {
			for (const s of sockets.splice(0)) s.disconnect();
			pool.closeDocs();
		}
	};
	return pool;
}
