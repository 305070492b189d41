/**
 * bench/page: the meeting page in a real browser: how much JavaScript it ships (gzip) and how
 * soon it is usable, on the real built server over loopback.
 *
 *   npx tsx bench/page/run.ts            quick run (well under a minute)
 *   npx tsx bench/page/run.ts --full     more repetitions
 *
 * Flags (or env): --cold N (BENCH_PAGE_COLD, cold loads per page and role), --warm N
 * (BENCH_PAGE_WARM), --no-readme (do not rewrite bench/README.md), --profile (one more cold
 * load per page and role with Chromium's CPU profiler on; .cpuprofile files in a temp directory,
 * self time per file and function in the results).
 *
 * What it does: starts Casustafel from build/ (`server/index.ts`, as bench/sync/servers.ts does)
 * on a fresh SQLite file with the demo region, puts three cases on the agenda of an upcoming
 * Top 150 meeting (over the real /collab websocket, as a chair's laptop would), logs in with
 * Chromium as the demo voorzitter and deelnemer, and loads the laptop page /overleg/<id> and
 * the shared screen /overleg/<id>/scherm, cold (a new browser context: empty cache) and warm
 * (same context again). Results go to bench/results/page-<date>.json and the marked section
 * of bench/README.md.
 */
import { git, machine, rewriteSection } from '../machine';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { performance as clock } from 'node:perf_hooks';
import path from 'node:path';
import zlib from 'node:zlib';
import Database from 'better-sqlite3';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { addAgendaItem, caseTextOf } from '../../src/lib/shared/documents';
import { CASE_TEXT_KEYS } from '../../src/lib/shared/tables';
import { DEMO_PASSWORD, ROOT, exitGuard, killAllChildren, startCasustafel, websocketWithCookie, type Casustafel } from '../sync/servers';
import { distribution, round, sleep, waitFor } from '../sync/stats';

// ---------------------------------------------------------------- options

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
function option(name: string, env: string, fallback: number): number {
	const i = argv.indexOf(`--${name}`);
	const raw = i >= 0 ? argv[i + 1] : process.env[env];
	const n = raw === undefined ? NaN : Number(raw);
	return Number.isFinite(n) && n > 0 ? n : fallback;
}
const full = flag('full');
const opts = {
	mode: full ? 'full' : 'quick',
	cold: option('cold', 'BENCH_PAGE_COLD', full ? 25 : 3),
	warm: option('warm', 'BENCH_PAGE_WARM', full ? 25 : 3),
	warmup: full ? 2 : 1,
	/** the page counts as usable only if it gets there within this */
	loadTimeoutMs: 20_000,
	targetKiB: 200
};
const writeReadme = !flag('no-readme');
const profile = flag('profile');
const CHROMIUM = '/usr/bin/chromium';
// as playwright.config.ts launches it for the browser tests
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
	'--disable-quic'
];

// ---------------------------------------------------------------- cleanup

let browser: Browser | undefined;
const bail = exitGuard(full ? 20 : 3, async () => browser?.close());

// ---------------------------------------------------------------- machine and code



/** The commit, and whether the client code differs from it (then the build may too). */
function source() {
	const dirty = git('status', '--porcelain', '--', 'src', 'svelte.config.js', 'vite.config.ts', 'package.json')
		.split('\n')
		.filter(Boolean).length;
	let buildAt = '';
	try {
		buildAt = fs.statSync(path.join(ROOT, 'build', 'handler.js')).mtime.toISOString();
	} catch {
		// checked in main()
	}
	// the newest source file the browser gets code from: if it is newer than build/, the build is stale
	let newestSource = '';
	const walk = (dir: string) => {
		for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
			const rel = path.join(dir, entry.name);
			if (entry.isDirectory()) {
				if (rel !== path.join('src', 'lib', 'server')) walk(rel);
			} else if (!/\.(spec|test)\.ts$/.test(entry.name)) {
				const at = fs.statSync(path.join(ROOT, rel)).mtime.toISOString();
				if (at > newestSource) newestSource = at;
			}
		}
	};
	walk('src');
	return { commit: git('rev-parse', '--short', 'HEAD'), uncommittedClientFiles: dirty, buildAt, newestSource, buildStale: buildAt !== '' && newestSource > buildAt };
}

// ---------------------------------------------------------------- the meeting

interface Meeting {
	id: number;
	agendaTitles: string[];
	/** text put into every field of the first agenda item's case document */
	caseMarker: string;
}

/**
 * An upcoming Top 150 meeting of the demo region, with the benchmark's cases on its agenda and
 * text in the first case's fields, written over the real /collab websocket with the
 * voorzitter's session, as the chair's laptop would.
 */
async function prepareMeeting(server: Casustafel): Promise<Meeting> {
	const db = new Database(server.dbFile, { readonly: true, fileMustExist: true });
	let meetingId: number;
	let cases: { id: number; code: string; title: string }[];
	try {
		db.pragma('busy_timeout = 5000');
		const row = db
			.prepare(
				`SELECT m.id FROM meetings m JOIN case_tables t ON t.id = m.case_table_id
				 WHERE t.code_prefix = 'T150' AND m.closed_at IS NULL ORDER BY m.starts_at LIMIT 1`
			)
			.get() as { id: number } | undefined;
		if (!row) throw new Error('no upcoming Top 150 meeting in the demo region');
		meetingId = row.id;
		const ids = server.caseIds.join(',');
		cases = db.prepare(`SELECT id, code, title FROM cases WHERE id IN (${ids}) ORDER BY id`).all() as typeof cases;
	} finally {
		db.close();
	}
	const marker = 'Benchmarktekst';
	const WS = websocketWithCookie(server.cookies[0]!);
	const write = async (docName: string, edit: (doc: Y.Doc) => void) => {
		const doc = new Y.Doc();
		const provider = new WebsocketProvider(server.wsBase, docName, doc, {
			WebSocketPolyfill: WS as unknown as typeof globalThis.WebSocket,
			disableBc: true
		});
		try {
			await waitFor(() => provider.synced, 10_000, `sync of ${docName}`);
			edit(doc);
			// the server acknowledges nothing; wait until our update has gone out and been stored
			await sleep(300);
		} finally {
			provider.destroy();
			doc.destroy();
		}
	};
	const titles = cases.map((c, i) => `Benchagendapunt ${i + 1}: ${c.title}`);
	await write(`meeting:${meetingId}`, (doc) => {
		cases.forEach((c, i) =>
			addAgendaItem(doc, { caseId: c.id, caseCode: c.code, title: titles[i]!, plannedMinutes: 15, status: 'gepland' })
		);
	});
	const paragraph =
		`${marker}. Moeder en twee kinderen (8 en 12) wonen sinds een half jaar in een te kleine woning; er zijn ` +
		'schulden bij de woningcorporatie en de energieleverancier, school meldt verzuim van de oudste. ' +
		'Het Sociaal Team is betrokken, de huisarts verwees naar de GGZ, een wachtlijst van acht weken. ';
	await write(`case:${cases[0]!.id}`, (doc) => {
		doc.transact(() => {
			for (const key of CASE_TEXT_KEYS) caseTextOf(doc, key).insert(0, paragraph.repeat(2));
		});
	});
	return { id: meetingId, agendaTitles: titles, caseMarker: marker };
}

// ---------------------------------------------------------------- browser side

/**
 * Runs in the page before any of its scripts: records, on the page's own clock
 * (performance.now(), 0 = navigation start), when the page became hydrated, showed
 * "Verbonden", rendered the agenda from the synced meeting document and (on the laptop page)
 * the first case's text from the synced case document; and every long task.
 */
// Plain JavaScript in a string: a compiled function would carry tsx's helpers (`__name`) into the page.
const INSTRUMENT = String.raw`
(() => {
	const args = __ARGS__;
	const bench = (window.__bench = { marks: {}, longTasks: [] });
	try {
		new PerformanceObserver((list) => {
			for (const e of list.getEntries()) bench.longTasks.push({ start: e.startTime, duration: e.duration });
		}).observe({ type: 'longtask', buffered: true });
	} catch {}
	const m = bench.marks;
	const check = () => {
		const now = performance.now();
		if (m.hydrated === undefined && document.documentElement && document.documentElement.dataset.hydrated === 'true') m.hydrated = now;
		if (m.connected === undefined && document.querySelector('p.connection[data-status="ok"]')) m.connected = now;
		if (m.agenda === undefined && document.body && document.body.textContent.includes(args.agendaTitle)) m.agenda = now;
		if (m.caseText === undefined) {
			for (const t of document.querySelectorAll('textarea')) {
				if (t.value.includes(args.caseMarker)) { m.caseText = now; break; }
			}
		}
	};
	new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
	// a textarea's value is no mutation: also look once a frame until everything is seen
	const frame = () => {
		check();
		if (m.hydrated === undefined || m.connected === undefined || m.agenda === undefined || m.caseText === undefined) requestAnimationFrame(frame);
	};
	requestAnimationFrame(frame);
})();
`;

/**
 * The script that runs in the page before any of its scripts: records, on the page's own clock
 * (performance.now(), 0 = navigation start), when the page became hydrated, showed
 * "Verbonden", rendered the agenda from the synced meeting document and (on the laptop page)
 * the first case's text from the synced case document; and every long task.
 */
function instrument(args: { agendaTitle: string; caseMarker: string }): string {
	return INSTRUMENT.replace('__ARGS__', JSON.stringify(args));
}

interface JsResponse {
	url: string;
	status: number;
	contentEncoding: string;
	/** encoded body bytes as received by Chromium (0 from cache) */
	wireBytes: number;
	rawBytes: number;
	fromCache: boolean;
}

interface Load {
	page: 'laptop' | 'scherm';
	role: string;
	kind: 'cold' | 'warm';
	/** ms from navigation start, on the page's clock */
	hydrated: number;
	connected: number;
	agendaSynced: number;
	caseSynced: number | null;
	interactive: number;
	/** the last JavaScript file received (resource timing, responseEnd) */
	scriptsLoaded: number;
	/** the page's data (`__data.json`: the page renders in the browser only) received */
	pageDataLoaded: number;
	domContentLoaded: number;
	load: number;
	firstContentfulPaint: number | null;
	longTasksTotalMs: number;
	longTasksCount: number;
	/** JavaScript bytes over the network in this load, headers included (resource timing transferSize; 0 from the cache) */
	jsWireBytes: number;
	js: JsResponse[];
}

async function loadOnce(
	context: BrowserContext,
	url: string,
	which: 'laptop' | 'scherm',
	role: string,
	kind: 'cold' | 'warm'
): Promise<Load> {
	const page: Page = await context.newPage();
	const js: JsResponse[] = [];
	const pending: Promise<void>[] = [];
	page.on('response', (response) => {
		const u = new URL(response.url());
		const type = response.headers()['content-type'] ?? '';
		if (!u.pathname.endsWith('.js') && !type.includes('javascript')) return;
		pending.push(
			(async () => {
				const sizes = await response.request().sizes().catch(() => null);
				const body = await response.body().catch(() => Buffer.alloc(0));
				js.push({
					url: u.pathname,
					status: response.status(),
					contentEncoding: response.headers()['content-encoding'] ?? 'identity',
					wireBytes: sizes?.responseBodySize ?? NaN,
					rawBytes: body.length,
					fromCache: response.fromServiceWorker() || (sizes?.responseBodySize === 0 && body.length > 0)
				});
			})()
		);
	});
	try {
		const needCase = which === 'laptop';
		await page.goto(url, { waitUntil: 'commit', timeout: opts.loadTimeoutMs });
		await waitUsable(page, which, `${which} as ${role} (${kind})`);
		await page.waitForLoadState('load', { timeout: opts.loadTimeoutMs });
		// let a late long task or paint entry arrive
		await sleep(100);
		const figures = await page.evaluate(() => {
			const b = (window as unknown as { __bench: { marks: Record<string, number>; longTasks: { start: number; duration: number }[] } }).__bench;
			const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
			const fcp = performance.getEntriesByName('first-contentful-paint')[0];
			const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
			const scripts = resources.filter((e) => new URL(e.name).pathname.endsWith('.js'));
			const data = resources.find((e) => new URL(e.name).pathname.endsWith('/__data.json'));
			return {
				// transferSize is 0 for what came from the cache
				jsTransfer: scripts.reduce((sum, e) => sum + e.transferSize, 0),
				scriptsDone: scripts.length ? Math.max(...scripts.map((e) => e.responseEnd)) : NaN,
				dataDone: data ? data.responseEnd : NaN,
				marks: b.marks,
				longTasks: b.longTasks,
				domContentLoaded: nav ? nav.domContentLoadedEventEnd : NaN,
				load: nav ? nav.loadEventEnd : NaN,
				fcp: fcp ? fcp.startTime : null
			};
		});
		await Promise.all(pending);
		const m = figures.marks;
		const interactive = Math.max(m.hydrated!, m.connected!, m.agenda!, needCase ? m.caseText! : 0);
		// long tasks until the page was usable
		const until = figures.longTasks.filter((t) => t.start <= interactive);
		return {
			page: which,
			role,
			kind,
			hydrated: m.hydrated!,
			connected: m.connected!,
			agendaSynced: m.agenda!,
			caseSynced: needCase ? m.caseText! : null,
			interactive,
			scriptsLoaded: figures.scriptsDone,
			pageDataLoaded: figures.dataDone,
			domContentLoaded: figures.domContentLoaded,
			load: figures.load,
			firstContentfulPaint: figures.fcp,
			longTasksTotalMs: until.reduce((s, t) => s + t.duration, 0),
			longTasksCount: until.length,
			jsWireBytes: figures.jsTransfer,
			js: js.sort((a, b) => a.url.localeCompare(b.url))
		};
	} finally {
		await page.close();
	}
}

/** Waits until the instrumented page is usable (see INSTRUMENT); a readable error if it is not in time. */
async function waitUsable(page: Page, which: 'laptop' | 'scherm', what: string): Promise<void> {
	await page
		.waitForFunction(
			(needCase: boolean) => {
				const m = (window as unknown as { __bench?: { marks: Record<string, number | undefined> } }).__bench?.marks;
				if (!m) return false;
				return m.hydrated !== undefined && m.connected !== undefined && m.agenda !== undefined && (!needCase || m.caseText !== undefined);
			},
			which === 'laptop',
			{ timeout: opts.loadTimeoutMs, polling: 50 }
		)
		.catch(async (e: unknown) => {
			const marks = await page.evaluate(() => JSON.stringify((window as unknown as { __bench?: { marks: unknown } }).__bench?.marks ?? null)).catch(() => '?');
			const status = await page.locator('p.connection').textContent({ timeout: 1000 }).catch(() => 'no connection status');
			throw new Error(`${what} not usable within ${opts.loadTimeoutMs} ms: reached ${marks}, status "${status}", at ${page.url()}: ${String(e)}`);
		});
}

interface CpuProfile {
	nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

interface ProfileSummary {
	page: 'laptop' | 'scherm';
	role: string;
	file: string;
	/** ms of the profile: navigation to usable */
	totalMs: number;
	/** self time per script file (or V8's own categories), heaviest first */
	byFile: { where: string; ms: number }[];
	/** self time per function, heaviest first */
	byFunction: { fn: string; ms: number }[];
}

/**
 * One cold load with Chromium's sampling profiler on (CDP Profiler, 100 µs) from before the
 * navigation until the page is usable; the .cpuprofile goes to `dir` (open it in Chrome's
 * DevTools, or `npx tsx bench/sync/profile-summary.ts <file>`). Not part of the figures.
 */
async function profileOnce(context: BrowserContext, url: string, which: 'laptop' | 'scherm', role: string, dir: string): Promise<ProfileSummary> {
	const page = await context.newPage();
	try {
		const cdp = await context.newCDPSession(page);
		await cdp.send('Profiler.enable');
		await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
		await cdp.send('Profiler.start');
		await page.goto(url, { waitUntil: 'commit', timeout: opts.loadTimeoutMs });
		await waitUsable(page, which, `${which} as ${role} (profiled)`);
		const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
		const file = path.join(dir, `page-${which}-${role}.cpuprofile`);
		fs.writeFileSync(file, JSON.stringify(profile));
		const byId = new Map(profile.nodes.map((n) => [n.id, n]));
		const files = new Map<string, number>();
		const fns = new Map<string, number>();
		for (let i = 0; i < profile.samples.length; i++) {
			const n = byId.get(profile.samples[i]!)!;
			const us = profile.timeDeltas[i] ?? 0;
			const name = n.callFrame.functionName || '(anonymous)';
			const where = n.callFrame.url ? path.basename(new URL(n.callFrame.url, 'http://x').pathname) : name.startsWith('(') ? name : '(native)';
			files.set(where, (files.get(where) ?? 0) + us / 1000);
			const fn = `${name} ${n.callFrame.url ? `${where}:${n.callFrame.lineNumber + 1}` : ''}`.trim();
			fns.set(fn, (fns.get(fn) ?? 0) + us / 1000);
		}
		const top = (m: Map<string, number>, k: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, k);
		return {
			page: which,
			role,
			file,
			totalMs: ms((profile.endTime - profile.startTime) / 1000),
			byFile: top(files, 10).map(([where, t]) => ({ where, ms: ms(t) })),
			byFunction: top(fns, 15).map(([fn, t]) => ({ fn, ms: ms(t) }))
		};
	} finally {
		await page.close();
	}
}

async function loginState(base: string, email: string): Promise<Awaited<ReturnType<BrowserContext['storageState']>>> {
	const context = await browser!.newContext({ baseURL: base });
	try {
		const page = await context.newPage();
		await page.goto('/login');
		await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached', timeout: 20_000 });
		await page.getByLabel('E-mailadres').fill(email);
		await page.getByLabel('Wachtwoord').fill(DEMO_PASSWORD);
		await page.getByRole('button', { name: 'Inloggen' }).click();
		await page.waitForURL((u) => u.pathname !== '/login', { timeout: 20_000 });
		return await context.storageState();
	} finally {
		await context.close();
	}
}

// ---------------------------------------------------------------- the JavaScript itself

interface ChunkSize {
	url: string;
	/** what is in it, from the build manifest and the code itself */
	contains: string;
	rawBytes: number;
	/** bytes on the wire when asked with Accept-Encoding: gzip */
	servedGzipBytes: number;
	servedEncoding: string;
	/** whether those bytes are build/client's precompressed .gz file */
	servedPrecompressed: boolean;
	/** gzip -9 of the raw body */
	gzip9Bytes: number;
	/** as Chromium got it in the first cold load (it asks for br too) */
	chromiumWireBytes: number;
	chromiumEncoding: string;
	/** the code itself (not written to the results) */
	text: string;
}

function get(url: string, acceptEncoding: string): Promise<{ status: number; encoding: string; body: Buffer }> {
	return new Promise((resolve, reject) => {
		const req = http.get(url, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
			const parts: Buffer[] = [];
			res.on('data', (c: Buffer) => parts.push(c));
			res.on('end', () =>
				resolve({ status: res.statusCode ?? 0, encoding: String(res.headers['content-encoding'] ?? 'identity'), body: Buffer.concat(parts) })
			);
			res.on('error', reject);
		});
		req.setTimeout(10_000, () => req.destroy(new Error(`timeout fetching ${url}`)));
		req.on('error', reject);
	});
}

/** Which modules went into each built file, by the client build's manifest. */
function manifestContents(): Map<string, string[]> {
	const out = new Map<string, string[]>();
	const file = path.join(ROOT, '.svelte-kit', 'output', 'client', '.vite', 'manifest.json');
	if (!fs.existsSync(file)) return out;
	const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { file: string; src?: string; name?: string }>;
	for (const [key, entry] of Object.entries(manifest)) {
		const list = out.get('/' + entry.file) ?? [];
		if (!key.startsWith('_')) list.push(key.replace(/^node_modules\//, '').replace(/^\.svelte-kit\/generated\/client-optimized\//, 'sveltekit:'));
		out.set('/' + entry.file, list);
	}
	return out;
}

/** Well-known libraries, recognised by strings that survive minification. */
const SIGNATURES: [string, RegExp][] = [
	['chart.js', /chartjs|Chart\.register/],
	['socket.io-client + engine.io', /engine\.io|socket\.io/],
	['yjs', /YXmlText|Unexpected content type|yjs was already imported/],
	['y-websocket / y-protocols', /awareness|WebsocketProvider|messageAwareness/i],
	['lib0', /lib0|Unexpected end of array/],
	['svelte runtime', /svelte\.dev\/e\/|https:\/\/svelte\.dev/],
	['@sveltejs/kit client', /__sveltekit|sveltekit:|data-sveltekit/],
	['zod', /ZodError|_zod|ZodType/],
	['Casustafel live/collab client', /attendance:add|case:regie/],
	['date formats ($lib/shared/format: Intl.DateTimeFormat)', /new Intl\.DateTimeFormat/]
];

async function measureChunks(base: string, first: Load, manifest: Map<string, string[]>): Promise<ChunkSize[]> {
	const out: ChunkSize[] = [];
	for (const r of first.js) {
		const raw = await get(base + r.url, 'identity');
		const gz = await get(base + r.url, 'gzip');
		if (raw.status !== 200 || gz.status !== 200) throw new Error(`${r.url}: HTTP ${raw.status} / ${gz.status}`);
		let precompressed = false;
		const onDisk = path.join(ROOT, 'build', 'client', r.url + '.gz');
		if (fs.existsSync(onDisk)) precompressed = fs.readFileSync(onDisk).equals(gz.body);
		const text = raw.body.toString('utf8');
		const fromManifest = manifest.get(r.url) ?? [];
		const recognised = SIGNATURES.filter(([, re]) => re.test(text)).map(([name]) => name);
		const contains = [...fromManifest, ...recognised.filter((n) => !fromManifest.some((f) => f.startsWith(n.split(' ')[0]!)))];
		out.push({
			url: r.url,
			contains: contains.join(', ') || 'app code',
			rawBytes: raw.body.length,
			servedGzipBytes: gz.body.length,
			servedEncoding: gz.encoding,
			servedPrecompressed: precompressed,
			gzip9Bytes: zlib.gzipSync(raw.body, { level: 9 }).length,
			chromiumWireBytes: r.wireBytes,
			chromiumEncoding: r.contentEncoding,
			text
		});
	}
	return out.sort((a, b) => b.servedGzipBytes - a.servedGzipBytes);
}

// ---------------------------------------------------------------- report

const KiB = (b: number) => round(b / 1024, 1);
const ms = (x: number) => round(x, 1);

type Series = ReturnType<typeof series>;
function series(loads: Load[]) {
	const d = (pick: (l: Load) => number | null) => {
		const xs = loads.map(pick).filter((x): x is number => x !== null && Number.isFinite(x));
		const s = distribution(xs);
		return { n: s.count, p50: ms(s.p50), p95: ms(percentile95(xs)), max: ms(s.max) };
	};
	return {
		interactive: d((l) => l.interactive),
		scriptsLoaded: d((l) => l.scriptsLoaded),
		pageDataLoaded: d((l) => l.pageDataLoaded),
		hydrated: d((l) => l.hydrated),
		connected: d((l) => l.connected),
		agendaSynced: d((l) => l.agendaSynced),
		caseSynced: d((l) => l.caseSynced),
		domContentLoaded: d((l) => l.domContentLoaded),
		load: d((l) => l.load),
		firstContentfulPaint: d((l) => l.firstContentfulPaint),
		longTasksTotalMs: d((l) => l.longTasksTotalMs),
		jsWireBytes: d((l) => l.jsWireBytes)
	};
}
function percentile95(xs: number[]): number {
	const sorted = [...xs].sort((a, b) => a - b);
	if (!sorted.length) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(0.95 * sorted.length) - 1))]!;
}

interface PageJs {
	page: 'laptop' | 'scherm';
	role: string;
	files: number;
	servedGzipBytes: number;
	gzip9Bytes: number;
	rawBytes: number;
	chromiumWireBytes: number;
	chunks: ChunkSize[];
	/** JavaScript inline in the HTML (SvelteKit's bootstrap) */
	inlineScriptBytes: number;
	/** route nodes loaded: the root layout, the error page and the page itself, nothing else */
	routeNodes: string[];
	/** libraries that must never be on the meeting page, found in its files */
	unwanted: string[];
}

/** Never on the meeting page: chart.js (monitoring), zod (the server validates). */
const UNWANTED: [string, RegExp][] = [
	['chart.js', /chartjs|Chart\.register/],
	['zod', /ZodError|_zod|ZodType/]
];

interface Report {
	date: string;
	command: string;
	resultsFile: string;
	machine: ReturnType<typeof machine>;
	source: ReturnType<typeof source>;
	loadAverageAtEnd: number;
	runSeconds: number;
	options: typeof opts;
	meeting: { id: number; agendaItems: number };
	javascript: PageJs[];
	timings: { page: string; role: string; kind: string; figures: Series }[];
	/** loads that did not get usable within the timeout (not in the figures) */
	failures: string[];
	/** with --profile: one profiled cold load per page and role (not in the figures) */
	profiles: ProfileSummary[];
	loads: Omit<Load, 'js'>[];
}

function markdown(r: Report): string {
	const m = r.machine;
	const laptop = r.javascript.find((j) => j.page === 'laptop' && j.role === 'voorzitter') ?? r.javascript[0]!;
	const maxJs = Math.max(...r.javascript.map((j) => j.servedGzipBytes));
	const worstJs = r.javascript.find((j) => j.servedGzipBytes === maxJs)!;
	const met = (ok: boolean) => (ok ? 'met' : '**not met**');
	const lines = [
		`Run of ${r.date} (${r.options.mode} mode), raw results in \`${r.resultsFile}\`.`,
		'',
		`- Command: \`${r.command}\``,
		`- Code: commit ${r.source.commit}${r.source.uncommittedClientFiles ? ` with ${r.source.uncommittedClientFiles} uncommitted file(s) under src/ or the build config` : ''}; build/ of ${r.source.buildAt}${r.source.buildStale ? ` (**older than a file under src/, changed ${r.source.newestSource}**: rebuild for figures of the current code)` : ''}`,
		`- Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.os} (${m.arch}); Chromium ${CHROMIUM} headless; 1-min load average ${m.loadAverageAtStart} at start, ${r.loadAverageAtEnd} at end; the run took ${r.runSeconds} s`,
		`- Loads: ${r.options.cold} cold (new browser context, empty cache) and ${r.options.warm} warm (same context, cached) per page and role, after ${r.options.warmup} unmeasured; meeting ${r.meeting.id} (Top 150) with ${r.meeting.agendaItems} cases on the agenda`,
		'',
		'| figure | target | measured | |',
		'|---|---|---:|---|',
		`| JavaScript of the meeting page, gzip as served (largest of the pages and roles: ${worstJs.page}, ${worstJs.role}) | < ${r.options.targetKiB} KiB | ${KiB(maxJs)} KiB in ${worstJs.files} files | ${met(maxJs < r.options.targetKiB * 1024)} |`
	];
	for (const j of r.javascript) {
		lines.push(`| JavaScript, ${j.page} page as ${j.role}: served gzip / gzip -9 / raw / as Chromium got it (br) | | ${KiB(j.servedGzipBytes)} / ${KiB(j.gzip9Bytes)} / ${KiB(j.rawBytes)} / ${KiB(j.chromiumWireBytes)} KiB | |`);
	}
	for (const t of r.timings) {
		const f = t.figures;
		lines.push(
			`| time to interactive, ${t.page} as ${t.role}, ${t.kind}: p50 / p95 (n=${f.interactive.n}) | | ${f.interactive.p50} / ${f.interactive.p95} ms | |`
		);
	}
	lines.push('', r.failures.length ? `**${r.failures.length} load(s) did not get usable within ${r.options.loadTimeoutMs / 1000} s** and are not in the figures (see the JSON).` : `Every load got usable within ${r.options.loadTimeoutMs / 1000} s.`);
	if (Math.min(r.options.cold, r.options.warm) < 20) lines.push('', `With ${Math.min(r.options.cold, r.options.warm)} loads per row the p95 is the slowest load; use \`--full\` for figures.`);
	lines.push('', 'Time to interactive = the latest of: hydrated (`html[data-hydrated]`), "Verbonden" shown (`p.connection[data-status=ok]`: socket.io and the document websocket open), the agenda rendered from the synced meeting document, and on the laptop page the first case\'s text rendered from its synced case document; all on the page\'s clock from navigation start.', '');
	lines.push('| p50 / p95 in ms | JS received | DOMContentLoaded | page data received | first contentful paint | hydrated | connected | agenda synced | case synced | load event | long tasks until interactive (sum) |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
	for (const t of r.timings) {
		const f = t.figures;
		const c = (x: { p50: number; p95: number; n: number }) => (x.n ? `${x.p50} / ${x.p95}` : 'n/a');
		lines.push(`| ${t.page}, ${t.role}, ${t.kind} (JS over the network: ${KiB(f.jsWireBytes.p50)} KiB) | ${c(f.scriptsLoaded)} | ${c(f.domContentLoaded)} | ${c(f.pageDataLoaded)} | ${c(f.firstContentfulPaint)} | ${c(f.hydrated)} | ${c(f.connected)} | ${c(f.agendaSynced)} | ${c(f.caseSynced)} | ${c(f.load)} | ${c(f.longTasksTotalMs)} |`);
	}
	lines.push('', `**Biggest files** of the laptop page (voorzitter), ${laptop.files} files, ${laptop.inlineScriptBytes} bytes of inline bootstrap not counted:`, '');
	lines.push('| file | contains | raw | gzip as served | gzip -9 |', '|---|---|---:|---:|---:|');
	for (const c of laptop.chunks.slice(0, 8)) {
		lines.push(`| \`${path.basename(c.url)}\` | ${c.contains} | ${KiB(c.rawBytes)} KiB | ${KiB(c.servedGzipBytes)} KiB${c.servedPrecompressed ? '' : ' (not the precompressed .gz!)'} | ${KiB(c.gzip9Bytes)} KiB |`);
	}
	const rest = laptop.chunks.slice(8);
	if (rest.length) lines.push(`| ${rest.length} more | | ${KiB(rest.reduce((s, c) => s + c.rawBytes, 0))} KiB | ${KiB(rest.reduce((s, c) => s + c.servedGzipBytes, 0))} KiB | ${KiB(rest.reduce((s, c) => s + c.gzip9Bytes, 0))} KiB |`);
	lines.push('');
	for (const j of r.javascript) {
		lines.push(`- ${j.page} page as ${j.role}: route nodes ${j.routeNodes.join(', ')}; ${j.unwanted.length ? `**contains ${j.unwanted.join(', ')}**` : 'no chart.js, no zod'}`);
	}
	const label = new Map(r.javascript.flatMap((j) => j.chunks.map((c) => [path.basename(c.url), c.contains] as const)));
	for (const pr of r.profiles) {
		const files = pr.byFile.slice(0, 7).map((f) => `${f.where}${label.has(f.where) ? ` (${label.get(f.where)})` : ''} ${f.ms} ms`);
		lines.push(`- CPU profile of one cold ${pr.page} load as ${pr.role} (navigation to usable, ${pr.totalMs} ms), self time: ${files.join(', ')}`);
	}
	const allPre = r.javascript.every((j) => j.chunks.every((c) => c.servedPrecompressed && c.servedEncoding === 'gzip'));
	lines.push(allPre ? 'Every file was served as build/client\'s precompressed `.gz` when asked for gzip.' : 'Not every file was served precompressed: see the JSON.');
	return lines.join('\n');
}


// ---------------------------------------------------------------- main

async function main() {
	if (!fs.existsSync(path.join(ROOT, 'build', 'handler.js'))) {
		throw new Error('build/handler.js is missing: run `flock /tmp/casustafel-build.lock npx vite build` first');
	}
	const date = new Date();
	const m = machine();
	const src = source();
	console.log(`bench/page (${opts.mode}): ${JSON.stringify(opts)}`);
	console.log(`machine: ${JSON.stringify(m)}`);
	if (src.buildStale) console.warn(`warning: build/ (${src.buildAt}) is older than a file under src/ (${src.newestSource}); the figures are of the build`);

	const began = clock.now();
	const server = await startCasustafel(3);
	const javascript: PageJs[] = [];
	const allLoads: Load[] = [];
	const failures: string[] = [];
	const profiles: ProfileSummary[] = [];
	let profileDir: string | undefined;
	const timings: Report['timings'] = [];
	let meeting: Meeting;
	try {
		meeting = await prepareMeeting(server);
		console.log(`meeting ${meeting.id}: ${meeting.agendaTitles.length} cases on the agenda`);
		browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
		const manifest = manifestContents();
		const contextOptions = {
			baseURL: server.url,
			viewport: { width: 1366, height: 768 },
			locale: 'nl-NL',
			timezoneId: 'Europe/Amsterdam'
		};
		const pages = [
			{ which: 'laptop' as const, path: `/overleg/${meeting.id}` },
			{ which: 'scherm' as const, path: `/overleg/${meeting.id}/scherm` }
		];
		const args = { agendaTitle: meeting.agendaTitles[0]!, caseMarker: meeting.caseMarker };
		for (const role of ['voorzitter', 'deelnemer']) {
			const state = await loginState(server.url, `${role}@casustafel.example`);
			for (const p of pages) {
				const url = server.url + p.path;
				const newContext = async () => {
					const context = await browser!.newContext({ ...contextOptions, storageState: state });
					await context.addInitScript({ content: instrument(args) });
					return context;
				};
				// cold: a new context (empty cache) per load; warm: one context, loaded once to fill
				// its cache, then again and again. Cold and warm loads alternate, so that other work
				// on the machine weighs on both alike.
				const cold: Load[] = [];
				const warm: Load[] = [];
				// a load that does not get usable in time is counted and reported, not fatal, unless
				// it happens again and again
				const attempt = async (context: BrowserContext, kind: 'cold' | 'warm'): Promise<Load | null> => {
					try {
						return await loadOnce(context, url, p.which, role, kind);
					} catch (e) {
						failures.push(String((e as Error)?.message ?? e).split('\n')[0]!);
						console.warn(`failed load: ${failures.at(-1)}`);
						if (failures.length > Math.max(3, (opts.cold + opts.warm) / 2)) throw new Error(`too many failed loads (${failures.length})`);
						return null;
					}
				};
				const warmContext = await newContext();
				try {
					await attempt(warmContext, 'warm');
					for (let i = 0; i < opts.warmup + Math.max(opts.cold, opts.warm); i++) {
						if (i < opts.warmup + opts.cold) {
							const context = await newContext();
							try {
								const l = await attempt(context, 'cold');
								if (l && i >= opts.warmup) cold.push(l);
							} finally {
								await context.close();
							}
						}
						if (i < opts.warmup + opts.warm) {
							const l = await attempt(warmContext, 'warm');
							if (l && i >= opts.warmup) warm.push(l);
						}
					}
				} finally {
					await warmContext.close();
				}
				if (cold.length === 0 || warm.length === 0) throw new Error(`${p.which} as ${role}: no load got usable`);
				allLoads.push(...cold, ...warm);
				timings.push({ page: p.which, role, kind: 'cold', figures: series(cold) });
				timings.push({ page: p.which, role, kind: 'warm', figures: series(warm) });

				const first = cold[0]!;
				const chunks = await measureChunks(server.url, first, manifest);
				const inline = await inlineScriptBytes(server.url, p.path, state);
				const sum = (k: keyof ChunkSize) => chunks.reduce((s, c) => s + (c[k] as number), 0);
				javascript.push({
					page: p.which,
					role,
					files: chunks.length,
					servedGzipBytes: sum('servedGzipBytes'),
					gzip9Bytes: sum('gzip9Bytes'),
					rawBytes: sum('rawBytes'),
					chromiumWireBytes: sum('chromiumWireBytes'),
					chunks,
					inlineScriptBytes: inline,
					routeNodes: chunks.filter((c) => c.url.includes('/nodes/')).map((c) => path.basename(c.url)).sort(),
					unwanted: UNWANTED.filter(([, re]) => chunks.some((c) => re.test(c.text))).map(([name]) => name)
				});
				if (profile) {
					profileDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'casustafel-page-prof-'));
					const context = await newContext();
					try {
						const summary = await profileOnce(context, url, p.which, role, profileDir);
						profiles.push(summary);
						console.log(`profile of a cold ${p.which} load as ${role}: ${summary.file}`);
						console.log(summary.byFile.map((f) => `  ${f.ms} ms  ${f.where}`).join('\n'));
					} finally {
						await context.close();
					}
				}
				const c = timings.at(-2)!.figures.interactive;
				const w = timings.at(-1)!.figures.interactive;
				console.log(
					`${p.which} as ${role}: JS ${KiB(sum('servedGzipBytes'))} KiB gzip in ${chunks.length} files; ` +
						`interactive cold p50 ${c.p50} ms p95 ${c.p95} ms, warm p50 ${w.p50} ms p95 ${w.p95} ms`
				);
			}
		}
	} finally {
		await browser?.close().catch(() => undefined);
		await server.stop();
	}

	const stamp = date.toISOString().replace(/[:]/g, '-').replace(/\..+$/, '');
	const resultsFile = `bench/results/page-${stamp}.json`;
	const command = `npx tsx bench/page/run.ts${argv.length ? ' ' + argv.join(' ') : ''}`;
	const report: Report = {
		date: date.toISOString(),
		command,
		resultsFile,
		machine: m,
		source: src,
		loadAverageAtEnd: round(os.loadavg()[0]!, 2),
		runSeconds: round((clock.now() - began) / 1000, 1),
		options: opts,
		meeting: { id: meeting.id, agendaItems: meeting.agendaTitles.length },
		javascript,
		timings,
		failures,
		profiles,
		loads: allLoads.map(({ js: _js, ...rest }) => rest)
	};
	fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
	fs.writeFileSync(path.join(ROOT, resultsFile), JSON.stringify(report, (key, value) => (key === 'text' ? undefined : value), '\t') + '\n');
	const section = markdown(report);
	console.log('\n' + section + '\n');
	console.log(`raw results: ${resultsFile}`);
	if (writeReadme) {
		rewriteSection('page', section);
		console.log('bench/README.md updated');
	}
}

/** Bytes of JavaScript inline in the page's HTML (SvelteKit's bootstrap), fetched with the session. */
async function inlineScriptBytes(base: string, pagePath: string, state: Awaited<ReturnType<BrowserContext['storageState']>>): Promise<number> {
	const cookie = state.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
	const response = await fetch(base + pagePath, { headers: { cookie, accept: 'text/html' } });
	const html = await response.text();
	let bytes = 0;
	for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) bytes += Buffer.byteLength(match[1]!);
	return bytes;
}

main().then(
	async () => {
		killAllChildren();
		process.exit(0);
	},
	(e) => void bail(1, `bench failed: ${String((e as Error)?.stack ?? e)}`)
);
