import WebSocket from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../../../src/lib/shared/live';

/**
 * Real clients for the realtime endpoints, as a browser tab would hold them: a stock
 * y-websocket `WebsocketProvider` (with `ws` carrying the session cookie, since Node has no
 * cookie jar) and a socket.io client on `/live`.
 */

export interface CloseInfo {
	code: number;
	reason: string;
}

export interface DocClient {
	doc: Y.Doc;
	provider: WebsocketProvider;
	/** resolves at the first sync with the server */
	synced: Promise<void>;
	/** resolves when the server closes the connection for good (44xx), with its code */
	closed: Promise<CloseInfo>;
	/** every close the provider saw, server- or network-caused (null = closed locally) */
	closes: (CloseInfo | null)[];
	destroy(): void;
}

/** The websocket base URL of the document endpoint, e.g. ws://127.0.0.1:41234/collab */
export const collabUrl = (httpUrl: string) => `${httpUrl.replace(/^http/, 'ws')}/collab`;

function cookieWebSocket(cookie: string | null) {
	return class CookieWebSocket extends WebSocket {
		constructor(url: string | URL, protocols?: string | string[]) {
			super(url, protocols, cookie ? { headers: { cookie } } : {});
		}
	};
}

/** A stock y-websocket client on `docName` with the given session cookie (or none). */
export function connectDoc(
	httpUrl: string,
	docName: string,
	cookie: string | null,
	options: { doc?: Y.Doc; maxBackoffTime?: number } = {}
): DocClient {
	const doc = options.doc ?? new Y.Doc();
	const provider = new WebsocketProvider(collabUrl(httpUrl), docName, doc, {
		WebSocketPolyfill: cookieWebSocket(cookie) as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		maxBackoffTime: options.maxBackoffTime ?? 500
	});
	const closes: (CloseInfo | null)[] = [];
	provider.on('connection-close', (event) => {
		closes.push(event ? { code: event.code, reason: event.reason } : null);
	});
	const synced = new Promise<void>((resolve) => {
		if (provider.synced) resolve();
		const onSync = (state: boolean) => {
			if (!state) return;
			provider.off('sync', onSync);
			resolve();
		};
		provider.on('sync', onSync);
	});
	const closed = new Promise<CloseInfo>((resolve) => {
		provider.once('closed', (event) => resolve({ code: event.code, reason: event.reason }));
	});
	return {
		doc,
		provider,
		synced,
		closed,
		closes,
		destroy() {
			provider.destroy();
			provider.awareness.destroy();
			doc.destroy();
		}
	};
}

/** A plain websocket on a document, for what no stock client sends (malformed messages). */
export function rawDocSocket(httpUrl: string, docName: string, cookie: string | null) {
	const ws = new WebSocket(`${collabUrl(httpUrl)}/${docName}`, cookie ? { headers: { cookie } } : {});
	const messages: Uint8Array[] = [];
	ws.on('message', (data: Buffer) => messages.push(new Uint8Array(data)));
	const opened = new Promise<void>((resolve, reject) => {
		ws.once('open', () => resolve());
		ws.once('error', reject);
	});
	const closed = new Promise<CloseInfo>((resolve) => {
		ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
	});
	return { ws, messages, opened, closed };
}

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A socket.io client on `/live`; not yet connected until `connected` resolves. */
export function connectLive(httpUrl: string, cookie: string | null, headers: Record<string, string> = {}): LiveSocket {
	return io(`${httpUrl}/live`, {
		transports: ['websocket'],
		extraHeaders: { ...headers, ...(cookie ? { cookie } : {}) },
		reconnection: false,
		forceNew: true
	});
}

/** Resolves once connected; rejects with the server's refusal (e.g. "UNAUTHENTICATED"). */
export function liveConnected(socket: LiveSocket, timeoutMs = 5_000): Promise<void> {
	return new Promise((resolve, reject) => {
		if (socket.connected) return resolve();
		const timer = setTimeout(() => reject(new Error('socket.io: no connection')), timeoutMs);
		socket.once('connect', () => {
			clearTimeout(timer);
			resolve();
		});
		socket.once('connect_error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
	});
}

/** Emits an event and waits for the acknowledgement. */
export function emitAck<T = unknown>(socket: LiveSocket, event: string, payload: unknown, timeoutMs = 5_000): Promise<Ack<T>> {
	return (socket as unknown as Socket).timeout(timeoutMs).emitWithAck(event, payload) as Promise<Ack<T>>;
}

/** Polls until `check` holds (or returns without throwing), then returns its value. */
export async function waitFor<T>(
	what: string,
	check: () => T | false | undefined | null,
	timeoutMs = 5_000,
	intervalMs = 10
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	for (;;) {
		try {
			const value = check();
			if (value !== false && value !== undefined && value !== null) return value;
			lastError = undefined;
		} catch (e) {
			lastError = e;
		}
		if (Date.now() > deadline) {
			throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
		}
		await new Promise((r) => setTimeout(r, intervalMs));
	}
}

/** Resolves with the first event of that name (and its payload), or rejects after a timeout. */
export function nextEvent<T>(socket: LiveSocket, event: keyof ServerToClientEvents | 'disconnect', timeoutMs = 3_000): Promise<T> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
		(socket as unknown as Socket).once(event, (payload: T) => {
			clearTimeout(timer);
			resolve(payload);
		});
	});
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The document as the database holds it: snapshot plus the update log, replayed. */
export function docFromDatabase(
	db: { prepare(sql: string): { get(...a: unknown[]): unknown; all(...a: unknown[]): unknown[] } },
	docName: string
): { doc: Y.Doc; updates: number; hasSnapshot: boolean } {
	const snap = db
		.prepare('select state, last_update_id from doc_snapshots where doc_name = ?')
		.get(docName) as { state: Buffer; last_update_id: number } | undefined;
	const rows = db
		.prepare('select data from doc_updates where doc_name = ? and id > ? order by id')
		.all(docName, snap?.last_update_id ?? 0) as { data: Buffer }[];
	const doc = new Y.Doc();
	if (snap) Y.applyUpdate(doc, new Uint8Array(snap.state));
	for (const row of rows) Y.applyUpdate(doc, new Uint8Array(row.data));
	return { doc, updates: rows.length, hasSnapshot: snap !== undefined };
}

/** Every string stored for a document, snapshot and log rows alike, raw (for "never stored"). */
export function rawStoredBytes(
	db: { prepare(sql: string): { all(...a: unknown[]): unknown[] } },
	docName: string
): Buffer {
	const snaps = db.prepare('select state as data from doc_snapshots where doc_name = ?').all(docName) as { data: Buffer }[];
	const rows = db.prepare('select data from doc_updates where doc_name = ?').all(docName) as { data: Buffer }[];
	return Buffer.concat([...snaps, ...rows].map((r) => r.data));
}

/** `<…>` tokens typed by test writers; inserted only at token boundaries so none is ever split. */
export const TOKEN = /<[^<>]+>/g;
export const tokens = (text: string) => text.match(TOKEN) ?? [];
export function insertToken(text: Y.Text, token: string, random: () => number) {
	const current = text.toString();
	const boundaries = [0];
	for (let i = 0; i < current.length; i++) if (current[i] === '>') boundaries.push(i + 1);
	text.insert(boundaries[Math.floor(random() * boundaries.length)]!, token);
}

/** A small deterministic generator, so a failure can be replayed from its seed. */
export function seeded(seed: number) {
	return () => {
		seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
		return seed / 2 ** 31;
	};
}
