/**
 * The meeting load: M meetings × P participants, each meeting on its own document, 2–3
 * typists per meeting (3 in even meetings, 2 in odd ones) typing in bursts at human pace
 * (a phrase of 20–120 characters at about 5 a second, jittered, then a pause of 1–10 s to
 * listen; now and then a pasted paragraph instead of a phrase), and everyone else reading
 * along. During the typing the chair of every meeting moves to the next agenda item once
 * (everyone present leaves the item's document and opens the next one, at a random moment
 * per meeting), `lateJoiners` participants per meeting join late and `leavers` leave early.
 * Bounded by time: typing stops at `durationMs`, delivery is awaited at most `drainMs`, then
 * all close.
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
	type Endpoint,
	type Participant,
	type Typist,
	type Watch
} from './clients';
import { rng, sleep, waitFor } from './stats';

export interface LoadOptions {
	endpoint: Endpoint;
	/** per meeting, its agenda items' documents in order (the load moves to the second one) */
	items: string[][];
	participants: number;
	durationMs: number;
	/** edits before this are not sampled (JIT and connection warm-up) */
	warmupMs: number;
	charsPerSecond: number;
	/** chance that a burst is a pasted paragraph instead of typed phrase */
	pasteChance: number;
	pasteChars: number;
	lateJoiners: number;
	leavers: number;
	/** move every meeting to its next agenda item once during the typing */
	switchItems: boolean;
	/** WebSocket class (with its user's cookie) per participant index */
	wsFor: (meeting: number, participant: number) => typeof WebSocket;
	seed: number;
	/** makes typist keys unique across runs on the same documents */
	keyPrefix: string;
	drainMs: number;
	/** after everyone synced, before anyone types; typing starts when it resolves */
	onConnected?: () => void | Promise<void>;
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
	/** agenda item switches: from leaving one document until everyone present synced the next */
	switchMs: number[];
	lateJoins: number;
	/** late joiners: from connecting until synced */
	joinMs: number[];
	leaves: number;
	/** the runner (clients) during typing: event-loop delay and CPU */
	client: { eventLoopDelayP99Ms: number; eventLoopDelayMaxMs: number; cpuPercent: number };
	convergedDocs: number;
}

interface Seat {
	index: number;
	participant: Participant | null;
	watch: Watch | null;
	typist: Typist | null;
}

interface Meeting {
	index: number;
	item: number;
	seats: Seat[];
}

export async function runLoad(o: LoadOptions): Promise<LoadResult> {
	const rand = rng(o.seed);
	// typists (up to 3 seats) are there from the start and stay: in a small meeting fewer join late or leave
	const lateJoiners = Math.min(o.lateJoiners, Math.max(0, o.participants - 3));
	const leavers = Math.min(o.leavers, Math.max(0, o.participants - 3 - lateJoiners));
	const meetings: Meeting[] = [];
	const typists: Typist[] = [];
	const everyone = new Set<Participant>();
	const closed: Participant[] = [];
	const probe = new LatencyProbe();
	const switchMs: number[] = [];
	const joinMs: number[] = [];
	let lateJoins = 0;
	let leaves = 0;

	const open = (m: Meeting, seat: Seat) => {
		const p = connectParticipant(o.endpoint, o.items[m.index]![m.item]!, o.wsFor(m.index, seat.index), `deelnemer ${m.index}.${seat.index}`);
		everyone.add(p);
		seat.participant = p;
		if (seat.typist) {
			seat.typist.participant = p;
			seat.typist.cursor = null;
		}
		const keys = m.seats.filter((s) => s.typist && s !== seat).map((s) => s.typist!.key);
		seat.watch = probe.watch(p, keys);
		return p;
	};
	const leave = (seat: Seat) => {
		if (!seat.participant) return;
		seat.watch!.active = false;
		seat.participant.close();
		closed.push(seat.participant);
		everyone.delete(seat.participant);
		seat.participant = null;
		seat.watch = null;
	};

	const t0 = performance.now();
	try {
		const lateFrom = o.participants - lateJoiners;
		for (let m = 0; m < o.items.length; m++) {
			const meeting: Meeting = { index: m, item: 0, seats: [] };
			const typistCount = Math.min(o.participants, m % 2 === 0 ? 3 : 2);
			for (let i = 0; i < o.participants; i++) {
				const seat: Seat = { index: i, participant: null, watch: null, typist: null };
				meeting.seats.push(seat);
			}
			for (let k = 0; k < typistCount; k++) {
				// placeholder participant until the seat opens the document
				const t = newTypist(`${o.keyPrefix}m${m}t${k}`, null as unknown as Participant);
				meeting.seats[k]!.typist = t;
				typists.push(t);
				probe.addTypist(t);
			}
			for (const seat of meeting.seats) if (seat.index < lateFrom) open(meeting, seat);
			meetings.push(meeting);
		}
		await waitSynced([...everyone], 60_000);
		const connectMs = performance.now() - t0;
		await sleep(500);
		await o.onConnected?.();

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

		const gap = 1000 / o.charsPerSecond;
		const typeAway = async (typist: Typist, r: () => number) => {
			// typists do not start in lockstep
			await sleep(r() * 3000);
			while (performance.now() < end) {
				if (!typist.participant.synced()) {
					await sleep(20); // the item is still opening: wait, as a person would
					continue;
				}
				if (r() < o.pasteChance) {
					chars += edit(typist, 'paste', o.pasteChars);
					edits.paste += 1;
					edits.total += 1;
				} else {
					const phrase = 20 + Math.floor(r() * 100);
					for (let c = 0; c < phrase && performance.now() < end && typist.participant.synced(); c++) {
						const kind: EditKind = r() < 0.04 ? 'backspace' : 'char';
						chars += edit(typist, kind, o.pasteChars);
						edits[kind] += 1;
						edits.total += 1;
						await sleep(Math.min(gap * (0.5 + r()), Math.max(0, end - performance.now())));
					}
				}
				// listening: 1–10 s before the next phrase
				await sleep(Math.min(1000 + r() * 9000, Math.max(0, end - performance.now())));
			}
		};
		const chair = async (m: Meeting, r: () => number) => {
			const at = start + o.durationMs * (0.25 + 0.5 * r());
			// late joiners come in during the first half, leavers go in the second half
			const events: { at: number; run: () => Promise<void> }[] = [];
			for (const seat of m.seats.slice(o.participants - lateJoiners)) {
				events.push({
					at: start + o.durationMs * (0.05 + 0.45 * r()),
					run: async () => {
						const t = performance.now();
						const p = open(m, seat);
						lateJoins += 1;
						await waitFor(() => p.synced() || p !== seat.participant, 30_000, 'a late joiner to sync', 5);
						joinMs.push(performance.now() - t);
					}
				});
			}
			const leaverSeats = m.seats.slice(o.participants - lateJoiners - leavers, o.participants - lateJoiners);
			for (const seat of leaverSeats.filter((s) => !s.typist)) {
				events.push({
					at: start + o.durationMs * (0.55 + 0.35 * r()),
					run: async () => {
						leave(seat);
						leaves += 1;
					}
				});
			}
			if (o.switchItems && o.items[m.index]!.length > 1) {
				events.push({
					at,
					run: async () => {
						const t = performance.now();
						const present = m.seats.filter((s) => s.participant);
						for (const seat of present) leave(seat);
						m.item = (m.item + 1) % o.items[m.index]!.length;
						const opened = present.map((seat) => open(m, seat));
						await waitFor(() => opened.every((p) => p.synced()), 30_000, 'everyone to open the next item', 5);
						switchMs.push(performance.now() - t);
					}
				});
			}
			events.sort((a, b) => a.at - b.at);
			for (const e of events) {
				const wait = e.at - performance.now();
				if (wait > 0) await sleep(wait);
				if (performance.now() >= end) break;
				await e.run();
			}
		};
		await Promise.all([
			...typists.map((t, i) => typeAway(t, rng(o.seed * 1000 + i + Math.floor(rand() * 1e6)))),
			...meetings.map((m, i) => chair(m, rng(o.seed * 7919 + i + Math.floor(rand() * 1e6))))
		]);
		clearTimeout(warmupTimer);
		const typingSeconds = (performance.now() - start) / 1000;
		loop.disable();
		const cpu = process.cpuUsage(cpu0);
		const cpuWall = performance.now() - wall0;
		o.onTypingEnd?.();

		const drainStart = performance.now();
		let t = probe.tally();
		while (t.delivered < t.expected && performance.now() - drainStart < o.drainMs) {
			await sleep(10);
			t = probe.tally();
		}
		const drainMs = performance.now() - drainStart;

		// every replica of a meeting's current document ends in the same state
		let convergedDocs = 0;
		for (const m of meetings) {
			const present = m.seats.map((s) => s.participant).filter((p): p is Participant => p !== null);
			const first = present[0]?.text.toString();
			if (present.every((p) => p.text.toString() === first)) convergedDocs += 1;
		}

		const measuredSeconds = (o.durationMs - o.warmupMs) / 1000;
		return {
			meetings: o.items.length,
			participantsPerMeeting: o.participants,
			typists: typists.length,
			connectMs,
			typingSeconds,
			measuredSeconds,
			edits,
			editsPerSecond: edits.total / typingSeconds,
			charsTyped: chars,
			samples: probe.samples,
			expectedDeliveries: t.expected,
			delivered: t.delivered,
			missing: t.expected - t.delivered,
			anomalies: probe.anomalies,
			drainMs,
			unexpectedDisconnects: [...everyone, ...closed].reduce((n, p) => n + p.drops, 0),
			switchMs,
			lateJoins,
			joinMs,
			leaves,
			client: {
				eventLoopDelayP99Ms: loop.percentile(99) / 1e6,
				eventLoopDelayMaxMs: loop.max / 1e6,
				cpuPercent: ((cpu.user + cpu.system) / 1000 / cpuWall) * 100
			},
			convergedDocs
		};
	} finally {
		for (const p of everyone) p.close();
	}
}
