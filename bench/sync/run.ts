/**
 * bench/sync: Casustafel's document sync against a bare @y/websocket-server, in one run.
 *
 *   npm run bench                 quick run (about 75 s on 2 cores)
 *   npm run bench -- --full       the documented longer run
 *
 * Flags (or env): --meetings N (BENCH_MEETINGS), --participants N (BENCH_PARTICIPANTS),
 * --duration S (BENCH_DURATION, seconds of typing), --cycles N (BENCH_CYCLES),
 * --docs N (BENCH_DOCS, distinct documents for the cycles), --concurrency N, --seed N,
 * --slices N (BENCH_SLICES), --only casustafel|baseline,
 * --cpu-prof (profiles both servers alike into a temp directory; see profile-summary.ts),
 * --heap-probe (both servers alike: forced full GCs over the inspector at the memory
 * checkpoints, to tell retained memory from garbage; changes the RSS figures of that run),
 * --no-readme (do not rewrite bench/README.md).
 *
 * Both servers start as child processes. For each in turn: memory at rest, then open / edit /
 * close cycles in rounds with memory after each round and after a settle. Then the meeting
 * load in slices that alternate between the servers (latency, throughput, CPU, memory). Both
 * stop. Results go to bench/results/sync-<date>.json and the marked section of bench/README.md.
 */
import { git, machine, rewriteSection } from '../machine';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runCycles, type CycleResult } from './cycles';
import type { LoadResult } from './load';
import { runLoadThreaded } from './threads';
import {
	ROOT,
	killAllChildren,
	exitGuard,
	setExtraNodeArgs,
	startBaseline,
	startCasustafel,
	startHocuspocus,
	websocketWithCookie,
	type Casustafel,
	type Hocuspocus,
	type ServerProcess
} from './servers';
import { distribution, round, sleep, type Distribution } from './stats';
import { gcAndMeasure, inspectorUrl, type HeapSample } from './heap-probe';

// ---------------------------------------------------------------- options

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
function option(name: string, env: string, fallback: number): number {
	const i = argv.indexOf(`--${name}`);
	const raw = i >= 0 ? argv[i + 1] : process.env[env];
	if (raw === undefined) return fallback;
	const n = Number(raw);
	if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${raw}`);
	return n;
}
const full = flag('full');
const opts = {
	mode: full ? 'full' : 'quick',
	meetings: option('meetings', 'BENCH_MEETINGS', full ? 50 : 10),
	participants: option('participants', 'BENCH_PARTICIPANTS', 20),
	durationSeconds: option('duration', 'BENCH_DURATION', full ? 120 : 20),
	slices: option('slices', 'BENCH_SLICES', full ? 4 : 2),
	warmupSeconds: full ? 5 : 2,
	cycles: option('cycles', 'BENCH_CYCLES', full ? 1000 : 200),
	rounds: full ? 5 : 2,
	docs: option('docs', 'BENCH_DOCS', full ? 500 : 100),
	concurrency: option('concurrency', 'BENCH_CONCURRENCY', 10),
	seed: option('seed', 'BENCH_SEED', 20260),
	charsPerSecond: 5,
	/** chance that a burst is a pasted paragraph rather than a typed phrase */
	pasteChance: 0.1,
	pasteChars: 300,
	lateJoiners: 2,
	leavers: 2,
	switchItems: true,
	editsPerCycle: 20,
	settleSeconds: full ? 5 : 1.5,
	finalSettleSeconds: full ? 60 : 5
};
const only = (() => {
	const i = argv.indexOf('--only');
	return i >= 0 ? argv[i + 1] : undefined;
})();
/** which parts run: memory cycles, the meeting load, the stress ramp (default: memory and load; --full adds stress) */
const phases = new Set(
	(() => {
		const i = argv.indexOf('--phases');
		if (i >= 0) return argv[i + 1]!.split(',');
		if (flag('stress')) return ['stress'];
		return full ? ['memory', 'load', 'stress'] : ['memory', 'load'];
	})()
);
const stressStepSize = option('stress-step', 'BENCH_STRESS_STEP', 5);
const stressMax = phases.has('stress') ? option('stress-max', 'BENCH_STRESS_MAX', 100) : 0;
const stressSeconds = option('stress-seconds', 'BENCH_STRESS_SECONDS', 20);
/** worker threads the meeting load's clients run in (meetings split evenly) */
const clientThreads = option('client-threads', 'BENCH_CLIENT_THREADS', 2);
/** niceness of the client processes: they yield the CPU to the server under test (0 = off) */
const clientNice = (() => {
	const i = argv.indexOf('--client-nice');
	const raw = i >= 0 ? argv[i + 1] : process.env.BENCH_CLIENT_NICE;
	return raw === undefined ? 10 : Math.max(0, Math.min(19, Number(raw)));
})();
const cpuProf = flag('cpu-prof');
const heapProbe = flag('heap-probe');
const writeReadme = !flag('no-readme');

// ---------------------------------------------------------------- cleanup

process.setMaxListeners(10_000); // every y-websocket provider adds an exit listener
const bail = exitGuard(full ? 75 : 10);

// ---------------------------------------------------------------- machine


/** Which code was measured: the commit, whether the tree had changes, a hash of the sync code. */
function source() {
	const files = ['server/index.ts', 'server/realtime.ts', ...fs.readdirSync(path.join(ROOT, 'src/lib/server/collab')).sort().map((f) => `src/lib/server/collab/${f}`)];
	const hash = createHash('sha256');
	for (const f of files) hash.update(f).update(fs.readFileSync(path.join(ROOT, f)));
	return {
		commit: git('rev-parse', '--short', 'HEAD') || 'unknown',
		uncommittedChanges: git('status', '--porcelain', '--', 'src', 'server', 'migrations').split('\n').filter(Boolean).length,
		syncCodeSha256: hash.digest('hex').slice(0, 12),
		syncCodeFiles: files
	};
}

// ---------------------------------------------------------------- measuring

const MiB = (kib: number) => round(kib / 1024, 1);

function sampler(server: ServerProcess, everyMs: number, extra?: () => number) {
	let peakKiB = server.rssKiB();
	const extras: { t: number; v: number }[] = [];
	const timer = setInterval(() => {
		const rss = server.rssKiB();
		if (rss > peakKiB) peakKiB = rss;
		if (extra) extras.push({ t: performance.now(), v: extra() });
	}, everyMs);
	return {
		stop() {
			clearInterval(timer);
			return { peakKiB, extras };
		}
	};
}

/**
 * Rows ever appended to doc_updates, from polling the per-document row counts: a count that
 * drops is a compaction (which deletes a document's rows up to its snapshot), after which the
 * remaining rows are new. Exact without compaction; otherwise rows appended and compacted
 * between two polls (100 ms) are missed. It relies on nothing about row ids (an earlier store
 * let SQLite reuse ids after a compaction, so max(id) was not monotonic).
 */
class RowTally {
	total = 0;
	compactions = 0;
	private last = new Map<string, number>();
	poll(counts: Map<string, number>): number {
		for (const [doc, n] of counts) {
			const prev = this.last.get(doc) ?? 0;
			if (n >= prev) this.total += n - prev;
			else {
				this.compactions += 1;
				this.total += n;
			}
			this.last.set(doc, n);
		}
		for (const [doc, prev] of this.last) {
			if (!counts.has(doc) && prev > 0) {
				this.compactions += 1;
				this.last.set(doc, 0);
			}
		}
		return this.total;
	}
}

interface MemoryResult {
	startKiB: number;
	warmupKiB: number;
	rounds: { cyclesDone: number; rssKiB: number; failed: number; seconds: number }[];
	settledKiB: number;
	settleSeconds: number;
	/** RSS once a second during the final idle wait */
	settleSeries: number[];
	settledMinKiB: number;
	/** with --heap-probe: process.memoryUsage() after a forced full GC, per checkpoint */
	heap?: { at: string; sample: HeapSample }[];
	deltaFromWarmupKiB: number;
	deltaFromStartKiB: number;
	cycles: number;
	distinctDocs: number;
	failed: number;
	errors: string[];
	edits: number;
	cycleMs: Distribution;
	openMs: Distribution;
	connections: number;
	docUpdateRowsLeft?: number;
}

interface LoadSummary extends Omit<LoadResult, 'samples' | 'switchMs' | 'joinMs'> {
	latencyMs: Distribution;
	/** the load runs in slices, alternating between the servers; p99 of each slice */
	latencyP99PerSlice: number[];
	slices: number;
	switchMs: Distribution;
	joinMs: Distribution;
	/** Casustafel: rows appended to doc_updates; Hocuspocus: documents saved (debounced) */
	storedRows?: number;
	/** stored by connecting alone, after everyone connected and before anyone typed */
	storedByConnecting?: number;
	compactionsSeen?: number;
	storedPerSecond?: number;
	storedPerSecondPeak?: number;
	serverCpuPercent: number;
	rss: { beforeKiB: number; peakKiB: number; afterKiB: number };
	/** RSS with everyone connected minus RSS before anyone connected, per connected client */
	perClientKiB: number;
}

interface ServerResult {
	name: string;
	label: string;
	pid: number;
	startSeconds: number;
	memory?: MemoryResult;
	load?: LoadSummary;
	stress?: StressStep[];
}

type Kind = 'casustafel' | 'baseline' | 'hocuspocus';
const KINDS: Kind[] = ['casustafel', 'baseline', 'hocuspocus'];
const LABELS: Record<Kind, string> = {
	casustafel: 'Casustafel (SQLite)',
	baseline: 'bare @y/websocket-server',
	hocuspocus: 'Hocuspocus + SQLite'
};

interface Target {
	kind: Kind;
	label: string;
	server: ServerProcess;
	cas: Casustafel | null;
	hocus: Hocuspocus | null;
	startSeconds: number;
	/** per meeting, two agenda items' documents */
	items: string[][];
	cycleDocs: string[];
	wsFor: (a: number, b: number) => WebSocket;
	/** session cookies the clients use in turn (null: none) */
	cookies: (string | null)[];
}
type WebSocket = ReturnType<typeof websocketWithCookie>;

const loadDocCount = () => Math.max(opts.meetings, stressMax) * 2;

async function start(kind: Kind, ids: number[]): Promise<Target> {
	const t0 = performance.now();
	const server: ServerProcess =
		kind === 'casustafel'
			? await startCasustafel(loadDocCount() + opts.docs)
			: kind === 'hocuspocus'
				? await startHocuspocus()
				: await startBaseline();
	const startSeconds = (performance.now() - t0) / 1000;
	const cas = kind === 'casustafel' ? (server as Casustafel) : null;
	const names = (cas ? cas.caseIds : ids).map((id) => `case:${id}`);
	const wsClasses = cas ? cas.cookies.map((c) => websocketWithCookie(c)) : [websocketWithCookie(null)];
	console.log(`${kind}: pid ${server.pid} at ${server.url}, ready after ${round(startSeconds, 1)} s`);
	const loadNames = names.slice(0, loadDocCount());
	return {
		kind,
		label: LABELS[kind],
		server,
		cas,
		hocus: kind === 'hocuspocus' ? (server as Hocuspocus) : null,
		startSeconds,
		items: Array.from({ length: loadNames.length / 2 }, (_, m) => [loadNames[2 * m]!, loadNames[2 * m + 1]!]),
		cycleDocs: names.slice(loadDocCount()),
		wsFor: (a, b) => wsClasses[(a + b) % wsClasses.length]!,
		cookies: cas ? cas.cookies : [null]
	};
}

/** Memory at rest, then open / edit / close cycles in rounds, memory after each and after a settle. */
async function memoryPhase(t: Target): Promise<MemoryResult> {
	const { server, cas } = t;
	console.log(`\n== ${t.kind}: memory over open / edit / close cycles`);
	const startKiB = server.rssKiB();
	const heap: { at: string; sample: HeapSample }[] = [];
	const probe = async (at: string) => {
		if (!heapProbe) return;
		const url = inspectorUrl(server.output());
		if (!url) throw new Error(`${t.kind}: no inspector URL in its output`);
		const sample = await gcAndMeasure(url);
		heap.push({ at, sample });
		console.log(`   [heap probe] ${at}: heap used ${MiB(sample.heapUsedKiB)} MiB, RSS after GC ${MiB(sample.rssKiB)} MiB`);
	};
	await probe('start');
	const cycle = (first: number, cycles: number) =>
		runCycles({
			endpoint: server,
			docNames: t.cycleDocs,
			first,
			cycles,
			concurrency: opts.concurrency,
			editsPerCycle: opts.editsPerCycle,
			pasteChars: opts.pasteChars,
			wsFor: t.wsFor
		});
	const warm = await cycle(0, 20);
	await sleep(opts.settleSeconds * 1000);
	const warmupKiB = server.rssKiB();
	console.log(`   start ${MiB(startKiB)} MiB, after 20 warm-up cycles ${MiB(warmupKiB)} MiB`);
	await probe('warm-up');
	const rounds: MemoryResult['rounds'] = [];
	const all: CycleResult[] = [];
	const perRound = Math.ceil(opts.cycles / opts.rounds);
	let done = 0;
	for (let r = 0; r < opts.rounds && done < opts.cycles; r++) {
		const n = Math.min(perRound, opts.cycles - done);
		const res = await cycle(warm.cycles + done, n);
		done += n;
		all.push(res);
		await sleep(opts.settleSeconds * 1000);
		const rss = server.rssKiB();
		rounds.push({ cyclesDone: done, rssKiB: rss, failed: res.failed, seconds: round(res.seconds, 2) });
		console.log(`   ${done} cycles (${round(res.seconds, 1)} s, ${res.failed} failed): ${MiB(rss)} MiB`);
		await probe(`${done} cycles`);
	}
	const settleSeries: number[] = [];
	for (let i = 0; i < opts.finalSettleSeconds; i++) {
		await sleep(1000);
		settleSeries.push(server.rssKiB());
	}
	const settledKiB = settleSeries[settleSeries.length - 1] ?? server.rssKiB();
	await probe('settled');
	const memory: MemoryResult = {
		startKiB,
		warmupKiB,
		rounds,
		settledKiB,
		settleSeconds: opts.finalSettleSeconds,
		settleSeries,
		settledMinKiB: Math.min(...settleSeries),
		heap: heapProbe ? heap : undefined,
		deltaFromWarmupKiB: settledKiB - warmupKiB,
		deltaFromStartKiB: settledKiB - startKiB,
		cycles: done,
		distinctDocs: Math.min(done, t.cycleDocs.length),
		failed: all.reduce((n, r) => n + r.failed, 0),
		errors: all.flatMap((r) => r.errors).slice(0, 5),
		edits: all.reduce((n, r) => n + r.edits, 0),
		cycleMs: distribution(all.flatMap((r) => r.cycleMs)),
		openMs: distribution(all.flatMap((r) => r.openMs)),
		connections: done * 2,
		docUpdateRowsLeft: cas ? cas.currentRows() : undefined
	};
	console.log(
		`   settled ${opts.finalSettleSeconds} s: ${MiB(settledKiB)} MiB (${memory.deltaFromWarmupKiB >= 0 ? '+' : ''}${MiB(memory.deltaFromWarmupKiB)} MiB vs warm-up)` +
			(cas ? `, doc_updates rows left: ${memory.docUpdateRowsLeft}` : '')
	);
	return memory;
}

interface Slice {
	load: LoadResult;
	typingSeconds: number;
	cpuSeconds: number;
	storedRows: number;
	storedByConnecting: number;
	storedPerSecondPeak: number;
	compactions: number;
	peakKiB: number;
	beforeConnectKiB: number;
	connectedKiB: number;
}

/** One slice of the meeting load: everyone connects, types for the slice, drains and leaves. */
async function loadSlice(t: Target, slice: number, durationMs: number, meetings = opts.meetings, quiet = false): Promise<Slice> {
	const { server, cas, hocus } = t;
	let cpuStart = 0;
	let cpuEnd = 0;
	let storedStart = 0;
	let storedEnd = 0;
	let storedByConnecting = 0;
	let typingStart = 0;
	let typingEnd = 0;
	let connectedKiB = 0;
	const tally = new RowTally();
	let hocusStores = hocus ? (await hocus.stats()).stores : 0;
	const poll = () => (cas ? tally.poll(cas.rowsPerDoc()) : hocusStores);
	const hocusTimer = hocus
		? setInterval(() => void hocus.stats().then((x) => (hocusStores = x.stores), () => {}), 100)
		: null;
	poll();
	const base = poll();
	const beforeConnectKiB = server.rssKiB();
	const samples = sampler(server, 100, cas || hocus ? poll : undefined);
	let load: LoadResult;
	let sampled: ReturnType<typeof samples.stop>;
	try {
		load = await runLoadThreaded({
			endpoint: server,
			items: t.items.slice(0, meetings),
			participants: opts.participants,
			durationMs,
			warmupMs: opts.warmupSeconds * 1000,
			charsPerSecond: opts.charsPerSecond,
			pasteChance: opts.pasteChance,
			pasteChars: opts.pasteChars,
			lateJoiners: opts.lateJoiners,
			leavers: opts.leavers,
			switchItems: opts.switchItems,
			wsFor: t.wsFor,
			seed: opts.seed + slice,
			keyPrefix: `s${slice}`,
			drainMs: 10_000,
			onConnected() {
				storedByConnecting = poll() - base;
				connectedKiB = server.rssKiB();
			},
			onTypingStart() {
				typingStart = performance.now();
				cpuStart = server.cpuSeconds();
				storedStart = poll();
			},
			onTypingEnd() {
				typingEnd = performance.now();
				cpuEnd = server.cpuSeconds();
				storedEnd = poll();
			}
		}, clientThreads, t.cookies, clientNice);
	} finally {
		sampled = samples.stop();
		if (hocusTimer) clearInterval(hocusTimer);
	}
	// the busiest one-second window of stored rows
	let peak = 0;
	const ex = sampled.extras.filter((e) => e.t >= typingStart && e.t <= typingEnd);
	for (let i = 0, j = 0; i < ex.length; i++) {
		while (j < ex.length && ex[j]!.t - ex[i]!.t < 1000) j++;
		if (j < ex.length) peak = Math.max(peak, ((ex[j]!.v - ex[i]!.v) * 1000) / (ex[j]!.t - ex[i]!.t));
	}
	const typingSeconds = (typingEnd - typingStart) / 1000;
	const l = distribution(load.samples);
	if (!quiet) {
		console.log(
			`   ${t.kind} slice ${slice + 1}: ${load.edits.total} edits (${round(load.editsPerSecond, 1)}/s), ` +
				`latency p50 ${round(l.p50)} p99 ${round(l.p99)} p99.9 ${round(l.p999)} ms (n=${l.count}), missing ${load.missing}` +
				(cas || hocus ? `, stored ${round((storedEnd - storedStart) / typingSeconds, 1)}/s` : '') +
				`, server CPU ${round(((cpuEnd - cpuStart) / typingSeconds) * 100, 0)}%, runner CPU ${round(load.client.cpuPercent, 0)}% event-loop p99 ${round(load.client.eventLoopDelayP99Ms, 1)} ms`
		);
	}
	return {
		load,
		typingSeconds,
		cpuSeconds: cpuEnd - cpuStart,
		storedRows: storedEnd - storedStart,
		storedByConnecting,
		storedPerSecondPeak: peak,
		compactions: tally.compactions,
		peakKiB: sampled.peakKiB,
		beforeConnectKiB,
		connectedKiB
	};
}

function summarise(t: Target, slices: Slice[], beforeKiB: number, afterKiB: number): LoadSummary {
	const loads = slices.map((s) => s.load);
	const sum = (f: (l: LoadResult) => number) => loads.reduce((n, l) => n + f(l), 0);
	const typingSeconds = slices.reduce((n, s) => n + s.typingSeconds, 0);
	const storedRows = slices.reduce((n, s) => n + s.storedRows, 0);
	const stores = t.cas !== null || t.hocus !== null;
	const clients = loads[0]!.meetings * (loads[0]!.participantsPerMeeting - opts.lateJoiners);
	return {
		meetings: loads[0]!.meetings,
		participantsPerMeeting: loads[0]!.participantsPerMeeting,
		typists: loads[0]!.typists,
		connectMs: Math.max(...loads.map((l) => l.connectMs)),
		typingSeconds,
		measuredSeconds: sum((l) => l.measuredSeconds),
		edits: {
			char: sum((l) => l.edits.char),
			paste: sum((l) => l.edits.paste),
			backspace: sum((l) => l.edits.backspace),
			total: sum((l) => l.edits.total)
		},
		editsPerSecond: sum((l) => l.edits.total) / typingSeconds,
		charsTyped: sum((l) => l.charsTyped),
		expectedDeliveries: sum((l) => l.expectedDeliveries),
		delivered: sum((l) => l.delivered),
		missing: sum((l) => l.missing),
		anomalies: sum((l) => l.anomalies),
		drainMs: Math.max(...loads.map((l) => l.drainMs)),
		unexpectedDisconnects: sum((l) => l.unexpectedDisconnects),
		lateJoins: sum((l) => l.lateJoins),
		leaves: sum((l) => l.leaves),
		switchMs: distribution(loads.flatMap((l) => l.switchMs)),
		joinMs: distribution(loads.flatMap((l) => l.joinMs)),
		client: {
			eventLoopDelayP99Ms: Math.max(...loads.map((l) => l.client.eventLoopDelayP99Ms)),
			eventLoopDelayMaxMs: Math.max(...loads.map((l) => l.client.eventLoopDelayMaxMs)),
			cpuPercent: sum((l) => l.client.cpuPercent) / loads.length
		},
		convergedDocs: Math.min(...loads.map((l) => l.convergedDocs)),
		latencyMs: distribution(loads.flatMap((l) => l.samples)),
		latencyP99PerSlice: loads.map((l) => round(distribution(l.samples).p99)),
		slices: slices.length,
		storedRows: stores ? storedRows : undefined,
		storedByConnecting: stores ? slices.reduce((n, s) => n + s.storedByConnecting, 0) : undefined,
		compactionsSeen: t.cas ? slices.reduce((n, s) => n + s.compactions, 0) : undefined,
		storedPerSecond: stores ? storedRows / typingSeconds : undefined,
		storedPerSecondPeak: stores ? Math.max(...slices.map((s) => s.storedPerSecondPeak)) : undefined,
		serverCpuPercent: (slices.reduce((n, s) => n + s.cpuSeconds, 0) / typingSeconds) * 100,
		rss: { beforeKiB, peakKiB: Math.max(...slices.map((s) => s.peakKiB)), afterKiB },
		perClientKiB: Math.max(...slices.map((s) => (s.connectedKiB - s.beforeConnectKiB) / clients))
	};
}

// ---------------------------------------------------------------- stress

interface StressStep {
	meetings: number;
	clients: number;
	editsPerSecond: number;
	latencyMs: Distribution;
	missing: number;
	serverCpuPercent: number;
	runnerCpuPercent: number;
	runnerEventLoopP99Ms: number;
}

/**
 * Stress: more and more meetings (of `participants` each) at once, a short slice per server at
 * each step, the servers alternating, until a server's p99 passes 100 ms (it then drops out) or
 * the largest step is reached. The sustained load is the largest step under 100 ms.
 */
async function stressPhase(targets: Target[]): Promise<Map<Target, StressStep[]>> {
	const steps = new Map<Target, StressStep[]>(targets.map((t) => [t, []]));
	let inRace = [...targets];
	console.log(`\n== stress: ${stressStepSize} more meetings per step, 2 slices of ${stressSeconds} s per server per step, until p99 > 100 ms (at most ${stressMax})`);
	for (let meetings = stressStepSize, i = 0; meetings <= stressMax && inRace.length > 0; meetings += stressStepSize, i++) {
		// two slices per server and step, in the order A B C, C B A: one slice is one moment of
		// the machine, and a server that had the bad moment should not drop out on it alone
		const per = new Map<Target, Slice[]>(inRace.map((t) => [t, []]));
		for (const order of [inRace, [...inRace].reverse()]) {
			for (const t of order) {
				per.get(t)!.push(await loadSlice(t, 100 + 2 * i + per.get(t)!.length, stressSeconds * 1000, meetings, true));
				await sleep(1000);
			}
		}
		for (const t of inRace) {
			const slices = per.get(t)!;
			const typing = slices.reduce((n, s) => n + s.typingSeconds, 0);
			const step: StressStep = {
				meetings,
				clients: meetings * opts.participants,
				editsPerSecond: slices.reduce((n, s) => n + s.load.edits.total, 0) / typing,
				latencyMs: distribution(slices.flatMap((s) => s.load.samples)),
				missing: slices.reduce((n, s) => n + s.load.missing, 0),
				serverCpuPercent: (slices.reduce((n, s) => n + s.cpuSeconds, 0) / typing) * 100,
				runnerCpuPercent: slices.reduce((n, s) => n + s.load.client.cpuPercent, 0) / slices.length,
				runnerEventLoopP99Ms: Math.max(...slices.map((s) => s.load.client.eventLoopDelayP99Ms))
			};
			steps.get(t)!.push(step);
			console.log(
				`   ${t.kind} ${meetings} × ${opts.participants}: ${round(step.editsPerSecond, 0)} edits/s, p50 ${round(step.latencyMs.p50)} p99 ${round(step.latencyMs.p99)} ms, ` +
					`missing ${step.missing}, server CPU ${round(step.serverCpuPercent, 0)}%, runner CPU ${round(step.runnerCpuPercent, 0)}%`
			);
		}
		inRace = inRace.filter((t) => {
			const last = steps.get(t)!.at(-1)!;
			return last.latencyMs.p99 <= 100 && last.missing === 0;
		});
	}
	return steps;
}

/** The largest step a server held under p99 100 ms with nothing missing (0 if none). */
function sustained(steps: StressStep[] | undefined): number {
	let best = 0;
	for (const s of steps ?? []) if (s.latencyMs.p99 <= 100 && s.missing === 0) best = Math.max(best, s.clients);
	return best;
}

// ---------------------------------------------------------------- report

function fmtMs(x: number) {
	return Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : '–';
}
function fmtMiB(kib: number) {
	return `${MiB(kib).toFixed(1)} MiB`;
}
function signed(kib: number) {
	return `${kib >= 0 ? '+' : '−'}${MiB(Math.abs(kib)).toFixed(1)} MiB`;
}
const met = (ok: boolean) => (ok ? '**met**' : '**not met**');

/** The targets of issue 7 that this runner measures, each with the figures it compares. */
function targetLines(report: Report): string[] {
	const by = (k: Kind) => report.servers.find((s) => s.name === k);
	const cas = by('casustafel');
	const bare = by('baseline');
	const hp = by('hocuspocus');
	const lines: string[] = [];
	if (cas?.load && bare?.load && hp?.load) {
		const c = cas.load.latencyMs.p99;
		const b = bare.load.latencyMs.p99;
		const h = hp.load.latencyMs.p99;
		lines.push(
			`| p99 edit-to-peer latency at ${cas.load.meetings} × ${cas.load.participantsPerMeeting} ≤ 1.25 × bare y-websocket-server | ${fmtMs(c)} ms vs 1.25 × ${fmtMs(b)} = ${fmtMs(1.25 * b)} ms | ${met(c <= 1.25 * b)} |`,
			`| p99 edit-to-peer latency ≤ Hocuspocus | ${fmtMs(c)} ms vs ${fmtMs(h)} ms | ${met(c <= h)} |`
		);
	}
	if (cas?.stress && hp?.stress) {
		const c = sustained(cas.stress);
		const h = sustained(hp.stress);
		const capped = c === stressMax * opts.participants;
		lines.push(`| sustained load (p99 ≤ 100 ms) ≥ Hocuspocus | ${c} vs ${h} clients${capped ? ' (the largest step tried)' : ''} | ${met(c >= h)} |`);
	}
	if (cas?.memory) {
		const m = cas.memory;
		const ok = m.settledKiB <= m.warmupKiB * 1.1;
		lines.push(`| memory back within 10% of its baseline after all clients leave | ${fmtMiB(m.settledKiB)} vs ${fmtMiB(m.warmupKiB)} (${signed(m.deltaFromWarmupKiB)}) | ${met(ok)} |`);
	}
	return lines.length ? ['| target | Casustafel vs | |', '|---|---|---|', ...lines] : [];
}

function markdown(report: Report): string {
	const cols = report.servers;
	const withLoad = cols.filter((s) => s.load);
	const withMem = cols.filter((s) => s.memory);
	const table = (list: ServerResult[]) => {
		const header = `| | ${list.map((s) => s.label).join(' | ')} |\n|---|${list.map(() => '---:').join('|')}|`;
		const row = (label: string, f: (s: ServerResult) => string) => `| ${label} | ${list.map(f).join(' | ')} |`;
		return { header, row };
	};
	const o = report.options;
	const m = report.machine;
	const lines = [
		`Run of ${report.date} (${o.mode} mode), raw results in \`${report.resultsFile}\`.`,
		'',
		`- Command: \`${report.command}\``,
		`- Code: commit ${report.source.commit}${report.source.uncommittedChanges ? ` with ${report.source.uncommittedChanges} uncommitted file(s) under src/, server/, migrations/` : ''}; sync code (server/index.ts, server/realtime.ts, src/lib/server/collab/*) sha256 ${report.source.syncCodeSha256}`,
		`- Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.os} (${m.arch}); 1-min load average ${m.loadAverageAtStart} at start, ${report.loadAverageAtEnd} at end (other work on the machine shows here)`,
		`- Load: ${o.meetings} meetings × ${o.participants} participants (${o.lateJoiners} of them join late, ${o.leavers} leave early), 2–3 typists per meeting typing phrases of 20–120 characters at ~${o.charsPerSecond} chars/s with jitter and 1–10 s pauses, a ${o.pasteChars}-char paste instead of a phrase ${Math.round(o.pasteChance * 100)}% of the time, caret presence with every edit, and every chair moving to the next agenda item once (everyone present leaves the item's document and opens the next); ${o.durationSeconds} s of typing per server in ${o.slices} slice(s) that alternate between the servers (everyone reconnects per slice), the first ${o.warmupSeconds} s of each slice not sampled`,
		`- Cycles: ${o.cycles} open → edit → close cycles (2 participants, ${o.editsPerCycle}+ edits and a paste each) over ${o.docs} distinct documents, ${o.concurrency} at a time, in ${o.rounds} rounds, after 20 warm-up cycles`,
		''
	];
	const targets = targetLines(report);
	if (targets.length) lines.push('**Targets**', '', ...targets, '');
	if (withLoad.length) {
		const { header, row } = table(withLoad);
		const L = (s: ServerResult) => s.load!;
		lines.push(
			`**Meeting load** (${o.meetings} × ${o.participants})`,
			'',
			header,
			row('edit-to-peer latency p50', (s) => `${fmtMs(L(s).latencyMs.p50)} ms`),
			row('edit-to-peer latency p90', (s) => `${fmtMs(L(s).latencyMs.p90)} ms`),
			row('edit-to-peer latency p99', (s) => `${fmtMs(L(s).latencyMs.p99)} ms`),
			row('edit-to-peer latency p99.9', (s) => `${fmtMs(L(s).latencyMs.p999)} ms`),
			row('edit-to-peer latency max', (s) => `${fmtMs(L(s).latencyMs.max)} ms`),
			...(o.slices > 1 ? [row('p99 per slice', (s) => L(s).latencyP99PerSlice.map((x) => fmtMs(x)).join(', ') + ' ms')] : []),
			row('latency samples (edit × receiving peer)', (s) => String(L(s).latencyMs.count)),
			row('deliveries missing after drain', (s) => `${L(s).missing} of ${L(s).expectedDeliveries}` + (L(s).anomalies ? ` (${L(s).anomalies} anomalies)` : '')),
			row('replicas converged', (s) => `${L(s).convergedDocs} of ${L(s).meetings} documents`),
			row('edits sent per second (all typists)', (s) => `${L(s).editsPerSecond.toFixed(1)} (${L(s).typists} typists)`),
			row('stored per second (mean / busiest 1 s)', (s) =>
				L(s).storedPerSecond === undefined
					? 'none (no storage)'
					: `${L(s).storedPerSecond!.toFixed(1)} / ${L(s).storedPerSecondPeak!.toFixed(1)} ${s.name === 'hocuspocus' ? 'document saves (debounced, whole document)' : 'updates (one row each, before broadcast)'}`
			),
			row('stored by connecting alone, before any edit', (s) =>
				L(s).storedByConnecting === undefined ? 'n/a' : String(L(s).storedByConnecting)
			),
			row('agenda switches: all present synced on the next item, p50 / p99', (s) => `${fmtMs(L(s).switchMs.p50)} / ${fmtMs(L(s).switchMs.p99)} ms (${L(s).switchMs.count})`),
			row('late joiners: connect to synced, p50 / p99', (s) => `${fmtMs(L(s).joinMs.p50)} / ${fmtMs(L(s).joinMs.p99)} ms (${L(s).lateJoins})`),
			row('server CPU during typing (one core = 100%)', (s) => `${L(s).serverCpuPercent.toFixed(1)}%`),
			row('server RSS before / peak / after load', (s) => `${fmtMiB(L(s).rss.beforeKiB)} / ${fmtMiB(L(s).rss.peakKiB)} / ${fmtMiB(L(s).rss.afterKiB)}`),
			row('server memory per connected client (RSS connected − before, / clients)', (s) => `${(L(s).perClientKiB).toFixed(0)} KiB`),
			row('unexpected disconnects', (s) => String(L(s).unexpectedDisconnects)),
			row('clients (runner): CPU, event-loop delay p99', (s) => `${L(s).client.cpuPercent.toFixed(0)}%, ${fmtMs(L(s).client.eventLoopDelayP99Ms)} ms`),
			''
		);
	}
	const stressed = cols.filter((s) => s.stress?.length);
	if (stressed.length) {
		const { header, row } = table(stressed);
		const allSteps = [...new Set(stressed.flatMap((s) => s.stress!.map((x) => x.meetings)))].sort((a, b) => a - b);
		lines.push(
			`**Stress** (${opts.participants} participants per meeting, 2 slices of ${stressSeconds} s per server per step; p99 latency / server CPU; – = dropped out after passing 100 ms)`,
			'',
			header,
			...allSteps.map((n) =>
				row(`${n} meetings (${n * opts.participants} clients)`, (s) => {
					const x = s.stress!.find((y) => y.meetings === n);
					return x ? `${fmtMs(x.latencyMs.p99)} ms / ${x.serverCpuPercent.toFixed(0)}%${x.missing ? ` (${x.missing} missing)` : ''}` : '–';
				})
			),
			row('**largest load under p99 100 ms**', (s) => `**${sustained(s.stress)} clients**`),
			''
		);
	}
	if (withMem.length) {
		const { header, row } = table(withMem);
		const M = (s: ServerResult) => s.memory!;
		lines.push(
			'**Memory over open / edit / close cycles** (RSS of the server process)',
			'',
			header,
			row('after start (idle)', (s) => fmtMiB(M(s).startKiB)),
			row('after 20 warm-up cycles (baseline)', (s) => fmtMiB(M(s).warmupKiB)),
			...(withMem[0]!.memory!.rounds ?? []).map((r, i) =>
				row(`after ${r.cyclesDone} cycles`, (s) => (M(s).rounds[i] ? fmtMiB(M(s).rounds[i]!.rssKiB) : '–'))
			),
			row(`after a further ${o.finalSettleSeconds} s idle (lowest in that time)`, (s) => `${fmtMiB(M(s).settledKiB)} (${fmtMiB(M(s).settledMinKiB)})`),
			row('change vs. warm-up baseline', (s) => signed(M(s).deltaFromWarmupKiB)),
			...(withMem.every((c) => c.memory!.heap?.length)
				? (withMem[0]!.memory!.heap ?? []).map((h, i) =>
						row(`JS heap used after a forced GC: ${h.at}`, (s) => {
							const x = M(s).heap![i]?.sample;
							return x ? `${fmtMiB(x.heapUsedKiB)} (RSS ${fmtMiB(x.rssKiB)})` : '–';
						})
					)
				: []),
			row('failed cycles', (s) => `${M(s).failed} of ${M(s).cycles}`),
			row('cycle time p50 / p99 (of which open + sync)', (s) =>
				`${fmtMs(M(s).cycleMs.p50)} / ${fmtMs(M(s).cycleMs.p99)} ms (${fmtMs(M(s).openMs.p50)} / ${fmtMs(M(s).openMs.p99)} ms)`
			),
			row('doc_updates rows left after the cycles (all compacted on unload = 0)', (s) =>
				M(s).docUpdateRowsLeft === undefined ? 'n/a' : String(M(s).docUpdateRowsLeft)
			),
			row('process start to ready', (s) => `${s.startSeconds.toFixed(1)} s`)
		);
	}
	return lines.join('\n');
}

interface Report {
	date: string;
	command: string;
	resultsFile: string;
	machine: ReturnType<typeof machine>;
	source: ReturnType<typeof source>;
	loadAverageAtEnd: number;
	options: typeof opts;
	stress: { stepMeetings: number; maxMeetings: number; secondsPerStep: number } | null;
	servers: ServerResult[];
}


// ---------------------------------------------------------------- main

async function main() {
	const nodeArgs: string[] = [];
	if (cpuProf) {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casustafel-bench-prof-'));
		nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
		console.log(`CPU profiles of the servers go to ${dir} (summarise with bench/sync/profile-summary.ts)`);
	}
	if (heapProbe) {
		nodeArgs.push('--inspect=127.0.0.1:0');
		console.log('heap probe: the servers run with --inspect and get forced full GCs at the memory checkpoints');
	}
	setExtraNodeArgs(nodeArgs);
	if (!fs.existsSync(path.join(ROOT, 'build', 'handler.js'))) {
		throw new Error('build/handler.js is missing: run `flock /tmp/casustafel-build.lock npx vite build` first');
	}
	if (!fs.existsSync(path.join(ROOT, 'bench', 'node_modules', '@hocuspocus', 'server'))) {
		throw new Error('the baselines are missing: run `npm ci --prefix bench` first (npm run bench does)');
	}
	const date = new Date();
	const m = machine();
	const src = source();
	console.log(`bench/sync (${opts.mode}): ${JSON.stringify(opts)}`);
	console.log(`machine: ${JSON.stringify(m)}`);

	const kinds = KINDS.filter((k) => !only || only.split(',').includes(k));
	const targets: Target[] = [];
	let ids: number[] = [];
	for (const kind of kinds) {
		// the baselines get Casustafel's document names, or made-up ones when it does not run
		if (kind !== 'casustafel' && ids.length === 0) ids = Array.from({ length: loadDocCount() + opts.docs }, (_, i) => 100 + i);
		const t = await start(kind, ids);
		targets.push(t);
		if (t.cas) ids = t.cas.caseIds;
	}
	const servers: ServerResult[] = targets.map((t) => ({ name: t.kind, label: t.label, pid: t.server.pid, startSeconds: t.startSeconds }));
	const result = (t: Target) => servers[targets.indexOf(t)]!;
	try {
		await sleep(1000);
		if (phases.has('memory')) for (const t of targets) result(t).memory = await memoryPhase(t);

		if (phases.has('load')) {
			// the meeting load, in slices that alternate between the servers (A B C, C B A, …), so
			// that other work on the machine weighs on all alike
			console.log(`\n== meeting load: ${opts.meetings} × ${opts.participants}, ${opts.slices} slice(s) of ${round(opts.durationSeconds / opts.slices, 1)} s per server`);
			const before = new Map(targets.map((t) => [t, t.server.rssKiB()]));
			const slices = new Map<Target, Slice[]>(targets.map((t) => [t, []]));
			for (let i = 0; i < opts.slices; i++) {
				const order = i % 2 === 0 ? targets : [...targets].reverse();
				for (const t of order) slices.get(t)!.push(await loadSlice(t, i, (opts.durationSeconds * 1000) / opts.slices));
			}
			await sleep(opts.settleSeconds * 1000);
			for (const t of targets) {
				const load = summarise(t, slices.get(t)!, before.get(t)!, t.server.rssKiB());
				result(t).load = load;
				const l = load.latencyMs;
				console.log(
					`${t.kind}: latency p50 ${round(l.p50)} ms, p99 ${round(l.p99)} ms, p99.9 ${round(l.p999)} ms (n=${l.count}); ` +
						`server CPU ${round(load.serverCpuPercent, 1)}%, RSS peak ${MiB(load.rss.peakKiB)} MiB, ${round(load.perClientKiB, 0)} KiB per client`
				);
			}
		}
		if (phases.has('stress')) {
			const steps = await stressPhase(targets);
			for (const t of targets) result(t).stress = steps.get(t);
		}
	} finally {
		for (const t of targets) await t.server.stop();
	}

	const stamp = date.toISOString().replace(/[:]/g, '-').replace(/\..+$/, '');
	const resultsFile = `bench/results/sync-${stamp}.json`;
	const command = `npm run bench${argv.length ? ' -- ' + argv.join(' ') : ''}`;
	const loadAverageAtEnd = round(os.loadavg()[0]!, 2);
	const report: Report = {
		date: date.toISOString(),
		command,
		resultsFile,
		machine: m,
		source: src,
		loadAverageAtEnd,
		options: opts,
		stress: phases.has('stress') ? { stepMeetings: stressStepSize, maxMeetings: stressMax, secondsPerStep: stressSeconds } : null,
		servers
	};
	fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
	fs.writeFileSync(path.join(ROOT, resultsFile), JSON.stringify(report, null, '\t') + '\n');
	const section = markdown(report);
	console.log('\n' + section + '\n');
	console.log(`raw results: ${resultsFile}`);
	if (writeReadme && servers.length === KINDS.length) {
		rewriteSection('sync', section);
		console.log('bench/README.md updated');
	} else if (writeReadme) {
		console.log('bench/README.md not updated: it shows all three servers from one run (use no --only)');
	}
}

main().then(
	() => {
		killAllChildren();
		process.exit(0);
	},
	(e) => void bail(1, `bench failed: ${String((e as Error)?.stack ?? e)}`)
);
