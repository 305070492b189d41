/**
 * Simulated participants: stock y-websocket `WebsocketProvider`s in this (the runner's)
 * process, each with its own Y.Doc, talking to the server over real loopback websockets.
 *
 * Latency: every edit a typist makes also sets `bench.get(<typist key>) = { s: seq }` in the
 * same transaction, and the runner keeps the send time of each seq. Every other participant
 * observes that map; when it sees seq n of a typist it records (now − send time) for every seq
 * of that typist it had not seen yet. Sender and receivers share one clock (performance.now()).
 */
import { performance } from 'node:perf_hooks';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import type WebSocket from 'ws';
import { sleep, waitFor } from './stats';

export interface Participant {
	doc: Y.Doc;
	provider: WebsocketProvider;
	text: Y.Text;
	marks: Y.Map<{ s: number }>;
	/** unexpected closes seen by this participant's provider */
	drops: number;
	close(): void;
}

export function connectParticipant(
	wsBase: string,
	docName: string,
	WS: typeof WebSocket,
	name: string
): Participant {
	const doc = new Y.Doc();
	const provider = new WebsocketProvider(wsBase, docName, doc, {
		WebSocketPolyfill: WS as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		maxBackoffTime: 1000
	});
	provider.awareness.setLocalStateField('user', { name, color: '#1d4ed8' });
	const participant: Participant = {
		doc,
		provider,
		text: doc.getText('verslag'),
		marks: doc.getMap('bench'),
		drops: 0,
		close() {
			closing = true;
			provider.destroy();
			provider.awareness.destroy();
			doc.destroy();
		}
	};
	let closing = false;
	provider.on('connection-close', () => {
		if (!closing) participant.drops += 1;
	});
	provider.on('closed', (event: { code: number; reason: string }) => {
		if (!closing) console.error(`  ${docName}: closed for good (${event.code} ${event.reason})`);
	});
	return participant;
}

export async function waitSynced(participants: Participant[], timeoutMs: number): Promise<void> {
	await waitFor(() => participants.every((p) => p.provider.synced), timeoutMs, 'all participants to sync', 5);
}

/** One typist's cursor and sequence; `sendTimes[s - 1]` is when edit s was made. */
export interface Typist {
	key: string;
	participant: Participant;
	sendTimes: number[];
	cursor: Y.RelativePosition | null;
	charIndex: number;
}

export function newTypist(key: string, participant: Participant): Typist {
	return { key, participant, sendTimes: [], cursor: null, charIndex: 0 };
}

const PROSE =
	'Afgesproken dat het sociaal team voor vrijdag contact opneemt met de moeder over de huisvesting. ' +
	'De wijkagent meldt dat de overlast sinds de vorige bespreking is afgenomen. Schuldhulp loopt, ' +
	'de eerste afspraak bij de gemeente is gepland. Zorgen over school blijven: verzuim neemt toe. ';

export type EditKind = 'char' | 'paste' | 'backspace';

/** Makes one edit at the typist's cursor, tagged with the next seq; returns the chars changed. */
export function edit(typist: Typist, kind: EditKind, pasteChars = 300): number {
	const { doc, text, marks, provider } = typist.participant;
	let index = text.length;
	if (typist.cursor) {
		const abs = Y.createAbsolutePositionFromRelativePosition(typist.cursor, doc);
		if (abs && abs.type === text) index = abs.index;
	}
	let content = '';
	if (kind === 'paste') {
		while (content.length < pasteChars) content += PROSE;
		content = content.slice(0, pasteChars);
	} else if (kind === 'char') {
		content = PROSE[typist.charIndex++ % PROSE.length]!;
	}
	const seq = typist.sendTimes.length + 1;
	typist.sendTimes.push(performance.now());
	let changed = content.length;
	doc.transact(() => {
		if (kind === 'backspace' && index > 0) {
			text.delete(index - 1, 1);
			index -= 1;
			changed = 1;
		} else if (content) {
			text.insert(index, content);
			index += content.length;
		}
		marks.set(typist.key, { s: seq });
	});
	typist.cursor = Y.createRelativePositionFromTypeIndex(text, index, -1);
	// as an editor does: the caret position goes out as presence with every keystroke
	const rel = Y.relativePositionToJSON(typist.cursor);
	provider.awareness.setLocalStateField('cursor', { anchor: rel, head: rel });
	return changed;
}

/** Collects edit-to-peer latencies at the receivers of one group. */
export class LatencyProbe {
	readonly samples: number[] = [];
	delivered = 0;
	anomalies = 0;
	private readonly typists = new Map<string, Typist>();
	measureFrom = 0;

	addTypist(t: Typist) {
		this.typists.set(t.key, t);
	}

	/** Starts observing on a receiver; edits made before `measureFrom` are delivered but not sampled. */
	watch(receiver: Participant) {
		const lastSeen = new Map<string, number>();
		receiver.marks.observe((event) => {
			if (event.transaction.local) return;
			const now = performance.now();
			for (const key of event.keysChanged) {
				const typist = this.typists.get(key);
				const value = receiver.marks.get(key);
				if (!typist || !value || typist.participant === receiver) continue;
				const last = lastSeen.get(key) ?? 0;
				if (value.s > typist.sendTimes.length) {
					this.anomalies += 1; // a seq that was never sent: must stay 0
					continue;
				}
				for (let s = last + 1; s <= value.s; s++) {
					const sent = typist.sendTimes[s - 1]!;
					if (sent >= this.measureFrom) this.samples.push(now - sent);
				}
				if (value.s > last) {
					this.delivered += value.s - last;
					lastSeen.set(key, value.s);
				}
			}
		});
	}
}

export { sleep };
