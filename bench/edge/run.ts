/**
 * bench/edge: what one document update may cost the server (issue 12, "bounded work per
 * message"). Every update of a corpus of structural attacks and of real typing and pasting is
 * handed to the real `CollabHub` (on the real `createSqliteDocStore`, a migrated SQLite file)
 * through a write connection, exactly as the endpoint hands it a websocket frame, and the
 * event-loop time of that call is measured: decoding, the limit checks, applying to the live
 * document. The commit and the broadcast come after, in the store's group commit.
 *
 *   npx tsx bench/edge/run.ts            quick (about 1 minute on 2 cores)
 *   npx tsx bench/edge/run.ts --full     more repetitions
 *
 * Flags: --full, --no-readme (leave bench/README.md alone). Target: no accepted update above
 * 50 ms. Also reported: what applying the same update costs a browser's Y.Doc (with a deep
 * observer, as the meeting page has), for the accepted ones.
 *
 * Results: bench/results/edge-<date>.json and the section between `<!-- bench:edge:start -->`
 * and `<!-- bench:edge:end -->` in bench/README.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as Y from 'yjs';
import { CollabHub, type CollabConnection } from '../../src/lib/server/collab/hub';
import { DEFAULT_LIMITS } from '../../src/lib/server/collab/limits';
import { createSqliteDocStore } from '../../src/lib/server/collab/store';
import { encodeSyncStep1, encodeUpdate } from '../../src/lib/server/collab/protocol';
import { caseTextOf, addAction } from '../../src/lib/shared/documents';
import {
	deepNesting,
	futureOrigin,
	giantString,
	listScan,
	manyClients,
	manyKeys,
	manyRoots,
	manyTypes,
	missingDependency,
	nestingParentsLater,
	scatteredInserts,
	typing,
	unknownDeletes,
	waitingOnEachOther
} from '../../tests/integration/helpers/hostile-updates';
import { git, machine, rewriteSection } from '../machine';
import { exitGuard } from '../sync/servers';
import { ROOT, silentLog, tempDatabase } from '../data/common';

const argv = process.argv.slice(2);
const full = argv.includes('--full');
const reps = full ? 7 : 3;
const bail = exitGuard(full ? 20 : 8);

interface Case {
	group: 'attack' | 'real';
	name: string;
	/** builds the document the update meets (fresh per repetition), then the update(s) */
	prepare: (doc: Y.Doc) => Uint8Array[];
}

/** A text of `chars` characters typed one by one at random places: a long, fragmented list. */
function fragmentedText(doc: Y.Doc, root: string, chars: number) {
	const text = doc.getText(root);
	let x = 7;
	for (let i = 0; i < chars; i++) {
		x = (x * 1103515245 + 12345) & 0x7fffffff;
		text.insert(x % (text.length + 1), 'a');
	}
}

const attacks: Case[] = [
	...[9, 50, 400, 6000].map((d) => ({ group: 'attack' as const, name: `maps nested ${d} deep`, prepare: () => [deepNesting(d).build] })),
	...[3, 8].map((d) => ({ group: 'attack' as const, name: `maps nested ${d} deep, every level touched`, prepare: () => Object.values(deepNesting(d)) })),
	...[1000, 2000, 6000].map((n) => ({ group: 'attack' as const, name: `${n} maps in one update`, prepare: () => [manyTypes(n)] })),
	...[10_000, 20_000, 30_000].map((n) => ({ group: 'attack' as const, name: `${n} keys set in one update`, prepare: () => [manyKeys(n)] })),
	...[3000, 19_000].map((n) => ({ group: 'attack' as const, name: `${n} scattered one-letter inserts`, prepare: () => [scatteredInserts(n, 'zorgen', n)] })),
	...[16, 100].map((n) => ({ group: 'attack' as const, name: `${n} new root types`, prepare: () => [manyRoots(n)] })),
	{ group: 'attack', name: 'one string of 900 KB', prepare: () => [giantString(900_000, 'wens')] },
	...[
		[32, 600],
		[80, 50]
	].map(([c, k]) => ({ group: 'attack' as const, name: `${c} made-up clients x ${k} items at one place`, prepare: () => [manyClients(c!, k!, 'plan')] })),
	...[100, 5000].map((n) => ({
		group: 'attack' as const,
		name: `${n} items without origins into a text of 20,000 fragments`,
		prepare: (doc: Y.Doc) => {
			fragmentedText(doc, 'situatie', 20_000);
			return [listScan(doc, n, 'situatie')];
		}
	})),
	{
		group: 'attack',
		name: '4 items without origins into a text of 20,000 fragments (just below the work limit)',
		prepare: (doc: Y.Doc) => {
			fragmentedText(doc, 'situatie', 20_000);
			return [listScan(doc, 4, 'situatie')];
		}
	},
	{ group: 'attack', name: '7,900 scattered one-letter inserts (just below the struct limit)', prepare: () => [scatteredInserts(7_900, 'zorgen', 7_900)] },
	{ group: 'attack', name: '32 made-up clients x 300 items at one place', prepare: () => [manyClients(32, 300, 'plan')] },
	{
		group: 'attack',
		name: 'every other letter deleted in a text of 20,000 fragments (10,000 ranges)',
		prepare: (doc: Y.Doc) => {
			fragmentedText(doc, 'situatie', 20_000);
			const client = new Y.Doc();
			Y.applyUpdate(client, Y.encodeStateAsUpdate(doc));
			const sv = Y.encodeStateVector(client);
			const text = caseTextOf(client, 'situatie');
			client.transact(() => {
				for (let i = 0; i < 10_000; i++) text.delete(i, 1);
			});
			return [Y.encodeStateAsUpdate(client, sv)];
		}
	},
	{ group: 'attack', name: '20,000 deletes of unknown ranges', prepare: () => [unknownDeletes(20_000)] },
	{ group: 'attack', name: 'origin into its own future (the brick)', prepare: () => [futureOrigin('situatie')] },
	{ group: 'attack', name: 'missing dependency', prepare: () => [missingDependency('zorgen')] },
	{
		group: 'attack',
		name: 'two items waiting on each other (pending) into a text of 20,000 fragments',
		prepare: (doc: Y.Doc) => {
			fragmentedText(doc, 'situatie', 20_000);
			return [waitingOnEachOther('situatie', 'origin')];
		}
	},
	...[40, 1900].map((d) => ({ group: 'attack' as const, name: `maps nested ${d} deep, parents later in the update`, prepare: () => [nestingParentsLater(d)] })),
	{
		group: 'attack',
		name: 'bold over a text of 20,000 fragments (formatting)',
		prepare: (doc: Y.Doc) => {
			fragmentedText(doc, 'situatie', 20_000);
			const client = new Y.Doc();
			Y.applyUpdate(client, Y.encodeStateAsUpdate(doc));
			const sv = Y.encodeStateVector(client);
			caseTextOf(client, 'situatie').format(0, 10, { bold: true });
			return [Y.encodeStateAsUpdate(client, sv)];
		}
	}
];

const real: Case[] = [
	{
		group: 'real',
		name: '2,000 keystrokes, one update each (worst single keystroke)',
		prepare: () => typing(new Y.Doc(), 2000, 'situatie')
	},
	{
		group: 'real',
		name: 'a keystroke into a text of 20,000 fragments (three years of edits)',
		prepare: (doc) => {
			fragmentedText(doc, 'situatie', 20_000);
			const client = new Y.Doc();
			Y.applyUpdate(client, Y.encodeStateAsUpdate(doc));
			return typing(client, 20, 'situatie');
		}
	},
	{ group: 'real', name: 'a paste of 20 KB', prepare: () => [giantString(20_000, 'situatie')] },
	{ group: 'real', name: 'a paste of 200 KB', prepare: () => [giantString(200_000, 'situatie')] },
	{
		group: 'real',
		name: 'an hour offline: 3,000 keystrokes at 300 places, sent at reconnect',
		prepare: () => [scatteredInserts(3000, 'zorgen', 3)]
	},
	{
		group: 'real',
		name: '200 actions added offline, sent at reconnect',
		prepare: () => {
			const d = new Y.Doc();
			for (let i = 0; i < 200; i++) {
				addAction(d, {
					text: `Actie ${i}: gesprek met school plannen en terugkoppelen`,
					actiehouderId: null,
					actiehouderName: 'Iemand',
					organisationId: null,
					organisationName: 'Sociaal Team',
					deadline: '2027-01-31',
					status: 'open',
					leefgebied: 'Onderwijs'
				});
			}
			return [Y.encodeStateAsUpdate(d)];
		}
	},
	{
		group: 'real',
		name: 'select all and delete in a text of 20,000 fragments',
		prepare: (doc) => {
			fragmentedText(doc, 'situatie', 20_000);
			const client = new Y.Doc();
			Y.applyUpdate(client, Y.encodeStateAsUpdate(doc));
			const sv = Y.encodeStateVector(client);
			caseTextOf(client, 'situatie').delete(0, caseTextOf(client, 'situatie').length);
			return [Y.encodeStateAsUpdate(client, sv)];
		}
	}
];

interface Result {
	group: string;
	name: string;
	bytes: number;
	outcome: string;
	/** event-loop ms of the hub's receive, per repetition: the worst message of the case */
	serverMs: number[];
	/** a browser's Y.Doc applying it (with observeDeep), for accepted ones */
	clientMs: number | null;
}

async function main() {
	const temp = await tempDatabase('edge');
	const store = createSqliteDocStore(temp.sqlite, { now: () => new Date(), onWriteError: (e) => { throw e; } });
	const hub = new CollabHub({ store, log: silentLog });
	const results: Result[] = [];
	let docNo = 0;
	const started = Date.now();
	// one untimed pass first: a server that has run for a while has its code compiled (JIT)
	for (const warm of [true, false])
	for (const c of [...attacks, ...real]) {
		if (warm) {
			await runCase(c, 1);
			continue;
		}
		const { serverMs, outcome, bytes, clientMs } = await runCase(c, reps);
		const r: Result = { group: c.group, name: c.name, bytes, outcome, serverMs, clientMs };
		results.push(r);
		console.log(`  ${c.group.padEnd(6)} ${c.name.padEnd(70)} ${String(bytes).padStart(8)} B  ${outcome.padEnd(40).slice(0, 40)} server ${median(serverMs).toFixed(2)} ms${clientMs === null ? '' : `, browser ${clientMs.toFixed(2)} ms`}`);
	}

	async function runCase(c: Case, reps: number) {
		const serverMs: number[] = [];
		let outcome = 'accepted';
		let bytes = 0;
		let clientMs: number | null = null;
		for (let rep = 0; rep < reps; rep++) {
			const docName = `case:${++docNo}`;
			// the document the update meets: stored first, loaded by the hub like any document
			const base = new Y.Doc();
			const updates = c.prepare(base);
			if (Y.getState(base.store, base.clientID) > 0 || base.share.size > 0) {
				temp.sqlite
					.prepare('INSERT INTO doc_snapshots (doc_name, state, last_update_id, updated_at) VALUES (?, ?, 0, ?)')
					.run(docName, Buffer.from(Y.encodeStateAsUpdate(base)), new Date().toISOString());
			}
			let closed: string | null = null;
			const connection: CollabConnection = {
				id: `edge${docNo}`,
				docName,
				userId: 1,
				sessionId: 'bench',
				identity: { name: 'Bench', organisation: 'Bench' },
				access: 'write',
				send: () => {},
				close: (code, reason) => (closed = `${code} ${reason}`)
			};
			hub.connect(connection);
			hub.receive(connection, encodeSyncStep1(new Y.Doc()));
			let worst = 0;
			bytes = 0;
			for (const update of updates) {
				const message = encodeUpdate(update);
				bytes = Math.max(bytes, message.byteLength);
				const t0 = performance.now();
				hub.receive(connection, message);
				worst = Math.max(worst, performance.now() - t0);
				if (closed) break;
			}
			serverMs.push(worst);
			outcome = closed ?? 'accepted';
			await hub.read(docName, () => undefined);
			hub.disconnect(connection);
			if (!closed && rep === 0) {
				const browser = new Y.Doc();
				Y.applyUpdate(browser, Y.encodeStateAsUpdate(base));
				for (const root of browser.share.values()) root.observeDeep(() => {});
				let w = 0;
				for (const update of updates) {
					const t0 = performance.now();
					Y.applyUpdate(browser, update);
					w = Math.max(w, performance.now() - t0);
				}
				clientMs = w;
				browser.destroy();
			}
			base.destroy();
		}
		serverMs.sort((a, b) => a - b);
		return { serverMs, outcome, bytes, clientMs };
	}
	await hub.shutdown();
	await store.flush();
	await temp.close();

	const accepted = results.filter((r) => r.outcome === 'accepted');
	const worst = accepted.reduce((a, b) => (median(b.serverMs) > median(a.serverMs) ? b : a));
	const report = {
		date: new Date().toISOString(),
		command: `npx tsx bench/edge/run.ts${full ? ' --full' : ''}`,
		machine: machine(),
		commit: git('rev-parse', '--short', 'HEAD'),
		dirty: git('status', '--porcelain', '--', 'src', 'bench/edge', 'tests/integration/helpers/hostile-updates.ts') !== '',
		seconds: Math.round((Date.now() - started) / 1000),
		repetitions: reps,
		limits: DEFAULT_LIMITS,
		results,
		worstAccepted: { name: worst.name, serverMedianMs: round(median(worst.serverMs)), serverMaxMs: round(Math.max(...worst.serverMs)) },
		targetMet: Math.max(...accepted.map((r) => median(r.serverMs))) <= 50
	};
	const stamp = report.date.replace(/[:]/g, '-').replace(/\..+$/, '');
	const file = path.join('bench', 'results', `edge-${stamp}.json`);
	fs.mkdirSync(path.join(ROOT, 'bench', 'results'), { recursive: true });
	fs.writeFileSync(path.join(ROOT, file), JSON.stringify(report, null, '\t') + '\n');
	console.log(`\n  worst accepted update: ${worst.name}: ${report.worstAccepted.serverMedianMs} ms (median of ${reps}); target 50 ms ${report.targetMet ? 'met' : 'NOT met'}`);
	console.log(`  ${file}`);
	if (!argv.includes('--no-readme')) rewriteSection('edge', markdown(report, file));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const round = (x: number) => Math.round(x * 100) / 100;

function markdown(r: { date: string; command: string; machine: ReturnType<typeof machine>; commit: string; dirty: boolean; seconds: number; repetitions: number; results: Result[]; worstAccepted: { name: string; serverMedianMs: number; serverMaxMs: number }; targetMet: boolean }, file: string): string {
	const m = r.machine;
	const lines: string[] = [];
	lines.push('## bench/edge: the cost of one update, attacks and real typing');
	lines.push('');
	lines.push(`Run of ${r.date} (\`${r.command}\`, ${r.seconds} s), commit ${r.commit}${r.dirty ? ' with local changes' : ''}, raw results in \`${file}\`.`);
	lines.push(`Machine: ${m.nproc} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; load average at the start ${m.loadAverageAtStart}.`);
	lines.push('');
	lines.push(`Each update is handed to the real \`CollabHub\` (real SQLite store) by a write connection, as the endpoint hands it a frame; "server" is the event-loop time of that call (decode, limit checks, apply), the median of ${r.repetitions} runs on a fresh document each (for cases of many messages, the worst message). "browser" is a \`Y.Doc\` with deep observers applying the same update, for accepted ones. Refused updates close the sender (4400 invalid, 4413 over a limit) and change nothing.`);
	lines.push('');
	lines.push('| | update | bytes | outcome | server ms | browser ms |');
	lines.push('|---|---|---:|---|---:|---:|');
	for (const x of r.results) {
		lines.push(`| ${x.group === 'attack' ? 'attack' : 'real'} | ${x.name} | ${x.bytes.toLocaleString('en')} | ${x.outcome === 'accepted' ? 'accepted' : x.outcome.replace(/\|/g, '/')} | ${median(x.serverMs).toFixed(2)} | ${x.clientMs === null ? '' : x.clientMs.toFixed(2)} |`);
	}
	lines.push('');
	lines.push(`**Worst accepted update**: ${r.worstAccepted.name}, ${r.worstAccepted.serverMedianMs} ms (max ${r.worstAccepted.serverMaxMs} ms). Target: no accepted update above 50 ms: **${r.targetMet ? 'met' : 'not met'}**.`);
	return lines.join('\n');
}

main().then(
	() => process.exit(0),
	(error) => bail(1, `bench/edge failed: ${error instanceof Error ? error.stack : String(error)}`)
);
