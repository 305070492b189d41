/**
 * Opening the three-year case end to end: the real built server (`node --import tsx
 * server/index.ts`, started by bench/sync/servers.ts on a fresh SQLite file with the demo
 * region), a stock y-websocket `WebsocketProvider` with voorzitter@'s session cookie (chair of
 * the MDA++ table), timed from constructing the provider to its `sync` event. The compacted
 * history is put into the server's database as the snapshot of the demo MDA++ case before
 * anyone opens it; between opens the client closes and the server unloads the document, so
 * every open loads it from SQLite. An empty case document (Top 150, the same session) is
 * opened the same way for comparison: the difference is what the history costs.
 */
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { startCasustafel, websocketWithCookie, type Casustafel } from '../sync/servers';
import { sleep } from '../sync/stats';
import { dist, type Dist } from './common';

export interface OpenE2E {
	iterations: number;
	history: Dist;
	empty: Dist;
	docBytesAtClient: number;
	serverStartSeconds: number;
}

async function openOnce(server: Casustafel, docName: string, WS: ReturnType<typeof websocketWithCookie>): Promise<{ ms: number; bytes: number }> {
	const doc = new Y.Doc();
	const t0 = performance.now();
	const provider = new WebsocketProvider(server.wsBase, docName, doc, {
		WebSocketPolyfill: WS as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		maxBackoffTime: 1000
	});
	try {
		const ms = await new Promise<number>((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error(`${docName} not synced within 10 s`)), 10_000);
			provider.once('sync', (synced: boolean) => {
				if (!synced) return;
				clearTimeout(timer);
				resolve(performance.now() - t0);
			});
			provider.on('connection-close', (event: { code: number } | null) => {
				if (event && event.code >= 4000) {
					clearTimeout(timer);
					reject(new Error(`${docName} refused: ${event.code}`));
				}
			});
		});
		return { ms, bytes: Y.encodeStateAsUpdate(doc).byteLength };
	} finally {
		const ws = provider.ws;
		provider.destroy();
		provider.awareness.destroy();
		doc.destroy();
		// until the socket is closed, and a moment for the server's unload (a timer of 0 ms)
		for (let i = 0; i < 200 && ws && ws.readyState !== ws.CLOSED; i++) await sleep(2);
		await sleep(15);
	}
}

export async function openEndToEnd(snapshot: Uint8Array, iterations: number, warmup: number): Promise<OpenE2E> {
	const t0 = performance.now();
	const server = await startCasustafel(1);
	const serverStartSeconds = (performance.now() - t0) / 1000;
	try {
		const sqlite = new Database(server.dbFile);
		let mdaCase: number;
		try {
			sqlite.pragma('busy_timeout = 5000');
			mdaCase = (sqlite.prepare("SELECT id FROM cases WHERE code = 'MDA-2026-001'").get() as { id: number }).id;
			// as the hub leaves it after compaction: the snapshot covers every update so far
			const seq = (sqlite.prepare("SELECT coalesce(max(seq), 0) AS n FROM sqlite_sequence WHERE name = 'doc_updates'").get() as { n: number }).n;
			const rows = (sqlite.prepare('SELECT count(*) AS n FROM doc_updates WHERE doc_name = ?').get(`case:${mdaCase}`) as { n: number }).n;
			if (rows > 0) throw new Error(`case:${mdaCase} already has ${rows} stored updates`);
			sqlite
				.prepare('INSERT INTO doc_snapshots (doc_name, state, last_update_id, updated_at) VALUES (?, ?, ?, ?)')
				.run(`case:${mdaCase}`, snapshot, seq, new Date().toISOString());
		} finally {
			sqlite.close();
		}
		const WS = websocketWithCookie(server.cookies[0]!); // voorzitter@: chair of MDA++ and Top 150
		const history: number[] = [];
		const empty: number[] = [];
		let bytes = 0;
		for (let i = 0; i < warmup + iterations; i++) {
			// alternate, so that other work on the machine weighs on both alike
			const a = await openOnce(server, `case:${mdaCase}`, WS);
			const b = await openOnce(server, `case:${server.caseIds[0]}`, WS);
			if (i >= warmup) {
				history.push(a.ms);
				empty.push(b.ms);
				bytes = a.bytes;
			}
		}
		return { iterations, history: dist(history), empty: dist(empty), docBytesAtClient: bytes, serverStartSeconds: Math.round(serverStartSeconds * 10) / 10 };
	} finally {
		await server.stop();
	}
}
