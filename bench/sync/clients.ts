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
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import type { Awareness } from 'y-protocols/awareness';
import type WebSocket from 'ws';
import { sleep, waitFor } from './stats';

export interface Participant {
	doc: Y.Doc;
	awareness: Awareness;
	/** has the first sync with the server completed */
	synced(): boolean;
	text: Y.Text;
	marks: Y.Map<{ s: number }>;
	/** unexpected closes seen by this participant's provider */
	drops: number;
	close(): void;
}

export interface Endpoint {
	wsBase: string;
	protocol: 'y-websocket' | 'hocuspocus';
}

/**
 * One participant: stock y-websocket `WebsocketProvider` against Casustafel and the bare
 * y-websocket server, stock `HocuspocusProvider` (with its own socket, as a laptop has) against
 * Hocuspocus. Both providers are used as their documentation shows; the benchmark only reads
 * `synced` and the awareness and listens for unexpected closes.
 */
export function connectParticipant(endpoint: Endpoint, docName: string, WS: typeof WebSocket, name: string): Participant {
	const doc = new Y.Doc();
	let closing = false;
	let participant: Participant;
	if (endpoint.protocol === 'hocuspocus') {
		const socket = new HocuspocusProviderWebsocket({ url: endpoint.wsBase, WebSocketPolyfill: WS, maxDelay: 1000 });
		const provider = new HocuspocusProvider({ websocketProvider: socket, name: docName, document: doc });
		provider.attach();
		provider.awareness!.setLocalStateField('user', { name, color: '#1d4ed8' });
		participant = {
			doc,
			awareness: provider.awareness!,
			synced: () => provider.isSynced,
			text: doc.getText('situatie'),
			marks: doc.getMap('velden'),
			drops: 0,
			close() {
				closing = true;
				provider.destroy();
				socket.destroy();
				doc.destroy();
			}
		};
		socket.on('disconnect', () => {
			if (!closing) participant.drops += 1;
		});
		return participant;
	}
	const provider = new WebsocketProvider(endpoint.wsBase, docName, doc, {
		WebSocketPolyfill: WS as unknown as typeof globalThis.WebSocket,
		disableBc: true,
		maxBackoffTime: 1000
	});
	provider.awareness.setLocalStateField('user', { name, color: '#1d4ed8' });
	participant = {
		doc,
		awareness: provider.awareness,
		synced: () => provider.synced,
		text: doc.getText('situatie'),
		marks: doc.getMap('velden'),
		drops: 0,
		close() {
			closing = true;
			provider.destroy();
			provider.awareness.destroy();
			doc.destroy();
		}
	};
	provider.on('connection-close', () => {
		if (!closing) participant.drops += 1;
	});
	provider.on('closed', (event: { code: number; reason: string }) => {
		if (!closing) console.error(`  ${docName}: closed for good (${event.code} ${event.reason})`);
	});
	return participant;
}

export async function waitSynced(participants: Participant[], timeoutMs: number): Promise<void> {
	await waitFor(() => participants.every((p) => p.synced()), timeoutMs, 'all participants to sync', 5);
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
	const { doc, text, marks, awareness } = typist.participant;
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
	awareness.setLocalStateField('cursor', { anchor: rel, head: rel });
	return changed;
}

/** One receiver of one document: the seqs it had when it started watching, and the last it saw. */
export interface Watch {
	receiver: Participant;
	from: Map<string, number>;
	lastSeen: Map<string, number>;
	/** false once the receiver left the document (left the meeting, or moved to the next item) */
	active: boolean;
}

/**
 * Collects edit-to-peer latencies at the receivers. A receiver samples only edits it receives
 * after its first sync (what it receives while opening the document is the opening, not
 * edit-to-peer latency) and counts deliveries from the seq each typist had reached when the
 * receiver joined, so late joiners and participants moving to the next agenda item are counted
 * exactly.
 */
export class LatencyProbe {
	readonly samples: number[] = [];
	anomalies = 0;
	private readonly typists = new Map<string, Typist>();
	readonly watches: Watch[] = [];
	measureFrom = 0;

	addTypist(t: Typist) {
		this.typists.set(t.key, t);
	}

	/** Starts observing the typists `keys` at a receiver; edits made before `measureFrom` are delivered but not sampled. */
	watch(receiver: Participant, keys: string[]): Watch {
		const from = new Map(keys.map((k) => [k, this.typists.get(k)!.sendTimes.length]));
		const w: Watch = { receiver, from, lastSeen: new Map(from), active: true };
		this.watches.push(w);
		receiver.marks.observe((event) => {
			if (event.transaction.local) return;
			const now = performance.now();
			const sample = receiver.synced();
			for (const key of event.keysChanged) {
				const typist = this.typists.get(key);
				const value = receiver.marks.get(key);
				const last = w.lastSeen.get(key);
				if (!typist || !value || last === undefined || typist.participant === receiver) continue;
				if (value.s > typist.sendTimes.length) {
					this.anomalies += 1; // a seq that was never sent: must stay 0
					continue;
				}
				if (value.s <= last) continue;
				if (sample) {
					for (let s = last + 1; s <= value.s; s++) {
						const sent = typist.sendTimes[s - 1]!;
						if (sent >= this.measureFrom) this.samples.push(now - sent);
					}
				}
				w.lastSeen.set(key, value.s);
			}
		});
		return w;
	}

	/** Deliveries owed to and received by the receivers still present. */
	tally(): { expected: number; delivered: number } {
		let expected = 0;
		let delivered = 0;
		for (const w of this.watches) {
			if (!w.active) continue;
			for (const [key, from] of w.from) {
				const typist = this.typists.get(key)!;
				if (typist.participant === w.receiver) continue;
				expected += typist.sendTimes.length - from;
				delivered += w.lastSeen.get(key)! - from;
			}
		}
		return { expected, delivered };
	}
}

export { sleep };
