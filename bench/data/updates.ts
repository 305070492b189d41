/**
 * Stored updates per second with group commit: the real `createSqliteDocStore` on a migrated
 * SQLite file, fed with real Yjs updates (keystrokes of 20–40 bytes, now and then a 300-char
 * paste) made beforehand with real Y.Docs, one per document. Closed loop: each of `callers`
 * callers appends the next update of its own document as soon as the previous one is durable
 * (its promise resolved), as the hub does before it broadcasts.
 *
 * The store's commits are counted by wrapping the transaction function it creates (the
 * better-sqlite3 handle is passed through a Proxy that only wraps `transaction`), which gives
 * rows per commit and the time each commit holds the event loop.
 */
import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import * as Y from 'yjs';
import { createSqliteDocStore, type DocStore } from '../../src/lib/server/collab/store';
import { rng, round } from '../sync/stats';
import { dist, tempDatabase, type Dist } from './common';

const PROSE =
	'Afgesproken dat het sociaal team voor vrijdag contact opneemt met de moeder over de huisvesting. ' +
	'De wijkagent meldt dat de overlast sinds de vorige bespreking is afgenomen. Schuldhulp loopt, ' +
	'de eerste afspraak bij de gemeente is gepland. Zorgen over school blijven: verzuim neemt toe. ';

/** Real updates for `docs` documents: keystrokes, ~4% backspaces, a 300-char paste 1 in `pasteEvery`. */
export function makeUpdates(docs: number, perDoc: number, seed: number, pasteEvery = 100): Uint8Array[][] {
	const random = rng(seed);
	const out: Uint8Array[][] = [];
	for (let d = 0; d < docs; d++) {
		// two writers per document, as in a meeting; each update is what its typist's doc emits
		const writers = [new Y.Doc(), new Y.Doc()];
		const updates: Uint8Array[] = [];
		for (const w of writers) {
			w.on('update', (u: Uint8Array, origin: unknown) => {
				if (origin !== 'remote') updates.push(u);
			});
		}
		let k = 0;
		while (updates.length < perDoc) {
			const w = writers[Math.floor(random() * 2)]!;
			const text = w.getText('situatie');
			const at = Math.floor(random() * (text.length + 1));
			const r = random();
			if (r < 1 / pasteEvery) {
				let content = '';
				while (content.length < 300) content += PROSE;
				text.insert(at, content.slice(0, 300));
			} else if (r < 0.05 && text.length > 0) {
				text.delete(Math.max(0, at - 1), 1);
			} else {
				text.insert(at, PROSE[k++ % PROSE.length]!);
			}
			// the other writer sees it (as after a broadcast), so the next edit builds on it
			const other = writers[0] === w ? writers[1]! : writers[0]!;
			Y.applyUpdate(other, updates[updates.length - 1]!, 'remote');
		}
		for (const w of writers) w.destroy();
		out.push(updates.slice(0, perDoc));
	}
	return out;
}

export interface StoreRun {
	callers: number;
	seconds: number;
	updates: number;
	updatesPerSecond: number;
	bytesPerUpdate: { mean: number; p50: number; p99: number; max: number };
	/** from append() to its promise resolving (durable), per update, ms */
	appendLatency: Dist;
	/** the synchronous SQLite transaction of one group commit, ms */
	commitTime: Dist;
	rowsPerCommit: Dist;
	commits: number;
	rowsInTable: number;
	walBytesAtEnd: number;
}

/** The store's handle with `transaction` wrapped to count commits, everything else untouched. */
function counting(sqlite: Database.Database, onCommit: (rows: number, ms: number) => void): Database.Database {
	return new Proxy(sqlite, {
		get(target, prop) {
			if (prop === 'transaction') {
				return (fn: (...args: never[]) => unknown) => {
					const tx = target.transaction(fn);
					return (...args: never[]) => {
						const t0 = performance.now();
						const result = tx(...args);
						const first = args[0] as unknown;
						onCommit(Array.isArray(first) ? first.length : 0, performance.now() - t0);
						return result;
					};
				};
			}
			const value = Reflect.get(target, prop, target) as unknown;
			return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
		}
	});
}

export async function runStore(opts: { callers: number; seconds: number; warmupSeconds: number; pool: Uint8Array[][] }): Promise<StoreRun> {
	const temp = await tempDatabase('store');
	try {
		const commitTimes: number[] = [];
		const rowsPerCommit: number[] = [];
		let measuring = false;
		const store: DocStore = createSqliteDocStore(
			counting(temp.sqlite, (rows, t) => {
				if (measuring && rows > 0) {
					commitTimes.push(t);
					rowsPerCommit.push(rows);
				}
			}),
			{
				now: () => new Date(),
				onWriteError: (error) => {
					throw error;
				}
			}
		);
		const latencies: number[] = [];
		const sizes: number[] = [];
		let count = 0;
		let stop = false;
		const { pool } = opts;
		const caller = async (c: number) => {
			const docIndex = c % pool.length;
			const updates = pool[docIndex]!;
			const name = `case:${100 + docIndex}-${c}`;
			let i = 0;
			while (!stop) {
				const u = updates[i++ % updates.length]!;
				const t0 = performance.now();
				await store.append(name, u);
				if (measuring) {
					latencies.push(performance.now() - t0);
					sizes.push(u.byteLength);
					count += 1;
				}
			}
		};
		const running = Array.from({ length: opts.callers }, (_, c) => caller(c));
		await new Promise((r) => setTimeout(r, opts.warmupSeconds * 1000));
		measuring = true;
		const t0 = performance.now();
		await new Promise((r) => setTimeout(r, opts.seconds * 1000));
		measuring = false;
		const elapsed = (performance.now() - t0) / 1000;
		stop = true;
		await Promise.all(running);
		await store.flush();
		const rows = (temp.sqlite.prepare('select count(*) as n from doc_updates').get() as { n: number }).n;
		let wal = 0;
		try {
			wal = (await import('node:fs')).statSync(temp.file + '-wal').size;
		} catch {
			// no WAL file
		}
		const sizeDist = dist(sizes, 1);
		return {
			callers: opts.callers,
			seconds: round(elapsed, 2),
			updates: count,
			updatesPerSecond: Math.round(count / elapsed),
			bytesPerUpdate: { mean: sizeDist.mean, p50: sizeDist.p50, p99: sizeDist.p99, max: sizeDist.max },
			appendLatency: dist(latencies),
			commitTime: dist(commitTimes),
			rowsPerCommit: dist(rowsPerCommit, 1),
			commits: commitTimes.length,
			rowsInTable: rows,
			walBytesAtEnd: wal
		};
	} finally {
		await temp.close();
	}
}
