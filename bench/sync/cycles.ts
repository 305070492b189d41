/**
 * Open, edit and close cycles across many distinct documents, for the memory test: each cycle
 * opens one document with two participants, both type (one also pastes a paragraph), waits
 * until both replicas agree, and closes both. Several cycles run at once; every wait is bounded.
 */
import { performance } from 'node:perf_hooks';
import * as Y from 'yjs';
import type WebSocket from 'ws';
import { connectParticipant, edit, newTypist, waitSynced, type Endpoint } from './clients';
import { sleep, waitFor } from './stats';

export interface CycleOptions {
	endpoint: Endpoint;
	docNames: string[];
	/** index of the first cycle: doc = docNames[(first + i) % docNames.length] */
	first: number;
	cycles: number;
	concurrency: number;
	editsPerCycle: number;
	pasteChars: number;
	wsFor: (cycle: number, participant: number) => typeof WebSocket;
}

export interface CycleResult {
	cycles: number;
	failed: number;
	errors: string[];
	edits: number;
	seconds: number;
	cycleMs: number[];
	/** from creating both providers until both are synced */
	openMs: number[];
}

const sameState = (a: Y.Doc, b: Y.Doc) =>
	Buffer.from(Y.encodeStateVector(a)).equals(Buffer.from(Y.encodeStateVector(b)));

export async function runCycles(o: CycleOptions): Promise<CycleResult> {
	let next = 0;
	let failed = 0;
	let edits = 0;
	const errors: string[] = [];
	const cycleMs: number[] = [];
	const openMs: number[] = [];
	const t0 = performance.now();

	const one = async (i: number) => {
		const n = o.first + i;
		const docName = o.docNames[n % o.docNames.length]!;
		const started = performance.now();
		const a = connectParticipant(o.endpoint, docName, o.wsFor(n, 0), `cyclus ${n} a`);
		const b = connectParticipant(o.endpoint, docName, o.wsFor(n, 1), `cyclus ${n} b`);
		try {
			await waitSynced([a, b], 10_000);
			openMs.push(performance.now() - started);
			const ta = newTypist(`c${n}a`, a);
			const tb = newTypist(`c${n}b`, b);
			for (let k = 0; k < o.editsPerCycle; k++) {
				edit(ta, 'char');
				if (k % 4 === 0) edit(tb, 'char');
				edits += k % 4 === 0 ? 2 : 1;
				await sleep(1);
			}
			edit(ta, 'paste', o.pasteChars);
			edits += 1;
			await waitFor(() => sameState(a.doc, b.doc) && a.text.length === b.text.length, 10_000, `${docName} to converge`);
			cycleMs.push(performance.now() - started);
		} catch (e) {
			failed += 1;
			if (errors.length < 5) errors.push(String(e));
		} finally {
			a.close();
			b.close();
		}
	};

	const worker = async () => {
		while (next < o.cycles) await one(next++);
	};
	await Promise.all(Array.from({ length: Math.min(o.concurrency, o.cycles) }, worker));
	return { cycles: o.cycles, failed, errors, edits, seconds: (performance.now() - t0) / 1000, cycleMs, openMs };
}
