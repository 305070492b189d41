import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { migrateToLatest, openDatabase, sqliteHandle, type Db } from '../../src/lib/server/db/index';
import { createSqliteDocStore } from '../../src/lib/server/collab/store';

/** The update log on a real SQLite file: group commit, and a failed write that is retried. */
let db: Db | null = null;
afterEach(async () => {
	await db?.destroy();
	db = null;
});

async function freshStore(onWriteError: (error: unknown, attempt: number) => void = () => {}) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casustafel-store-'));
	db = openDatabase(path.join(dir, 'store.sqlite'));
	await migrateToLatest(db);
	const sqlite = sqliteHandle(db);
	const store = createSqliteDocStore(sqlite, { now: () => new Date(), onWriteError, retryDelayMs: 10 });
	return { sqlite, store };
}

function update(text: string): Uint8Array {
	const doc = new Y.Doc();
	doc.getText('t').insert(0, text);
	return Y.encodeStateAsUpdate(doc);
}

describe('the document update log', () => {
	it('writes every update handed in during one tick in one transaction, in order', async () => {
		const { sqlite, store } = await freshStore();
		const ids = await Promise.all([store.append('case:1', update('a')), store.append('case:2', update('b')), store.append('case:1', update('c'))]);
		expect(ids).toEqual([...ids].sort((x, y) => x - y));
		const rows = sqlite.prepare('select doc_name from doc_updates order by id').all() as { doc_name: string }[];
		expect(rows.map((r) => r.doc_name)).toEqual(['case:1', 'case:2', 'case:1']);
		expect(store.load('case:1').updates).toHaveLength(2);
	});

	it('keeps a batch whose write failed and stores it once the database accepts writes again', async () => {
		const errors: number[] = [];
		const { sqlite, store } = await freshStore((_e, attempt) => errors.push(attempt));
		sqlite.exec(`create trigger refuse before insert on doc_updates begin select raise(abort, 'disk full'); end;`);
		let stored = false;
		const pending = store.append('case:7', update('niet kwijtraken')).then((id) => {
			stored = true;
			return id;
		});
		await new Promise((r) => setTimeout(r, 100));
		expect(stored).toBe(false);
		expect(errors.length).toBeGreaterThanOrEqual(2); // logged loudly, and retried
		expect(store.pending).toBe(1);

		sqlite.exec('drop trigger refuse');
		await pending;
		const loaded = store.load('case:7');
		const doc = new Y.Doc();
		for (const u of loaded.updates) Y.applyUpdate(doc, u);
		expect(doc.getText('t').toString()).toBe('niet kwijtraken');
		await store.flush();
		expect(store.pending).toBe(0);
	});

	it('never reuses an id after compaction deleted the newest rows, so nothing hides below a snapshot', async () => {
		const { store } = await freshStore();
		const first = await store.append('case:3', update('eerste'));
		store.compact('case:3', update('eerste'), first);
		const second = await store.append('case:3', update('tweede'));
		expect(second).toBeGreaterThan(first);
		expect(store.load('case:3').updates).toHaveLength(1);
	});
});

describe('WAL checkpoints on a worker thread', () => {
	it('keeps the WAL checkpointed while the event loop only commits, and loses nothing', async () => {
		const { startWalCheckpointer } = await import('../../src/lib/server/db/checkpoint');
		const pino = (await import('pino')).default;
		const { sqlite, store } = await freshStore();
		const checkpointer = startWalCheckpointer(db!, pino({ level: 'silent' }), 50);
		expect(checkpointer).not.toBeNull();
		try {
			// the commit path no longer checkpoints by itself
			expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
			const sent: Promise<number>[] = [];
			for (let i = 0; i < 3000; i++) {
				sent.push(store.append(`case:${i % 20}`, update(`regel ${i} `.repeat(20))));
				if (i % 100 === 99) await new Promise((r) => setImmediate(r));
			}
			await Promise.all(sent);
			// the worker catches up: every WAL frame ends up in the database file
			const { stats } = checkpointer!;
			for (let i = 0; i < 100 && !(stats.lastLog > 0 && stats.lastCheckpointed === stats.lastLog); i++) {
				await new Promise((r) => setTimeout(r, 50));
			}
			expect(stats.lastLog).toBeGreaterThan(0);
			expect(stats.lastCheckpointed).toBe(stats.lastLog);
			expect(sqlite.prepare('select count(*) as n from doc_updates').get()).toEqual({ n: 3000 });
		} finally {
			await checkpointer!.stop();
		}
		// stopping hands the checkpoint back to SQLite
		expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
	});
});
