/**
 * The meeting load spread over child processes of the runner, meetings split evenly: one
 * process of clients saturates long before a server does at 50 × 20. All connect, then start
 * typing together; the clients' CPU is measured over the typing, for all of them together.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runLoad, type LoadOptions, type LoadResult } from './load';
import type { WorkerOptions } from './load-worker';

const WORKER = fileURLToPath(new URL('./load-worker.ts', import.meta.url));

/** user + system CPU seconds of a process, from /proc */
function cpuSeconds(pid: number | undefined): number {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(rest[11]) + Number(rest[12])) / 100;
	} catch {
		return 0;
	}
}

export async function runLoadThreaded(
	o: LoadOptions,
	threads: number,
	cookies: (string | null)[],
	nice = 0
): Promise<LoadResult> {
	if (threads <= 1) return runLoad(o);
	const per = Math.ceil(o.items.length / threads);
	const shares = Array.from({ length: threads }, (_, i) => o.items.slice(i * per, (i + 1) * per)).filter((s) => s.length);
	const workers = shares.map((items, i) => {
		const data: WorkerOptions = {
			endpoint: { wsBase: o.endpoint.wsBase, protocol: o.endpoint.protocol },
			items,
			participants: o.participants,
			durationMs: o.durationMs,
			warmupMs: o.warmupMs,
			charsPerSecond: o.charsPerSecond,
			pasteChance: o.pasteChance,
			pasteChars: o.pasteChars,
			lateJoiners: o.lateJoiners,
			leavers: o.leavers,
			switchItems: o.switchItems,
			seed: o.seed * 31 + i,
			keyPrefix: `${o.keyPrefix}w${i}`,
			drainMs: o.drainMs,
			cookies,
			offset: i * per
		};
		const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
		// the clients yield the CPU to the server under test, as 1000 laptops would not share its
		// machine; the same for every server (see bench/README.md)
		if (nice > 0 && child.pid !== undefined) os.setPriority(child.pid, nice);
		child.send({ kind: 'options', options: data });
		return child;
	});
	let connected = 0;
	let ended = 0;
	const clientsCpu = () => workers.reduce((n, w) => n + cpuSeconds(w.pid), 0);
	let cpu0 = clientsCpu();
	let wall0 = performance.now();
	let cpuPercent = 0;
	const results = await Promise.all(
		workers.map(
			(w) =>
				new Promise<LoadResult>((resolve, reject) => {
					w.on('error', reject);
					w.on('exit', (code, signal) => reject(new Error(`load worker exited (${code ?? signal}) before its result`)));
					w.on('message', async (m: { kind: string; result?: LoadResult }) => {
						if (m.kind === 'connected' && ++connected === workers.length) {
							await o.onConnected?.();
							for (const x of workers) x.send({ kind: 'go' });
							o.onTypingStart?.();
							// as in runLoad: the first warm-up seconds do not count
							setTimeout(() => {
								cpu0 = clientsCpu();
								wall0 = performance.now();
							}, o.warmupMs);
						} else if (m.kind === 'typing-end' && ++ended === workers.length) {
							cpuPercent = ((clientsCpu() - cpu0) * 1000 * 100) / (performance.now() - wall0);
							o.onTypingEnd?.();
						} else if (m.kind === 'result') {
							if (!m.result) reject(new Error(`load worker sent no result: ${JSON.stringify(m).slice(0, 200)}`));
							else resolve(m.result);
						}
					});
				})
		)
	).finally(() => {
		for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
	});
	const sum = (f: (r: LoadResult) => number) => results.reduce((n, r) => n + f(r), 0);
	const max = (f: (r: LoadResult) => number) => Math.max(...results.map(f));
	const typingSeconds = max((r) => r.typingSeconds);
	return {
		meetings: sum((r) => r.meetings),
		participantsPerMeeting: o.participants,
		typists: sum((r) => r.typists),
		connectMs: max((r) => r.connectMs),
		typingSeconds,
		measuredSeconds: results[0]!.measuredSeconds,
		edits: {
			char: sum((r) => r.edits.char),
			paste: sum((r) => r.edits.paste),
			backspace: sum((r) => r.edits.backspace),
			total: sum((r) => r.edits.total)
		},
		editsPerSecond: sum((r) => r.edits.total) / typingSeconds,
		charsTyped: sum((r) => r.charsTyped),
		samples: results.flatMap((r) => r.samples),
		expectedDeliveries: sum((r) => r.expectedDeliveries),
		delivered: sum((r) => r.delivered),
		missing: sum((r) => r.missing),
		anomalies: sum((r) => r.anomalies),
		drainMs: max((r) => r.drainMs),
		unexpectedDisconnects: sum((r) => r.unexpectedDisconnects),
		switchMs: results.flatMap((r) => r.switchMs),
		lateJoins: sum((r) => r.lateJoins),
		joinMs: results.flatMap((r) => r.joinMs),
		leaves: sum((r) => r.leaves),
		client: {
			eventLoopDelayP99Ms: max((r) => r.client.eventLoopDelayP99Ms),
			eventLoopDelayMaxMs: max((r) => r.client.eventLoopDelayMaxMs),
			// all client processes together: can exceed 100%
			cpuPercent
		},
		convergedDocs: sum((r) => r.convergedDocs)
	};
}
