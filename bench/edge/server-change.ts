/**
 * Issue 12 (hub): the cost of one server-side change (`hub.change`, e.g. a note from /acties
 * "Mijn acties") on a grown case document, before and after the change was made in place.
 *
 * "copy" is what hub.change did before: the whole live document encoded, applied to a scratch
 * document, the edit made there, the difference encoded and applied to the live document.
 * "in place" is hub.change now (a transaction on the live document, stored once). Both run
 * against the real hub and store on a temporary SQLite file; each figure is the median of
 * `ROUNDS` changes. Run: `npx tsx bench/edge/server-change.ts` (no build needed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import * as Y from 'yjs';
import { CollabHub } from '../../src/lib/server/collab/hub';
import { createSqliteDocStore } from '../../src/lib/server/collab/store';
import { migrateToLatest, openDatabase, sqliteHandle } from '../../src/lib/server/db/index';

const ROUNDS = 15;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A case document as months of typing leave it: many small items in several texts, and actions. */
function grownDocument(targetBytes: number): Uint8Array {
	const doc = new Y.Doc();
	let seed = 7;
	const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
	const fields = ['situatie', 'zorgen', 'afspraken', 'krachten'];
	const actions = doc.getArray<Y.Map<unknown>>('acties');
	for (let i = 0; i < 200; i++) {
		const a = new Y.Map<unknown>();
		a.set('id', `a${i}`);
		a.set('text', `Actie ${i}`);
		a.set('status', 'open');
		a.set('note', '');
		actions.push([a]);
	}
	while (Y.encodeStateAsUpdate(doc).byteLength < targetBytes) {
		// a burst of typing from one of several "clients" (new client id now and then)
		if (random() < 0.05) doc.clientID = Math.floor(random() * 2 ** 31);
		const text = doc.getText(fields[Math.floor(random() * fields.length)]!);
		for (let i = 0; i < 200; i++) {
			const at = Math.floor(random() * (text.length + 1));
			if (random() < 0.2 && text.length > 10) text.delete(Math.min(at, text.length - 3), 3);
			else text.insert(at, 'woord ');
		}
	}
	const update = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return update;
}

function setNote(doc: Y.Doc, i: number) {
	const action = doc.getArray<Y.Map<unknown>>('acties').get(i % 200)!;
	action.set('note', `Notitie ${i}`);
}

async function main() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casustafel-bench-change-'));
	const db = openDatabase(path.join(dir, 'bench.sqlite'));
	await migrateToLatest(db);
	const store = createSqliteDocStore(sqliteHandle(db), { now: () => new Date(), onWriteError: (e) => console.error(e) });
	const hub = new CollabHub({ store, log: pino({ level: 'silent' }), compactAfter: 1_000_000 });
	const results: Record<string, unknown>[] = [];
	for (const kb of [300, 1000]) {
		const docName = `case:${kb}`;
		const grown = grownDocument(kb * 1024);
		await store.append(docName, grown);
		const structs = Y.decodeUpdate(grown).structs.length;

		// before: the copy hub.change made of the document for every change
		const copy: number[] = [];
		for (let i = 0; i < ROUNDS; i++) {
			const started = performance.now();
			await hub.read(docName, (live) => {
				const scratch = new Y.Doc();
				Y.applyUpdate(scratch, Y.encodeStateAsUpdate(live));
				const before = Y.encodeStateVector(scratch);
				setNote(scratch, i);
				const update = Y.encodeStateAsUpdate(scratch, before);
				scratch.destroy();
				Y.applyUpdate(live, update);
			});
			copy.push(performance.now() - started);
		}
		// now: hub.change, in place
		const inPlace: number[] = [];
		for (let i = 0; i < ROUNDS; i++) {
			const started = performance.now();
			await hub.change(docName, 'bench', (doc) => setNote(doc, 1000 + i));
			inPlace.push(performance.now() - started);
		}
		const row = { documentKB: Math.round(grown.byteLength / 1024), structs, copyMedianMs: +median(copy).toFixed(2), inPlaceMedianMs: +median(inPlace).toFixed(2) };
		results.push(row);
		console.log(JSON.stringify(row));
	}
	await hub.shutdown();
	await db.destroy();
	fs.rmSync(dir, { recursive: true, force: true });
}

void main();
