import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { sqliteHandle, type Db } from './index';

/**
 * WAL checkpoints off the event loop. With `synchronous = NORMAL` a commit does not fsync; the
 * checkpoint that copies the WAL back into the database does, twice. SQLite runs it
 * automatically inside whichever commit crosses 1000 WAL pages, i.e. on the event loop, where
 * it stalls every document at once (the p99.9 of bench/sync). The server turns the automatic
 * checkpoint off on its connection and runs `wal_checkpoint(PASSIVE)` from a worker thread with
 * a connection of its own instead: PASSIVE never blocks the writer, and WAL mode lets both run at
 * once. If the worker fails, the automatic checkpoint is switched back on, so the WAL cannot grow
 * without bound.
 */
export interface WalCheckpointer {
	/** checkpoints run so far, and the WAL frames written / copied back at the last one that found any */
	readonly stats: { runs: number; lastLog: number; lastCheckpointed: number };
	stop(): Promise<void>;
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
const run = () => {
	const [r] = db.pragma('wal_checkpoint(PASSIVE)');
	parentPort.postMessage({ kind: 'checkpoint', ...r });
};
const timer = setInterval(run, workerData.intervalMs);
parentPort.on('message', (m) => {
	if (m === 'stop') {
		clearInterval(timer);
		try { run(); } finally { db.close(); parentPort.close(); }
	}
});
`;

export function startWalCheckpointer(db: Db, log: Logger, intervalMs = 1000): WalCheckpointer | null {
	const sqlite = sqliteHandle(db);
	if (sqlite.memory || sqlite.pragma('journal_mode', { simple: true }) !== 'wal') return null;
	const driver = createRequire(import.meta.url).resolve('better-sqlite3');
	const worker = new Worker(WORKER_SOURCE, {
		eval: true,
		workerData: { file: sqlite.name, driver, intervalMs }
	});
	sqlite.pragma('wal_autocheckpoint = 0');
	let stopped = false;
	const fallBack = (why: unknown) => {
		if (stopped) return;
		stopped = true;
		sqlite.pragma('wal_autocheckpoint = 1000');
		log.error({ err: why }, 'WAL checkpoint worker failed; automatic checkpoints are back on');
	};
	const stats = { runs: 0, lastLog: 0, lastCheckpointed: 0 };
	worker.on('message', (m: { kind: string; log: number; checkpointed: number }) => {
		if (m.kind !== 'checkpoint') return;
		stats.runs += 1;
		if (m.log > 0) {
			stats.lastLog = m.log;
			stats.lastCheckpointed = m.checkpointed;
		}
	});
	worker.on('error', fallBack);
	worker.on('exit', (code) => {
		if (!stopped) fallBack(new Error(`checkpoint worker exited with code ${code}`));
	});
	worker.unref();
	return {
		stats,
		async stop() {
			if (stopped) return;
			stopped = true;
			const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
			worker.postMessage('stop');
			await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
			await worker.terminate();
			if (sqlite.open) sqlite.pragma('wal_autocheckpoint = 1000');
		}
	};
}
