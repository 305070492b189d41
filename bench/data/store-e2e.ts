/**
 * Stored updates per second end to end: the real built server (started by
 * bench/sync/servers.ts on a fresh SQLite file), one stock y-websocket client per case document
 * in this process, each typing keystrokes (one update each) at a fixed offered rate, in steps.
 * What the server stored is read from the SQLite file (read-only): doc_updates uses
 * AUTOINCREMENT, so sqlite_sequence counts every row appended, also those compaction deleted.
 * The clients share this process and the machine with the server: at high rates the clients
 * themselves may be what limits, which the report shows as "sent" below "offered".
 */
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { startCasustafel, websocketWithCookie } from '../sync/servers';
import { sleep, waitFor } from '../sync/stats';

export interface StoreE2EStep {
	offeredPerSecond: number;
	sentPerSecond: number;
	storedPerSecond: number;
	/** seconds after typing stopped until every sent update was stored */
	drainSeconds: number;
}

export interface StoreE2E {
	documents: number;
	secondsPerStep: number;
	steps: StoreE2EStep[];
}

const TEXT = 'Afgesproken dat het sociaal team voor vrijdag contact opneemt met de moeder. ';

export async function storeEndToEnd(o: { documents: number; rates: number[]; secondsPerStep: number }): Promise<StoreE2E> {
	const server = await startCasustafel(o.documents);
	const reader = new Database(server.dbFile, { readonly: true, fileMustExist: true });
	reader.pragma('busy_timeout = 5000');
	const seq = reader.prepare("SELECT coalesce(max(seq), 0) AS n FROM sqlite_sequence WHERE name = 'doc_updates'");
	const stored = () => (seq.get() as { n: number }).n;
	const clients: { doc: Y.Doc; provider: WebsocketProvider; text: Y.Text }[] = [];
	try {
		server.caseIds.forEach((id, i) => {
			const doc = new Y.Doc();
			const provider = new WebsocketProvider(server.wsBase, `case:${id}`, doc, {
				WebSocketPolyfill: websocketWithCookie(server.cookies[i % server.cookies.length]!) as unknown as typeof globalThis.WebSocket,
				disableBc: true,
				maxBackoffTime: 1000
			});
			clients.push({ doc, provider, text: doc.getText('situatie') });
		});
		await waitFor(() => clients.every((c) => c.provider.synced), 30_000, 'all clients to sync', 10);
		const steps: StoreE2EStep[] = [];
		let k = 0;
		for (const rate of o.rates) {
			const before = stored();
			let sent = 0;
			const tickMs = 10;
			const perTick = (rate * tickMs) / 1000;
			let owed = 0;
			const t0 = performance.now();
			let next = t0;
			while (performance.now() - t0 < o.secondsPerStep * 1000) {
				owed += perTick;
				while (owed >= 1) {
					const c = clients[k++ % clients.length]!;
					c.text.insert(c.text.length, TEXT[k % TEXT.length]!);
					sent += 1;
					owed -= 1;
				}
				next += tickMs;
				const wait = next - performance.now();
				await sleep(Math.max(0, wait));
			}
			const typed = (performance.now() - t0) / 1000;
			const afterTyping = stored();
			const d0 = performance.now();
			// every update sent is stored once (one row each); wait for the backlog, at most 30 s
			await waitFor(() => stored() - before >= sent, 30_000, 'the server to store what was sent', 20).catch(() => undefined);
			const drain = (performance.now() - d0) / 1000;
			const total = stored() - before;
			steps.push({
				offeredPerSecond: rate,
				sentPerSecond: Math.round(sent / typed),
				// rows stored per second over typing and draining together: the server's pace
				storedPerSecond: Math.round(total / (typed + drain)),
				drainSeconds: Math.round(drain * 100) / 100
			});
			console.log(`  offered ${rate}/s: sent ${Math.round(sent / typed)}/s, stored ${afterTyping - before} while typing and ${total} in all, drained in ${drain.toFixed(2)} s`);
			await sleep(500);
		}
		return { documents: o.documents, secondsPerStep: o.secondsPerStep, steps };
	} finally {
		for (const c of clients) {
			c.provider.destroy();
			c.provider.awareness.destroy();
			c.doc.destroy();
		}
		reader.close();
		await server.stop();
	}
}
