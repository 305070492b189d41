/**
 * The meeting load: M meetings × P participants, each meeting on its own document, 2–3
 * typists per meeting typing at human pace (about 5 characters a second, jittered, with short
 * pauses), now and then pasting a paragraph; everyone else reads along. Bounded by time:
 * typing stops at `durationMs`, delivery is awaited at most `drainMs`, then all close.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import {
	LatencyProbe,
	connectParticipant,
	edit,
	newTypist,
	waitSynced,
	type EditKind,
	type Participant,
	type Typist
} from './clients';
import { rng, sleep } from './stats';

export interface LoadOptions {
	wsBase: string;
	docNames: string[];
	participants: number;
	durationMs: number;
	/** edits before this are not sampled (JIT and connection warm-up) */
	warmupMs: number;
	charsPerSecond: number;
	/** mean seconds between pastes, per typist */
	pasteEverySeconds: number;
	pasteChars: number;
	/** WebSocket class (with its user's cookie) per participant index */
	wsFor: (meeting: number, participant: number) => typeof WebSocket;
	seed: number;
	/** makes typist keys unique across runs on the same documents */
	keyPrefix: string;
	drainMs: number;
	/** after everyone synced, before anyone types */
	onConnected?: () => void;
	onTypingStart?: () => void;
	onTypingEnd?: () => void;
}

export interface LoadResult {
	meetings: number;
	participantsPerMeeting: number;
	typists: number;
	connectMs: number;
	typingSeconds: number;
	measuredSeconds: number;
	edits: { char: number; paste: number; backspace: number; total: number };
	editsPerSecond: number;
	charsTyped: number;
	samples: number[];
	expectedDeliveries: number;
	delivered: number;
	missing: number;
	/** marks seen with a seq that was never sent: must be 0 */
	anomalies: number;
	drainMs: number;
	unexpectedDisconnects: number;
	/** the runner (clients) during typing: event-loop delay and CPU */
	client: { eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number; cpuPercent: number };
	convergedDocs: number;
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
	const rand = rng(o.seed);
	const groups: Participant[][] = [];
	const typists: Typist[] = [];
	const probe = new LatencyProbe();
	const t0 = performance.now();
	try {
		for (let m = 0; m < o.docNames.length; m++) {
			const group: Participant[] = [];
			for (let p = 0; p < o.participants; p++) {
				group.push(connectParticipant(o.wsBase, o.docNames[m]!, o.wsFor(m, p), `deelnemer ${m}.${p}`));
			}
			groups.push(group);
			const typistCount = Math.min(o.participants, m % 2 === 0 ? 3 : 2);
			for (let k = 0; k < typistCount; k++) {
				const t = newTypist(`${o.keyPrefix}m${m}t${k}`, group[k]!);
				typists.push(t);
				probe.addTypist(t);
			}
			for (const participant of group) probe.watch(participant);
		}
		await waitSynced(groups.flat(), 30_000);
		const connectMs = performance.now() - t0;
		await sleep(500);
		o.onConnected?.();

		const edits = { char: 0, paste: 0, backspace: 0, total: 0 };
		let chars = 0;
		const start = performance.now();
		const end = start + o.durationMs;
		probe.measureFrom = start + o.warmupMs;
		const loop = monitorEventLoopDelay({ resolution: 5 });
		let cpu0 = process.cpuUsage();
		let wall0 = performance.now();
		const warmupTimer = setTimeout(() => {
			loop.enable();
			cpu0 = process.cpuUsage();
			wall0 = performance.now();
		}, o.warmupMs);
		o.onTypingStart?.();

		const base = 1000 / o.charsPerSecond;
		const pasteProbability = 1 / (o.pasteEverySeconds * o.charsPerSecond);
		const typeAway = async (typist: Typist, r: () => number) => {
			// typists do not start in lockstep
			await sleep(r() * base * 2);
			while (performance.now() < end) {
				const x = r();
				const kind: EditKind = x < pasteProbability ? 'paste' : x < pasteProbability + 0.04 ? 'backspace' : 'char';
				chars += edit(typist, kind, o.pasteChars);
				edits[kind] += 1;
				edits.total += 1;
				// about 5 keys a second: 0.5–1.5 × the mean gap, and now and then a pause to think
				let gap = base * (0.5 + r());
				if (r() < 0.01) gap += 500 + r() * 1500;
				await sleep(Math.min(gap, Math.max(0, end - performance.now())));
			}
		};
		await Promise.all(typists.map((t, i) => typeAway(t, rng(o.seed * 1000 + i + Math.floor(rand() * 1e6)))));
		clearTimeout(warmupTimer);
		const typingSeconds = (performance.now() - start) / 1000;
		loop.disable();
		const cpu = process.cpuUsage(cpu0);
		const cpuWall = performance.now() - wall0;
		o.onTypingEnd?.();

		let expectedDeliveries = 0;
		for (const t of typists) expectedDeliveries += t.sendTimes.length * (o.participants - 1);
		const drainStart = performance.now();
		while (probe.delivered < expectedDeliveries && performance.now() - drainStart < o.drainMs) await sleep(10);
		const drainMs = performance.now() - drainStart;

		// every replica of a meeting's document ends in the same state
		let convergedDocs = 0;
		for (const group of groups) {
			const first = group[0]!.text.toString();
			if (group.every((p) => p.text.toString() === first)) convergedDocs += 1;
		}

		const measuredSeconds = (o.durationMs - o.warmupMs) / 1000;
		return {
			meetings: o.docNames.length,
			participantsPerMeeting: o.participants,
			typists: typists.length,
			connectMs,
			typingSeconds,
			measuredSeconds,
			edits,
			editsPerSecond: edits.total / typingSeconds,
			charsTyped: chars,
			samples: probe.samples,
			expectedDeliveries,
			delivered: probe.delivered,
			missing: expectedDeliveries - probe.delivered,
			anomalies: probe.anomalies,
			drainMs,
			unexpectedDisconnects: groups.flat().reduce((n, p) => n + p.drops, 0),
			client: {
				eventLoopDelayP99Ms: loop.percentile(99) / 1e6,
				eventLoopDelayMaxMs: loop.max / 1e6,
				cpuPercent: ((cpu.user + cpu.system) / 1000 / cpuWall) * 100
			},
			convergedDocs
		};
	} finally {
		for (const group of groups) for (const p of group) p.close();
	}
}
