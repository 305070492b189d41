/**
 * bench/data: the storage and query figures of issue 7, on real SQLite files with every migration.
 *
 *   npx tsx bench/data/run.ts              quick: about 40 s on 2 cores once the three-year history
 *                                          is cached (the first run builds it: 30 s more, quiet machine)
 *   npx tsx bench/data/run.ts --full       more repetitions, longer runs, the history rebuilt (~3 min)
 *
 * Flags: --full, --no-readme (do not rewrite bench/README.md), --rebuild (build the three-year
 * history even when a cached one for the same code exists), --no-e2e (skip the real server),
 * --seed N, --only store|case|actions (one part; does not touch bench/README.md). The end-to-end
 * parts need build/ (`flock /tmp/casustafel-build.lock npx vite build`) and are skipped without it.
 *
 * 1. Stored updates per second with group commit (src/lib/server/collab/store.ts), in process and
 *    end to end (y-websocket clients typing into the real server at stepped rates).
 * 2. Time to open a case with three years of MDA++ history after compaction: in process through
 *    the hub's own connect and sync answer, and end to end through the real server.
 * 3. Mijn acties at 100,000 actions (src/lib/server/actions/service.ts, myActions).
 *
 * Results: bench/results/data-<date>.json and the section between `<!-- bench:data:start -->`
 * and `<!-- bench:data:end -->` in bench/README.md.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exitGuard } from '../sync/servers';
import { round } from '../sync/stats';
import { runActions, type ActionsResult } from './actions';
import { buildHistory, openInProcess, type History, type OpenInProcess } from './casedoc';
import { ROOT, int, machine, ms, rewriteReadme, source, tempDatabase, type Dist } from './common';
import { openEndToEnd, type OpenE2E } from './open-e2e';
import { makeUpdates, runStore, type StoreRun } from './updates';
import { storeEndToEnd, type StoreE2E } from './store-e2e';

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const value = (name: string) => {
	const i = argv.indexOf(`--${name}`);
	return i >= 0 ? argv[i + 1] : undefined;
};
const full = flag('full');
const only = value('only');
if (only !== undefined && !['store', 'case', 'actions'].includes(only)) throw new Error('--only store|case|actions');
const part = (name: string) => only === undefined || only === name;
const seed = Number(value('seed') ?? 7);
const opts = {
	mode: full ? 'full' : 'quick',
	seed,
	store: { docs: 200, updatesPerDoc: 300, callers: [200, 20, 1], seconds: full ? 10 : 2, warmupSeconds: full ? 1 : 0.5 },
	storeE2E: { documents: 100, rates: full ? [5000, 10000, 20000, 40000] : [5000, 10000, 20000], secondsPerStep: full ? 5 : 2 },
	history: { years: 3, keystrokesPerMeeting: 2000, seed },
	openInProcess: { iterations: full ? 1000 : 200, warmup: full ? 20 : 10 },
	openE2E: { iterations: full ? 300 : 40, warmup: full ? 10 : 5, enabled: !flag('no-e2e') },
	actions: { iterations: full ? 2000 : 300, warmup: full ? 100 : 30, seed }
};

// ---------------------------------------------------------------- cleanup

process.setMaxListeners(10_000); // every y-websocket provider adds an exit listener
const bail = exitGuard(full ? 30 : 6);

// ---------------------------------------------------------------- the three-year case, cached

const CACHE_DIR = path.join(os.tmpdir(), 'casustafel-bench-data');

/** The code that shapes the stored history: a cached history is used only for the same code. */
function historyKey(): string {
	const hash = createHash('sha256');
	for (const f of ['bench/data/casedoc.ts', 'src/lib/server/collab/hub.ts', 'src/lib/server/collab/store.ts', 'src/lib/server/collab/protocol.ts', 'src/lib/shared/documents.ts', 'node_modules/yjs/package.json']) {
		hash.update(f).update(fs.readFileSync(path.join(ROOT, f)));
	}
	hash.update(JSON.stringify(opts.history));
	return hash.digest('hex').slice(0, 16);
}

interface HistoryRun {
	history: History;
	fromCache: boolean;
	open: OpenInProcess;
	snapshot: Uint8Array;
}

async function caseHistory(): Promise<HistoryRun> {
	const cacheFile = path.join(CACHE_DIR, `history-${historyKey()}.json`);
	const temp = await tempDatabase('history');
	const docName = 'case:1';
	try {
		let history: History;
		let fromCache = false;
		if (!full && !flag('rebuild') && fs.existsSync(cacheFile)) {
			const cached = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { history: History; snapshot: string };
			history = cached.history;
			temp.sqlite
				.prepare('INSERT INTO doc_snapshots (doc_name, state, last_update_id, updated_at) VALUES (?, ?, 0, ?)')
				.run(docName, Buffer.from(cached.snapshot, 'base64'), new Date().toISOString());
			fromCache = true;
			console.log(`  history from the cache (${cacheFile}; --rebuild to build it again)`);
		} else {
			console.log(`  building ${opts.history.years} years of meetings through the hub (about ${opts.history.keystrokesPerMeeting} keystrokes each)…`);
			history = await buildHistory(temp, docName, opts.history);
		}
		const row = temp.sqlite.prepare('SELECT state FROM doc_snapshots WHERE doc_name = ?').get(docName) as { state: Buffer };
		const snapshot = new Uint8Array(row.state);
		if (!fromCache) {
			fs.mkdirSync(CACHE_DIR, { recursive: true });
			fs.writeFileSync(cacheFile, JSON.stringify({ history, snapshot: Buffer.from(snapshot).toString('base64') }));
		}
		console.log(`  ${JSON.stringify(history)}`);
		const open = await openInProcess(temp, docName, opts.openInProcess.iterations, opts.openInProcess.warmup);
		return { history, fromCache, open, snapshot };
	} finally {
		await temp.close();
	}
}

// ---------------------------------------------------------------- report

interface Report {
	date: string;
	command: string;
	machine: ReturnType<typeof machine>;
	source: ReturnType<typeof source>;
	loadAverageAtEnd: number;
	seconds: number;
	options: typeof opts;
	store: StoreRun[];
	storeEndToEnd: StoreE2E | null;
	caseOpen: { history: History; historyFromCache: boolean; inProcess: OpenInProcess; endToEnd: OpenE2E | null; endToEndError?: string } | null;
	actions: ActionsResult | null;
	targets: { figure: string; target: string; measured: string; met: boolean }[];
}

const pct = (d: Dist) => `${ms(d.p50)} / ${ms(d.p95)} / ${ms(d.p99)}`;

function markdown(r: Report, file: string): string {
	const m = r.machine;
	const lines: string[] = [];
	lines.push(`Run of ${r.date} (${r.options.mode} mode, ${r.seconds} s), raw results in \`${file}\`.`);
	lines.push('');
	lines.push(`- Command: \`${r.command}\``);
	lines.push(`- Code: commit ${r.source.commit}${r.source.uncommittedChanges ? ` with ${r.source.uncommittedChanges} uncommitted file(s) under src/, server/, migrations/` : ''}`);
	lines.push(
		`- Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB RAM, Node ${m.node}, SQLite ${m.sqlite}, ${m.os} (${m.arch}); 1-min load average ${m.loadAverageAtStart} at start, ${r.loadAverageAtEnd} at end`
	);
	lines.push('');
	lines.push('| figure | target | measured | met |');
	lines.push('|---|---|---|---|');
	for (const t of r.targets) lines.push(`| ${t.figure} | ${t.target} | ${t.measured} | ${t.met ? 'yes' : '**no**'} |`);
	lines.push('');
	if (r.store.length > 0) {
	lines.push('**Stored updates with group commit** (`createSqliteDocStore`, one SQLite file in WAL mode with `synchronous = NORMAL` as the server opens it; each caller appends the next real Yjs update of its own document as soon as the previous one is committed)');
	lines.push('');
	lines.push('| callers (documents) | updates/s | bytes/update (mean) | rows per commit (mean) | append → durable p50 / p95 / p99 | commit (SQLite transaction) p50 / p99 |');
	lines.push('|---:|---:|---:|---:|---|---|');
	for (const s of r.store) {
		lines.push(`| ${s.callers} | ${int(s.updatesPerSecond)} | ${s.bytesPerUpdate.mean} | ${s.rowsPerCommit.mean} | ${pct(s.appendLatency)} | ${ms(s.commitTime.p50)} / ${ms(s.commitTime.p99)} |`);
	}
	lines.push('');
	const se = r.storeEndToEnd;
	if (se) {
		lines.push(`End to end through the real server (${se.documents} case documents, one stock y-websocket client each in the runner process, one keystroke per update at a fixed offered rate for ${se.secondsPerStep} s per step; rows counted from \`sqlite_sequence\`; runner and server share the machine, so "sent" can fall below "offered"):`);
		lines.push('');
		lines.push('| offered updates/s | sent/s | stored/s (typing + drain) | drain after typing |');
		lines.push('|---:|---:|---:|---:|');
		for (const st of se.steps) lines.push(`| ${int(st.offeredPerSecond)} | ${int(st.sentPerSecond)} | ${int(st.storedPerSecond)} | ${st.drainSeconds} s |`);
		lines.push('');
	}
	}
	if (r.caseOpen) {
	const h = r.caseOpen.history;
	const ip = r.caseOpen.inProcess;
	lines.push(
		`**Three-year MDA++ case** (${h.meetings} meetings, ${h.clients} laptops, ${int(h.updatesStored)} updates stored before compaction (${int(h.keystrokes)} keystrokes, ${h.serverChanges} server edits), ${h.actions.total} actions (${h.actions.open} open), texts ${Object.entries(h.texts).map(([k, v]) => `${k} ${int(v)}`).join(', ')} chars; ${int(h.rowsLeft)} rows left after compaction, snapshot ${int(h.snapshotBytes)} bytes, ${h.stateVectorClients} client ids${r.caseOpen.historyFromCache ? '; history from the cache' : `; built in ${h.buildSeconds} s`})`
	);
	lines.push('');
	lines.push('| open, document not in memory | p50 / p95 / p99 | max | runs |');
	lines.push('|---|---|---:|---:|');
	lines.push(`| in process: hub.connect (SQLite → Y.Doc) + sync answer | ${pct(ip.serverOpen)} | ${ms(ip.serverOpen.max)} | ${ip.serverOpen.count} |`);
	lines.push(`| in process, CPU time of the same (user + system) | ${pct(ip.serverOpenCpu)} | ${ms(ip.serverOpenCpu.max)} | ${ip.serverOpenCpu.count} |`);
	lines.push(`| in process: the same + client applies the answer | ${pct(ip.openAndApply)} | ${ms(ip.openAndApply.max)} | ${ip.openAndApply.count} |`);
	lines.push(`| part: store.load (SQLite read) | ${pct(ip.parts.storeLoad)} | ${ms(ip.parts.storeLoad.max)} | ${ip.parts.storeLoad.count} |`);
	lines.push(`| part: apply snapshot to a Y.Doc | ${pct(ip.parts.applyToYDoc)} | ${ms(ip.parts.applyToYDoc.max)} | ${ip.parts.applyToYDoc.count} |`);
	lines.push(`| part: encode the sync answer (${int(ip.answerBytes)} bytes) | ${pct(ip.parts.encodeAnswer)} | ${ms(ip.parts.encodeAnswer.max)} | ${ip.parts.encodeAnswer.count} |`);
	const e = r.caseOpen.endToEnd;
	if (e) {
		lines.push(`| end to end: y-websocket client, real server, connect → synced | ${pct(e.history)} | ${ms(e.history.max)} | ${e.history.count} |`);
		lines.push(`| end to end, an empty case document (for comparison) | ${pct(e.empty)} | ${ms(e.empty.max)} | ${e.empty.count} |`);
	} else {
		lines.push(`| end to end | not run${r.caseOpen.endToEndError ? `: ${r.caseOpen.endToEndError}` : ''} | | |`);
	}
	lines.push('');
	}
	const a = r.actions;
	if (a) {
	lines.push(
		`**Mijn acties** (\`myActions\` as the /acties page calls it; ${int(a.seed.actions)} action rows, ${int(a.seed.cases)} cases, ${int(a.seed.users)} users, ${a.seed.organisations} organisations, ${a.seed.tables} tables, ${int(a.seed.regieAssignments)} regie assignments; bulk case facts equal the policy's \`loadFacts\` for ${a.factsCheck.cases} cases: ${a.factsCheck.equal ? 'yes' : '**no**'}; each of ${a.filtersCheck.combinations} filter combinations gives the unfiltered list filtered: ${a.filtersCheck.equal ? 'yes' : '**no**'})`
	);
	lines.push('');
	lines.push('| who, filters | rows shown / followed | queries per call | p50 / p95 / p99 | max | CPU time p50 / p95 / p99 | runs |');
	lines.push('|---|---:|---:|---|---:|---|---:|');
	for (const s of a.scenarios) lines.push(`| ${s.name} | ${s.shown} / ${s.followed} | ${s.queriesPerCall} | ${pct(s.time)} | ${ms(s.time.max)} | ${pct(s.cpu)} | ${s.time.count} |`);
	lines.push('');
	lines.push('Query plans of the default call (EXPLAIN QUERY PLAN):');
	lines.push('');
	for (const p of a.plans) lines.push(`- ${p.sql.slice(0, 60).replace(/"/g, '')}…: ${p.plan.join('; ')}`);
	}
	return lines.join('\n');
}

// ---------------------------------------------------------------- main

async function main() {
	const started = Date.now();
	const date = new Date();
	const m = machine();
	const src = source();
	console.log(`bench/data (${opts.mode}): ${JSON.stringify(opts)}`);
	console.log(`machine: ${JSON.stringify(m)}`);

	const store: StoreRun[] = [];
	let storeE2E: StoreE2E | null = null;
	if (part('store')) {
		console.log('1. stored updates per second (group commit)');
		const pool = makeUpdates(opts.store.docs, opts.store.updatesPerDoc, seed);
		for (const callers of opts.store.callers) {
			const run = await runStore({ callers, seconds: opts.store.seconds, warmupSeconds: opts.store.warmupSeconds, pool });
			console.log(`  ${callers} callers: ${run.updatesPerSecond} updates/s, ${run.rowsPerCommit.mean} rows per commit, append p50 ${run.appendLatency.p50} ms p99 ${run.appendLatency.p99} ms`);
			store.push(run);
		}
		if (opts.openE2E.enabled && fs.existsSync(path.join(ROOT, 'build', 'handler.js'))) {
			console.log('   end to end: y-websocket clients → real server → doc_updates');
			storeE2E = await storeEndToEnd(opts.storeE2E);
		}
	}

	let caseOpen: Report['caseOpen'] = null;
	if (part('case')) {
		console.log('2. opening a case with three years of MDA++ history');
		const hist = await caseHistory();
		console.log(`  in process: ${JSON.stringify(hist.open.serverOpen)}`);
		let endToEnd: OpenE2E | null = null;
		let endToEndError: string | undefined;
		if (opts.openE2E.enabled) {
			if (!fs.existsSync(path.join(ROOT, 'build', 'handler.js'))) {
				endToEndError = 'build/handler.js is missing (run `flock /tmp/casustafel-build.lock npx vite build`)';
				console.log(`  end to end skipped: ${endToEndError}`);
			} else {
				endToEnd = await openEndToEnd(hist.snapshot, opts.openE2E.iterations, opts.openE2E.warmup);
				console.log(`  end to end: ${JSON.stringify(endToEnd.history)} (empty case ${JSON.stringify(endToEnd.empty)})`);
			}
		} else endToEndError = '--no-e2e';
		caseOpen = { history: hist.history, historyFromCache: hist.fromCache, inProcess: hist.open, endToEnd, endToEndError };
	}

	let actions: ActionsResult | null = null;
	if (part('actions')) {
		console.log('3. Mijn acties at 100,000 actions');
		actions = await runActions(opts.actions);
		for (const s of actions.scenarios) console.log(`  ${s.name}: ${JSON.stringify(s.time)}`);
	}

	const targets: Report['targets'] = [];
	if (store.length > 0) {
		const best = store.reduce((a, b) => (b.updatesPerSecond > a.updatesPerSecond ? b : a));
		const many = store[0]!;
		targets.push({
			figure: `stored updates per second, group commit (${many.callers} documents at once)`,
			target: '≥ 10,000/s',
			measured: `${int(many.updatesPerSecond)}/s (${many.rowsPerCommit.mean} rows per commit; best of the runs ${int(best.updatesPerSecond)}/s)`,
			met: many.updatesPerSecond >= 10_000
		});
	}
	if (storeE2E && storeE2E.steps.length > 0) {
		const top = storeE2E.steps.reduce((a, b) => (b.storedPerSecond > a.storedPerSecond ? b : a));
		targets.push({
			figure: `stored updates per second end to end (real server, ${storeE2E.documents} clients typing), highest step`,
			target: '≥ 10,000/s',
			measured: `${int(top.storedPerSecond)}/s stored when ${int(top.offeredPerSecond)}/s were offered (${int(top.sentPerSecond)}/s sent)`,
			met: top.storedPerSecond >= 10_000
		});
	}
	if (caseOpen) {
		const ip = caseOpen.inProcess;
		targets.push({
			figure: 'open a three-year MDA++ case after compaction, in process (load + sync answer), p99',
			target: '< 30 ms',
			measured: `p50 ${ms(ip.serverOpen.p50)}, p99 ${ms(ip.serverOpen.p99)} (CPU time p50 ${ms(ip.serverOpenCpu.p50)}, p99 ${ms(ip.serverOpenCpu.p99)})`,
			met: ip.serverOpen.p99 < 30
		});
		const e = caseOpen.endToEnd;
		if (e) {
			targets.push({
				figure: 'open a three-year MDA++ case end to end (real server, y-websocket client, connect → synced), p99',
				target: '< 30 ms',
				measured: `p50 ${ms(e.history.p50)}, p99 ${ms(e.history.p99)} (empty case p50 ${ms(e.empty.p50)}, p99 ${ms(e.empty.p99)})`,
				met: e.history.p99 < 30
			});
		}
	}
	if (actions) {
		for (const s of actions.scenarios.slice(0, 2)) {
			targets.push({
				figure: `Mijn acties at 100,000 actions, ${s.name}, p99`,
				target: '< 10 ms',
				measured: `p50 ${ms(s.time.p50)}, p99 ${ms(s.time.p99)} (CPU time p50 ${ms(s.cpu.p50)}, p99 ${ms(s.cpu.p99)})`,
				met: s.time.p99 < 10
			});
		}
	}

	const report: Report = {
		date: date.toISOString(),
		command: `npx tsx bench/data/run.ts${argv.length ? ' ' + argv.join(' ') : ''}`,
		machine: m,
		source: src,
		loadAverageAtEnd: round(os.loadavg()[0]!, 2),
		seconds: Math.round((Date.now() - started) / 1000),
		options: opts,
		store,
		storeEndToEnd: storeE2E,
		caseOpen,
		actions,
		targets
	};
	const stamp = date.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, '');
	const resultsDir = path.join(ROOT, 'bench', 'results');
	fs.mkdirSync(resultsDir, { recursive: true });
	const file = `bench/results/data-${stamp}.json`;
	fs.writeFileSync(path.join(ROOT, file), JSON.stringify(report, null, 2) + '\n');
	const section = markdown(report, file);
	console.log('\n' + section + '\n');
	if (!flag('no-readme') && only === undefined) {
		rewriteReadme(section);
		console.log('bench/README.md: section bench:data rewritten');
	}
	console.log(`results: ${file}`);
}

main().then(
	() => process.exit(0),
	(e) => bail(1, String((e as Error)?.stack ?? e))
);
