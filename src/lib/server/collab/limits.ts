import * as Y from 'yjs';
import { CASE_TEXT_KEYS } from '../../shared/tables';
import { BESPREKING_ROOTS as BESPREKING_ROOT_TYPES, MEETING_ROOTS as MEETING_ROOT_TYPES } from '../../shared/documents';
import { CLOSE_INVALID, CLOSE_TOO_LARGE } from './protocol';

/**
 * What one document update from a client may do, checked on the decoded update against the
 * live document before anything is applied, stored or broadcast. Two kinds of refusal:
 *
 * - 4400 `invalid update`: the update is well-formed but cannot be applied as it is: a
 *   reference (origin, right origin, parent) to its own client's future, to content the server
 *   does not have (missing dependencies: no client of ours can have it), items that wait on each
 *   other (a names b, b names a: nothing can be integrated first), a client written in two
 *   blocks (Yjs keeps the last), gaps (`Skip`), subdocuments, formatting or embeds, or types the
 *   documents never use. Yjs either throws on these (the "brick") or parks them as pending,
 *   which would force a rebuild of the document from the store. Whatever passes integrates
 *   completely: a client sends only what builds on what the server sent it, and its sync
 *   answer (a diff against the server's state vector) is self-contained.
 * - 4413 `update too large`: the update exceeds a limit of what one message may cost: bytes,
 *   nesting depth, types, structs, clients, delete ranges, root names, or the integration work
 *   it would cause (the items Yjs walks to place it).
 *
 * The limits are chosen from measurement (bench/edge, docs/security.md): real typing, pasting
 * and offline catch-up stay far below them; the worst accepted update costs a few milliseconds.
 */
export interface UpdateLimits {
	/**
	 * deepest nesting of a type below its root (the root itself is depth 0); content lives at
	 * most in a type this deep. Computed in the order Yjs integrates, wherever the parent is
	 */
	maxDepth: number;
	/** structs (items, GC) in one update */
	maxStructs: number;
	/** shared types (maps, arrays, texts) one update creates */
	maxTypes: number;
	/** distinct client ids in one update (structs and deletes) */
	maxClients: number;
	/** ranges in the delete set of one update */
	maxDeleteRanges: number;
	/** root types one update may create, and a document may have */
	maxNewRoots: number;
	maxRoots: number;
	/** items Yjs walks to place the update's items and apply its deletes */
	maxWork: number;
}

export const DEFAULT_LIMITS: UpdateLimits = {
	maxDepth: 8,
	maxStructs: 8_000,
	maxTypes: 2_000,
	maxClients: 32,
	maxDeleteRanges: 20_000,
	maxNewRoots: 16,
	maxRoots: 64,
	maxWork: 100_000
};

export interface Refusal {
	code: number;
	reason: string;
	/**
	 * brick: Yjs would throw (or corrupt) applying it; pending: it lacks what it builds on;
	 * shape: a root, type or content the documents never use; limit: too much for one message
	 */
	kind?: 'brick' | 'pending' | 'shape' | 'limit' | 'malformed';
}

const refuse = (kind: 'brick' | 'pending' | 'shape') => (reason: string): Refusal => ({
	code: CLOSE_INVALID,
	reason: `invalid update: ${reason}`,
	kind
});
const brick = refuse('brick');
const pending = refuse('pending');
const shape = refuse('shape');
const tooLarge = (reason: string): Refusal => ({ code: CLOSE_TOO_LARGE, reason: `update too large: ${reason}`, kind: 'limit' });

// ---- root names per document kind (src/lib/shared/documents.ts) ----

const MEETING_ROOTS = new Set<string>(Object.keys(MEETING_ROOT_TYPES));
const CASE_ROOTS = new Set<string>([...CASE_TEXT_KEYS, 'acties', 'velden']);
const BESPREKING_ROOTS = new Set<string>(Object.keys(BESPREKING_ROOT_TYPES));
/** a leefgebied's goal text: `doel:<leefgebied>` (table types name their own leefgebieden) */
const GOAL_ROOT = /^doel:[^\u0000-\u001f]{1,80}$/u;
/** a voice field of the minutes: `stem:jongere`, `stem:ouders`, ... */
const VOICE_ROOT = /^stem:[a-z_]{1,32}$/;
/** a kind this module does not know yet: plain names only */
const OTHER_ROOT = /^[A-Za-z][A-Za-z0-9_:.-]{0,63}$/;

/** Whether a document of this name may have a root type of this name. */
export function rootNameAllowed(docName: string, root: string): boolean {
	const kind = docName.slice(0, docName.indexOf(':'));
	switch (kind) {
		case 'meeting':
			return MEETING_ROOTS.has(root);
		case 'case':
			return CASE_ROOTS.has(root) || GOAL_ROOT.test(root);
		case 'bespreking':
			return BESPREKING_ROOTS.has(root) || VOICE_ROOT.test(root) || CASE_ROOTS.has(root);
		default:
			return OTHER_ROOT.test(root);
	}
}

// ---- the check ----

type Struct = Y.Item | Y.GC | Y.Skip;
type Ref = Y.ID;

interface Decoded {
	structs: Struct[];
	ds: { clients: Map<number, { clock: number; len: number }[]> };
	/**
	 * how many client blocks the update declares (its first number); Yjs keeps only the last
	 * block of a client, so a client in two blocks (or an empty block) silently loses structs
	 */
	blocks?: number;
}

/** An update (V1) decoded for `checkUpdate`: its structs, delete set and declared blocks. */
export function decodeForCheck(update: Uint8Array): Decoded {
	const decoded = Y.decodeUpdate(update) as Decoded;
	// the first varUint of a V1 update: the number of client blocks
	let blocks = 0;
	let shift = 0;
	for (let i = 0; i < update.length && i < 8; i++) {
		const byte = update[i]!;
		blocks += (byte & 0x7f) * 2 ** shift;
		shift += 7;
		if (byte < 0x80) break;
	}
	decoded.blocks = blocks;
	return decoded;
}

const ALLOWED_TYPES = [Y.Map, Y.Array, Y.Text] as const;

/**
 * Checks a decoded update against the document it is meant for. Returns null when it may be
 * applied, else why not. Costs a few binary searches per struct plus at most `maxWork` steps.
 */
export function checkUpdate(doc: Y.Doc, docName: string, decoded: Decoded, limits: UpdateLimits = DEFAULT_LIMITS): Refusal | null {
	const { structs, ds } = decoded;
	if (structs.length > limits.maxStructs) return tooLarge(`${structs.length} structs (limit ${limits.maxStructs})`);
	const store = doc.store;

	// the update's range per client: [first, end), contiguous (decodeUpdate orders by client, then clock)
	const ranges = new Map<number, { first: number; end: number; start: number; structs: Struct[] }>();
	let runs = 0;
	let previous: number | null = null;
	for (let i = 0; i < structs.length; i++) {
		const s = structs[i]!;
		if (s instanceof Y.Skip) return pending('gap (skip)');
		const client = s.id.client;
		const range = ranges.get(client);
		if (!range) {
			runs += 1;
			ranges.set(client, { first: s.id.clock, end: s.id.clock + s.length, start: i, structs: [s] });
		} else {
			// Yjs keeps only the last block of a client: the earlier one would be lost and what
			// builds on it left pending
			if (previous !== client) return pending('client in two blocks');
			if (s.id.clock !== range.end) return brick('structs out of order');
			range.end += s.length;
			range.structs.push(s);
		}
		previous = client;
	}
	if (decoded.blocks !== undefined && decoded.blocks !== runs) return pending('client in two blocks or an empty block');
	const clients = new Set<number>(ranges.keys());
	for (const client of ds.clients.keys()) clients.add(client);
	if (clients.size > limits.maxClients) return tooLarge(`${clients.size} clients (limit ${limits.maxClients})`);

	/** the clock below which content of `client` exists once this update is applied */
	const available = new Map<number, number>();
	for (const [client, range] of ranges) {
		const state = Y.getState(store, client);
		if (range.first > state) return pending('missing dependencies');
		available.set(client, Math.max(state, range.end));
	}
	const availableOf = (client: number) => available.get(client) ?? Y.getState(store, client);
	const known = (ref: Ref) => ref.clock < availableOf(ref.client);
	/** the index in `structs` of the struct of this update that holds `ref`, or -1 */
	const internalIndex = (ref: Ref): number => {
		const range = ranges.get(ref.client);
		if (!range || ref.clock < range.first || ref.clock >= range.end) return -1;
		return range.start + Y.findIndexSS(range.structs as (Y.Item | Y.GC)[], ref.clock);
	};
	/** the struct of this update that holds `ref`, if any */
	const internal = (ref: Ref): Struct | null => {
		const i = internalIndex(ref);
		return i < 0 ? null : structs[i]!;
	};
	/** the doc's struct that holds `ref` (it must be below the doc's state) */
	const existing = (ref: Ref): Y.Item | Y.GC | null =>
		ref.clock < Y.getState(store, ref.client) ? Y.getItem(store, ref) : null;

	// Integration order. Yjs integrates a struct once the structs it names of other clients
	// (origin, right origin, parent) are there, and after the structs of its own client before
	// it. Whatever can never be integrated that way (a names b, b names a; or a chain that ends
	// in a struct nobody has) is parked as pending, and the document would have to be rebuilt:
	// refused here instead. The order found is also the order the checks below walk, so the
	// depth of a parent is known before its children, wherever they are in the update.
	/** the doc's state of a client, cached: asked several times per struct */
	const stateCache = new Map<number, number>();
	const docState = (client: number): number => {
		let state = stateCache.get(client);
		if (state === undefined) stateCache.set(client, (state = Y.getState(store, client)));
		return state;
	};
	/** whether some item waits for another client's struct of this update (else: decode order) */
	let waits = false;
	for (const s of structs) {
		if (!(s instanceof Y.Item)) continue;
		const { client, clock } = s.id;
		for (const ref of [s.origin, s.rightOrigin, s.parent instanceof Y.ID ? s.parent : null]) {
			if (!ref) continue;
			// Yjs assumes a reference to its own client points to the past: else applyUpdate throws
			if (ref.client === client && ref.clock >= clock) return brick('reference to its own future');
			if (!known(ref)) return pending('missing dependencies');
			if (ref.client !== client && ref.clock >= docState(ref.client)) waits = true;
		}
	}
	/**
	 * The k-th thing struct i waits for (k = 0: the struct before it of its own client; 1, 2, 3:
	 * what its origin, right origin and parent name of another client beyond the doc's state):
	 * its index, -1 for nothing to wait for, -2 for something the update does not have.
	 */
	const dependency = (i: number, k: number): number => {
		const s = structs[i]!;
		if (k === 0) return i > ranges.get(s.id.client)!.start ? i - 1 : -1;
		if (!(s instanceof Y.Item)) return -1;
		const ref = k === 1 ? s.origin : k === 2 ? s.rightOrigin : s.parent instanceof Y.ID ? s.parent : null;
		// own client: covered by the struct before; below the doc's state: there already
		if (!ref || ref.client === s.id.client || ref.clock < docState(ref.client)) return -1;
		const j = internalIndex(ref);
		return j < 0 ? -2 : j;
	};
	const order = new Int32Array(structs.length);
	if (!waits) {
		// nothing waits for another client's part of the update: decode order is integration order
		for (let i = 0; i < structs.length; i++) order[i] = i;
	} else {
		let ordered = 0;
		const mark = new Uint8Array(structs.length); // 0 new, 1 on the path, 2 ordered
		const stackNode = new Int32Array(structs.length);
		const stackNext = new Uint8Array(structs.length);
		for (let root = 0; root < structs.length; root++) {
			if (mark[root] !== 0) continue;
			let top = 0;
			stackNode[0] = root;
			stackNext[0] = 0;
			mark[root] = 1;
			while (top >= 0) {
				const node = stackNode[top]!;
				const k = stackNext[top]!;
				if (k < 4) {
					stackNext[top] = k + 1;
					const dep = dependency(node, k);
					if (dep === -1 || mark[dep] === 2) continue;
					if (dep === -2) return pending('missing dependencies');
					if (mark[dep] === 1) return pending('references that wait on each other');
					mark[dep] = 1;
					top += 1;
					stackNode[top] = dep;
					stackNext[top] = 0;
				} else {
					mark[node] = 2;
					order[ordered++] = node;
					top -= 1;
				}
			}
		}
	}

	// Depth: the doc's types by walking up (memoized, at most maxDepth + 1 steps), the update's
	// from their parent, which the order above puts first. An item that Yjs turns into garbage
	// (its parent or a neighbour is garbage collected, or its parent is no type) has no depth.
	const GARBAGE = -2;
	const UNKNOWN = -1;
	const docDepth = new Map<Y.AbstractType<unknown>, number>();
	const depthOfDocType = (type: Y.AbstractType<unknown>): number => {
		const cached = docDepth.get(type);
		if (cached !== undefined) return cached;
		let depth = 0;
		let t: Y.AbstractType<unknown> = type;
		while (t._item && depth <= limits.maxDepth + 1) {
			t = t._item.parent as Y.AbstractType<unknown>;
			depth += 1;
		}
		docDepth.set(type, depth);
		return depth;
	};
	/** depth of the type an item lives in (0: a root), or GARBAGE */
	const itemDepth = new Map<Y.Item, number>();
	/** depth of the type an item names as parent */
	const depthOfTypeAt = (ref: Ref): number => {
		if (ref.clock < docState(ref.client)) {
			const item = Y.getItem(store, ref);
			if (!(item instanceof Y.Item) || !(item.content instanceof Y.ContentType)) return GARBAGE;
			return depthOfDocType(item.content.type as Y.AbstractType<unknown>);
		}
		const inner = internal(ref);
		if (!(inner instanceof Y.Item)) return GARBAGE;
		const depth = itemDepth.get(inner);
		if (depth === undefined) return UNKNOWN;
		if (depth === GARBAGE || !(inner.content instanceof Y.ContentType)) return GARBAGE;
		return depth + 1;
	};
	/** depth of the type the neighbour an item names (origin, right origin) lives in */
	const depthNextTo = (ref: Ref): number => {
		if (ref.clock < docState(ref.client)) {
			const item = Y.getItem(store, ref);
			if (!(item instanceof Y.Item) || !item.parent) return GARBAGE;
			return depthOfDocType(item.parent as Y.AbstractType<unknown>);
		}
		const inner = internal(ref);
		if (!(inner instanceof Y.Item)) return GARBAGE;
		return itemDepth.get(inner) ?? UNKNOWN;
	};

	/** follows a chain of this update's items by origin (or right origin) to existing content */
	const chainEnds = { origin: new Map<Y.Item, Ref | null>(), rightOrigin: new Map<Y.Item, Ref | null>() };
	const externalEnd = (item: Y.Item, side: 'origin' | 'rightOrigin'): Ref | null => {
		const memo = chainEnds[side];
		const path: Y.Item[] = [];
		const onPath = new Set<Y.Item>();
		let current: Y.Item = item;
		let result: Ref | null;
		for (;;) {
			const cached = memo.get(current);
			if (cached !== undefined) {
				result = cached;
				break;
			}
			// a chain that comes back to itself (a origin of b, b origin of a) has no end: without
			// this the walk never stops and the path grows until the process dies
			if (onPath.has(current)) {
				result = null;
				break;
			}
			onPath.add(current);
			path.push(current);
			const ref = current[side];
			if (!ref) {
				result = null;
				break;
			}
			const inner = internal(ref);
			if (!(inner instanceof Y.Item) || inner === current) {
				result = inner ? null : ref;
				break;
			}
			current = inner;
		}
		for (const p of path) memo.set(p, result);
		return result;
	};

	const newRoots = new Set<string>();
	let types = 0;
	let work = 0;
	const spend = (steps: number): boolean => {
		work += steps;
		return work > limits.maxWork;
	};

	for (const i of order) {
		const s = structs[i]!;
		if (!(s instanceof Y.Item)) continue;
		const content = s.content;
		if (content instanceof Y.ContentDoc) return shape('subdocument');
		// formatting and embeds: the documents are plain text; Yjs scans the text around them
		if (content instanceof Y.ContentFormat) return shape('formatting');
		if (content instanceof Y.ContentEmbed) return shape('embed');

		// Yjs: a neighbour that is garbage collected makes the item garbage, whatever its parent
		const left = s.origin ? depthNextTo(s.origin) : null;
		const right = s.rightOrigin ? depthNextTo(s.rightOrigin) : null;
		let depth: number;
		if (left === GARBAGE || right === GARBAGE) {
			depth = GARBAGE;
		} else if (typeof s.parent === 'string') {
			depth = 0;
			if (!doc.share.has(s.parent) && !newRoots.has(s.parent)) {
				if (!rootNameAllowed(docName, s.parent)) return shape('root name not allowed');
				newRoots.add(s.parent);
				if (newRoots.size > limits.maxNewRoots) return tooLarge(`${newRoots.size} new roots (limit ${limits.maxNewRoots})`);
				if (doc.share.size + newRoots.size > limits.maxRoots) return tooLarge(`more than ${limits.maxRoots} roots`);
			}
		} else if (s.parent instanceof Y.ID) {
			depth = depthOfTypeAt(s.parent);
		} else if (left !== null) {
			depth = left;
		} else if (right !== null) {
			depth = right;
		} else {
			return brick('no parent');
		}
		if (depth === UNKNOWN) return tooLarge('nesting depth unknown');
		itemDepth.set(s, depth);

		if (content instanceof Y.ContentType) {
			const type = content.type;
			if (!ALLOWED_TYPES.some((T) => type.constructor === T)) return shape('type not used by documents');
			types += 1;
			if (types > limits.maxTypes) return tooLarge(`${types} types (limit ${limits.maxTypes})`);
		}
		// every item, content or type, lives at most maxDepth deep; a type adds a level
		if (depth !== GARBAGE && depth + (content instanceof Y.ContentType ? 1 : 0) > limits.maxDepth) {
			return tooLarge(`nesting deeper than ${limits.maxDepth}`);
		}

		// The work Yjs does to place the item: from its left neighbour (or the start of the list)
		// towards its right origin, over every item in between; for a map entry without origin,
		// over the whole history of that key. Items of this update are followed back to the
		// existing content they hang on, so a chain of new items is charged the walk in the doc.
		const leftRef = externalEnd(s, 'origin');
		const rightRef = externalEnd(s, 'rightOrigin');
		const parentType = resolveParentType(doc, s, leftRef, rightRef, existing);
		let steps = 1;
		if (parentType && s.parentSub !== null) {
			if (!s.origin) {
				let o = parentType._map.get(s.parentSub) ?? null;
				while (o && o.left && steps + work <= limits.maxWork) {
					o = o.left;
					steps += 1;
				}
			}
		} else if (parentType) {
			const left = leftRef ? existing(leftRef) : null;
			const right = rightRef ? existing(rightRef) : null;
			let o: Y.Item | null = leftRef ? (left instanceof Y.Item ? left.right : null) : parentType._start;
			while (o && o !== right && steps + work <= limits.maxWork) {
				o = o.right;
				steps += 1;
			}
		}
		if (spend(steps)) return tooLarge('integration work');
	}

	// deletes: ranges must be known; Yjs walks every struct in a range
	let deleteRanges = 0;
	for (const [client, deletes] of ds.clients) {
		deleteRanges += deletes.length;
		if (deleteRanges > limits.maxDeleteRanges) return tooLarge(`${deleteRanges} delete ranges (limit ${limits.maxDeleteRanges})`);
		const state = Y.getState(store, client);
		const avail = availableOf(client);
		const docStructs = store.clients.get(client);
		for (const { clock, len } of deletes) {
			if (len <= 0) continue;
			if (clock + len > avail) return pending('delete of unknown content');
			if (docStructs && clock < state) {
				const from = Y.findIndexSS(docStructs, clock);
				const to = Y.findIndexSS(docStructs, Math.min(clock + len, state) - 1);
				if (spend(to - from + 1)) return tooLarge('integration work');
			}
		}
	}
	return null;
}

/** The existing type an item of the update goes into, if it is one the doc has. */
function resolveParentType(
	doc: Y.Doc,
	item: Y.Item,
	leftRef: Ref | null,
	rightRef: Ref | null,
	existing: (ref: Ref) => Y.Item | Y.GC | null
): Y.AbstractType<unknown> | null {
	if (typeof item.parent === 'string') return (doc.share.get(item.parent) as Y.AbstractType<unknown> | undefined) ?? null;
	if (item.parent instanceof Y.ID) {
		const p = existing(item.parent);
		return p instanceof Y.Item && p.content instanceof Y.ContentType ? (p.content.type as Y.AbstractType<unknown>) : null;
	}
	const next = (leftRef && existing(leftRef)) || (rightRef && existing(rightRef));
	return next instanceof Y.Item ? (next.parent as Y.AbstractType<unknown>) : null;
}
