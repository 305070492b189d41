import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';

/**
 * Yjs updates that are valid encodings with a pathological shape, as an attacker with a stock
 * client and a few lines of code can send them: for the hostile-client tests, the structural
 * fuzzer and bench/edge. Each is made by real Yjs code (a Y.Doc, or Yjs' own struct writers).
 */

export interface StructGroup {
	client: number;
	clock: number;
	structs: (Y.Item | Y.GC)[];
}

/** Encodes structs as an update (V1), with an optional delete set: what Yjs would send. */
export function encodeStructs(groups: StructGroup[], deletes: { client: number; ranges: [number, number][] }[] = []): Uint8Array {
	const encoder = new Y.UpdateEncoderV1();
	encoding.writeVarUint(encoder.restEncoder, groups.length);
	for (const g of groups) {
		encoding.writeVarUint(encoder.restEncoder, g.structs.length);
		encoder.writeClient(g.client);
		encoding.writeVarUint(encoder.restEncoder, g.clock);
		for (const s of g.structs) s.write(encoder, 0);
	}
	encoding.writeVarUint(encoder.restEncoder, deletes.length);
	for (const d of deletes) {
		encoder.resetDsCurVal();
		encoding.writeVarUint(encoder.restEncoder, d.client);
		encoding.writeVarUint(encoder.restEncoder, d.ranges.length);
		for (const [clock, len] of d.ranges) {
			encoder.writeDsClock(clock);
			encoder.writeDsLen(len);
		}
	}
	return encoder.toUint8Array();
}

const freshClient = (() => {
	let next = 900_000_000;
	return () => (next += 7);
})();

/** A text item of `client` at `clock` in root `root`, from a real doc, then re-pointed. */
function textItem(root: string, text: string): Y.Item {
	const doc = new Y.Doc();
	doc.getText(root).insert(0, text);
	const item = Y.decodeUpdate(Y.encodeStateAsUpdate(doc)).structs[0] as Y.Item;
	doc.destroy();
	return item;
}

/**
 * The "brick": an item whose origin points at a later clock of its own client. Y.decodeUpdate
 * accepts it; Y.applyUpdate throws (TypeError in getMissing).
 */
export function futureOrigin(root = 'situatie', client = freshClient()): Uint8Array {
	const a = textItem(root, 'a');
	a.id = Y.createID(client, 0);
	a.origin = Y.createID(client, 5);
	a.parent = null;
	a.parentSub = null;
	const b = textItem(root, 'bcdefgh');
	b.id = Y.createID(client, 1);
	return encodeStructs([{ client, clock: 0, structs: [a, b] }]);
}

/** Items that build on content nobody has (a clock far beyond what the server knows). */
export function missingDependency(root = 'situatie', client = freshClient()): Uint8Array {
	const a = textItem(root, 'x');
	a.id = Y.createID(client, 0);
	a.origin = Y.createID(client + 1, 1000);
	a.parent = null;
	a.parentSub = null;
	return encodeStructs([{ client, clock: 0, structs: [a] }]);
}

/** A delete set over ranges nobody has. */
export function unknownDeletes(ranges = 1000, client = freshClient()): Uint8Array {
	return encodeStructs([], [{ client, ranges: Array.from({ length: ranges }, (_, i) => [i * 10, 5] as [number, number]) }]);
}

/**
 * Maps nested `depth` deep under root `root` in one update, and a second update that sets a key
 * at every level (crafted directly: making it with Yjs would cost the attacker what it costs
 * the receiver, which grows faster than quadratically with depth).
 */
export function deepNesting(depth: number, root = 'velden'): { build: Uint8Array; touch: Uint8Array } {
	const doc = new Y.Doc({ gc: false });
	let m = doc.getMap<unknown>(root);
	const levels: Y.Map<unknown>[] = [];
	doc.transact(() => {
		for (let i = 0; i < depth; i++) {
			const n = new Y.Map<unknown>();
			m.set('x', n);
			levels.push(n);
			m = n;
		}
	});
	const build = Y.encodeStateAsUpdate(doc);
	const client = doc.clientID;
	const clock = Y.getState(doc.store, client);
	const template = (() => {
		const d = new Y.Doc();
		d.getMap('t').set('y', 1);
		const item = Y.decodeUpdate(Y.encodeStateAsUpdate(d)).structs[0] as Y.Item;
		d.destroy();
		return item;
	})();
	const touches = levels.map((level, i) => {
		const item = new Y.Item(Y.createID(client, clock + i), null, null, null, null, level._item!.id as unknown as Y.AbstractType<unknown>, 'y', template.content.copy());
		return item;
	});
	const touch = encodeStructs([{ client, clock, structs: touches }]);
	doc.destroy();
	return { build, touch };
}

/** One update creating `count` maps side by side in a root array (fan-out of types). */
export function manyTypes(count: number, root = 'acties'): Uint8Array {
	const doc = new Y.Doc();
	doc.getArray(root).push(Array.from({ length: count }, () => new Y.Map()));
	const update = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return update;
}

/** One update setting `count` keys of a root map (fan-out of items). */
export function manyKeys(count: number, root = 'velden'): Uint8Array {
	const doc = new Y.Doc();
	const map = doc.getMap(root);
	doc.transact(() => {
		for (let i = 0; i < count; i++) map.set(`k${i}`, i);
	});
	const update = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return update;
}

/** One update of `count` separate one-character insertions at random places of a text. */
export function scatteredInserts(count: number, root = 'situatie', seed = 1): Uint8Array {
	const doc = new Y.Doc();
	const text = doc.getText(root);
	let x = seed;
	const rand = () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
	doc.transact(() => {
		for (let i = 0; i < count; i++) text.insert(Math.floor(rand() * (text.length + 1)), 'x');
	});
	const update = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return update;
}

/** `count` root types of made-up names in one update. */
export function manyRoots(count: number): Uint8Array {
	const doc = new Y.Doc();
	doc.transact(() => {
		for (let i = 0; i < count; i++) doc.getText(`wortel${i}`).insert(0, 'x');
	});
	const update = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return update;
}

/** One item with a giant string (a paste of `bytes` characters). */
export function giantString(bytes: number, root = 'situatie'): Uint8Array {
	const doc = new Y.Doc();
	doc.getText(root).insert(0, 'Lorem ipsum dolor sit amet. '.repeat(Math.ceil(bytes / 28)).slice(0, bytes));
	const update = Y.encodeStateAsUpdate(doc);
	doc.destroy();
	return update;
}

/** Items from `clients` different made-up client ids, `perClient` each, all in one text. */
export function manyClients(clients: number, perClient: number, root = 'situatie'): Uint8Array {
	const updates: Uint8Array[] = [];
	for (let c = 0; c < clients; c++) {
		const doc = new Y.Doc();
		doc.clientID = freshClient();
		const text = doc.getText(root);
		for (let i = 0; i < perClient; i++) text.insert(0, 'y');
		updates.push(Y.encodeStateAsUpdate(doc));
		doc.destroy();
	}
	return Y.mergeUpdates(updates);
}

/**
 * Items with no origin and no right origin placed into an existing long text of `known`: Yjs
 * walks the whole list for each. `known` is the server's current state (e.g. a synced client).
 */
export function listScan(known: Y.Doc, count: number, root = 'situatie'): Uint8Array {
	const client = freshClient();
	const items: Y.Item[] = [];
	for (let i = 0; i < count; i++) {
		const item = textItem(root, 'z');
		item.id = Y.createID(client, i);
		item.origin = null;
		item.rightOrigin = null;
		item.parent = root as unknown as Y.AbstractType<unknown>;
		items.push(item);
	}
	void known;
	return encodeStructs([{ client, clock: 0, structs: items }]);
}

/** A text update of real typing: `chars` keystrokes one by one, as a browser sends them. */
export function typing(doc: Y.Doc, chars: number, root = 'situatie'): Uint8Array[] {
	const text = doc.getText(root);
	const out: Uint8Array[] = [];
	const onUpdate = (u: Uint8Array) => out.push(u);
	doc.on('update', onUpdate);
	for (let i = 0; i < chars; i++) text.insert(text.length, String.fromCharCode(97 + (i % 26)));
	doc.off('update', onUpdate);
	return out;
}

/**
 * Two items of two made-up clients that wait on each other: a's origin is b, b's origin is a
 * (or, with `via: 'parent'`, a names b as its parent). Both are "in" the update, so nothing is
 * missing by clock, yet Yjs can integrate neither: it parks both as pending.
 */
export function waitingOnEachOther(root = 'situatie', via: 'origin' | 'parent' = 'origin'): Uint8Array {
	const clientA = freshClient();
	const clientB = freshClient();
	const a = textItem(root, 'a');
	a.id = Y.createID(clientA, 0);
	a.parent = null;
	a.parentSub = null;
	if (via === 'origin') a.origin = Y.createID(clientB, 0);
	else a.parent = Y.createID(clientB, 0) as unknown as Y.AbstractType<unknown>;
	const b = textItem(root, 'b');
	b.id = Y.createID(clientB, 0);
	b.origin = Y.createID(clientA, 0);
	b.parent = null;
	b.parentSub = null;
	return encodeStructs([
		{ client: clientA, clock: 0, structs: [a] },
		{ client: clientB, clock: 0, structs: [b] }
	]);
}

/**
 * Maps nested `depth` deep under root `root`, the levels alternating between two made-up
 * clients, with the client of the deeper levels' parents written after them: every level
 * names a parent that comes later in the update. Yjs integrates it all (it looks the parent
 * up first); a check that reads the update front to back does not know the depth yet.
 */
export function nestingParentsLater(depth: number, root = 'velden'): Uint8Array {
	const [first, second] = [freshClient(), freshClient()];
	const template = (() => {
		const d = new Y.Doc();
		d.getMap('t').set('x', new Y.Map());
		const item = Y.decodeUpdate(Y.encodeStateAsUpdate(d)).structs[0] as Y.Item;
		d.destroy();
		return item;
	})();
	const groups = new Map<number, Y.Item[]>([
		[first, []],
		[second, []]
	]);
	let parent: Y.ID | string = root;
	for (let level = 0; level < depth; level++) {
		const client = level % 2 === 0 ? first : second;
		const own = groups.get(client)!;
		const id = Y.createID(client, own.length);
		own.push(new Y.Item(id, null, null, null, null, parent as unknown as Y.AbstractType<unknown>, 'x', template.content.copy()));
		parent = id;
	}
	return encodeStructs([
		{ client: first, clock: 0, structs: groups.get(first)! },
		{ client: second, clock: 0, structs: groups.get(second)! }
	]);
}

/** A client's own structs written as two blocks: Yjs keeps only the second. */
export function clientInTwoBlocks(root = 'situatie'): Uint8Array {
	const doc = new Y.Doc();
	doc.clientID = freshClient();
	const text = doc.getText(root);
	text.insert(0, 'een');
	text.insert(0, 'twee');
	const structs = Y.decodeUpdate(Y.encodeStateAsUpdate(doc)).structs as Y.Item[];
	doc.destroy();
	const client = structs[0]!.id.client;
	return encodeStructs([
		{ client, clock: 0, structs: [structs[0]!] },
		{ client, clock: structs[0]!.length, structs: structs.slice(1) }
	]);
}
