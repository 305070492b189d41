import type Database from 'better-sqlite3';

/**
 * Durable storage of Yjs documents: an append-only update log plus a compacted snapshot.
 * `append` is a group commit: every update handed in during one tick, for all documents, is
 * written in one transaction, and each caller's promise resolves only after that commit. A
 * failed commit keeps the batch and retries it (loudly), so nothing is ever dropped.
 */
export interface StoredDoc {
	snapshot: Uint8Array | null;
	updates: Uint8Array[];
	/** the log ids of `updates`, in the same order */
	ids: number[];
	/** id of the last update included in snapshot + updates */
	lastUpdateId: number;
}

export interface DocStore {
	load(docName: string): StoredDoc;
	append(docName: string, update: Uint8Array): Promise<number>;
	/** Replaces the snapshot with `state` covering every update up to `uptoId`, and drops those rows. */
	compact(docName: string, state: Uint8Array, uptoId: number): void;
	countSince(docName: string, afterId: number): number;
	/** Moves a stored update that does not apply out of the log, into doc_update_quarantine. */
	quarantine(docName: string, updateId: number, reason: string): void;
	/** Resolves when nothing is waiting to be written. */
	flush(): Promise<void>;
	readonly pending: number;
}

interface Pending {
	docName: string;
	update: Uint8Array;
	resolve: (id: number) => void;
}

export interface StoreOptions {
	now: () => Date;
	onWriteError: (error: unknown, attempt: number) => void;
	retryDelayMs?: number;
}

export function createSqliteDocStore(sqlite: Database.Database, options: StoreOptions): DocStore {
	const insert = sqlite.prepare(
		'INSERT INTO doc_updates (doc_name, data, created_at) VALUES (?, ?, ?)'
	);
	const selectSnapshot = sqlite.prepare(
		'SELECT state, last_update_id FROM doc_snapshots WHERE doc_name = ?'
	);
	const selectUpdates = sqlite.prepare(
		'SELECT id, data FROM doc_updates WHERE doc_name = ? AND id > ? ORDER BY id'
	);
	const countUpdates = sqlite.prepare(
		'SELECT count(*) AS n FROM doc_updates WHERE doc_name = ? AND id > ?'
	);
	const upsertSnapshot = sqlite.prepare(
		`INSERT INTO doc_snapshots (doc_name, state, last_update_id, updated_at) VALUES (?, ?, ?, ?)
		 ON CONFLICT (doc_name) DO UPDATE SET state = excluded.state,
		   last_update_id = excluded.last_update_id, updated_at = excluded.updated_at`
	);
	const deleteUpto = sqlite.prepare('DELETE FROM doc_updates WHERE doc_name = ? AND id <= ?');
	const moveToQuarantine = sqlite.prepare(
		`INSERT OR IGNORE INTO doc_update_quarantine (id, doc_name, data, created_at, quarantined_at, reason)
		 SELECT id, doc_name, data, created_at, ?, ? FROM doc_updates WHERE doc_name = ? AND id = ?`
	);
	const deleteOne = sqlite.prepare('DELETE FROM doc_updates WHERE doc_name = ? AND id = ?');
	const quarantineTx = sqlite.transaction((docName: string, id: number, reason: string, at: string) => {
		moveToQuarantine.run(at, reason.slice(0, 500), docName, id);
		deleteOne.run(docName, id);
	});

	const writeBatch = sqlite.transaction((batch: Pending[], at: string) =>
		// AUTOINCREMENT (migration 0002): ids only grow, even after compaction deleted the newest.
		batch.map((p) => Number(insert.run(p.docName, p.update, at).lastInsertRowid))
	);
	const compactTx = sqlite.transaction(
		(docName: string, state: Uint8Array, uptoId: number, at: string) => {
			upsertSnapshot.run(docName, state, uptoId, at);
			deleteUpto.run(docName, uptoId);
		}
	);

	let queue: Pending[] = [];
	let scheduled = false;
	let inFlight = 0;
	let idleWaiters: (() => void)[] = [];

	const settleIdle = () => {
		if (queue.length === 0 && inFlight === 0) {
			const waiters = idleWaiters;
			idleWaiters = [];
			for (const w of waiters) w();
		}
	};

	const commit = (batch: Pending[], attempt: number) => {
		try {
			const ids = writeBatch(batch, options.now().toISOString());
			inFlight -= batch.length;
			batch.forEach((p, i) => p.resolve(ids[i]!));
			settleIdle();
		} catch (error) {
			options.onWriteError(error, attempt);
			setTimeout(() => commit(batch, attempt + 1), Math.min(5000, (options.retryDelayMs ?? 50) * 2 ** attempt));
		}
	};

	const flushTick = () => {
		scheduled = false;
		const batch = queue;
		queue = [];
		if (batch.length > 0) commit(batch, 0);
	};

	return {
		load(docName) {
			const snap = selectSnapshot.get(docName) as { state: Buffer; last_update_id: number } | undefined;
			const after = snap?.last_update_id ?? 0;
			const rows = selectUpdates.all(docName, after) as { id: number; data: Buffer }[];
			return {
				snapshot: snap ? new Uint8Array(snap.state) : null,
				updates: rows.map((r) => new Uint8Array(r.data)),
				ids: rows.map((r) => r.id),
				lastUpdateId: rows.length > 0 ? rows[rows.length - 1]!.id : after
			};
		},
		append(docName, update) {
			return new Promise<number>((resolve) => {
				queue.push({ docName, update, resolve });
				inFlight += 1;
				if (!scheduled) {
					scheduled = true;
					setImmediate(flushTick);
				}
			});
		},
		compact(docName, state, uptoId) {
			compactTx(docName, state, uptoId, options.now().toISOString());
		},
		quarantine(docName, updateId, reason) {
			quarantineTx(docName, updateId, reason, options.now().toISOString());
		},
		countSince(docName, afterId) {
			return (countUpdates.get(docName, afterId) as { n: number }).n;
		},
		flush() {
			if (queue.length === 0 && inFlight === 0) return Promise.resolve();
			return new Promise<void>((resolve) => idleWaiters.push(resolve));
		},
		get pending() {
			return inFlight;
		}
	};
}
