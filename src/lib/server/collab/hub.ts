import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as decoding from 'lib0/decoding';
import type { Logger } from 'pino';
import type { DocStore } from './store';
import {
	CLOSE_FORBIDDEN,
	CLOSE_INVALID,
	CLOSE_TOO_LARGE,
	decodeAwarenessEntries,
	encodeSyncStep2,
	decodeMessage,
	encodeAwareness,
	encodeAwarenessEntries,
	encodeSyncStep1,
	encodeUpdate
} from './protocol';
import { contentViolation, prepareContentCheck } from './content';
import { DEFAULT_LIMITS, checkUpdate, decodeForCheck, type Refusal, type UpdateLimits } from './limits';
import { presenceColor, sanitizePresence, PRESENCE_MAX_STATE_BYTES } from '../../shared/presence';
import type { DocumentWriter } from '../policy/index';

/** Transaction origins, tagged, so a load is never stored again and a server edit is known. */
export type Origin =
	| { kind: 'load' }
	| { kind: 'server'; reason: string }
	| { kind: 'connection'; connection: CollabConnection };

const LOAD: Origin = { kind: 'load' };

export type Access = 'write' | 'read';

/** A client message the hub refuses: the sender is closed with `code`, nothing is changed. */
class Refused extends Error {
	constructor(readonly refusal: Refusal) {
		super(refusal.reason);
	}
}

/** Presence: client ids one connection may speak for, and its awareness messages per second. */
const MAX_PRESENCE_IDS = 2;
/** loading checks only whether an update would throw: no limits */
const UNLIMITED: UpdateLimits = {
	maxDepth: Infinity,
	maxStructs: Infinity,
	maxTypes: Infinity,
	maxClients: Infinity,
	maxDeleteRanges: Infinity,
	maxNewRoots: Infinity,
	maxRoots: Infinity,
	maxWork: Infinity
};
const PRESENCE_RATE = { perSecond: 10, burst: 20 };
/**
 * Sync requests (each answered with what the client lacks, up to the whole document): a
 * provider sends one per connection; more than this closes the connection (4413).
 */
const SYNC_RATE = { perSecond: 10, burst: 30 };
/** Sync answers waiting for a commit, per document; beyond, the asking connection is closed. */
const MAX_WAITING_ANSWERS = 1000;

/** One websocket to one document, as the hub sees it: the transport stays outside. */
export interface CollabConnection {
	readonly id: string;
	readonly docName: string;
	readonly userId: number;
	readonly sessionId: string;
	/** who the server knows this connection to be; presence shows this, not what the client claims */
	readonly identity?: { name: string; organisation: string };
	access: Access;
	/** what the semantic check may ask of this writer (policy); absent: the strictest answers */
	writer?: DocumentWriter;
	send(message: Uint8Array): void;
	close(code: number, reason: string): void;
}

interface PresenceOwner {
	ids: Set<number>;
	/** rate budgets: presence messages and awareness queries; sync requests */
	presence: Bucket;
	sync: Bucket;
}

interface Bucket {
	tokens: number;
	at: number;
}

/** Takes one token of a bucket refilled at `rate.perSecond` up to `rate.burst`; false = over the rate. */
function take(bucket: Bucket, rate: { perSecond: number; burst: number }): boolean {
	const now = Date.now();
	bucket.tokens = Math.min(rate.burst, bucket.tokens + ((now - bucket.at) / 1000) * rate.perSecond);
	bucket.at = now;
	if (bucket.tokens < 1) return false;
	bucket.tokens -= 1;
	return true;
}

interface LiveDoc {
	name: string;
	doc: Y.Doc;
	awareness: awarenessProtocol.Awareness;
	/** connection → what it controls of presence: its awareness client ids, its rate budget */
	connections: Map<CollabConnection, PresenceOwner>;
	/** resolves once every update applied so far is committed and broadcast */
	applyChain: Promise<void>;
	/** updates applied to `doc` and not committed yet, in order (a rebuild re-applies them) */
	uncommitted: Uint8Array[];
	/** called once `uncommitted` is empty: sync answers must not reveal what is not stored */
	storedWaiters: (() => void)[];
	/** what the doc's 'update' event produced while applying one update */
	capture: Uint8Array[] | null;
	unwatch?: () => void;
	lastUpdateId: number;
	updatesSinceSnapshot: number;
	unloadTimer: NodeJS.Timeout | null;
}

export interface HubOptions {
	store: DocStore;
	log: Logger;
	/** compact the log into a snapshot past this many updates */
	compactAfter?: number;
	/** largest accepted document update, in bytes */
	maxUpdateBytes?: number;
	/** what one update may do (limits.ts) */
	limits?: UpdateLimits;
	/** an update in the log that does not apply was skipped and set aside (loading) */
	onQuarantined?: (docName: string, updateId: number, error: unknown) => void;
	/** called once per accepted update from a connection (audit grouping) */
	onAccepted?: (docName: string, connection: CollabConnection) => void;
	/**
	 * called after any stored change was applied, typed or made by the server (projection), with
	 * the names of the document's root types the change touched (at any depth)
	 */
	onApplied?: (docName: string, changedRoots: ReadonlySet<string>) => void;
}

export interface HubStats {
	documents: number;
	connections: number;
	rejectedReadOnly: number;
	rejectedInvalid: number;
	rejectedTooLarge: number;
	rejectedPresence: number;
	quarantined: number;
	/** awareness client ids the hub keeps anything of (state or clock), over all documents */
	presenceEntries: number;
}

/**
 * The document engine: loads documents from the store, accepts updates from write connections
 * only, stores each accepted update before anyone else sees it, broadcasts, relays awareness,
 * and unloads a document (compacted) when its last connection leaves.
 */
export class CollabHub {
	private docs = new Map<string, LiveDoc>();
	private readonly store: DocStore;
	private readonly log: Logger;
	private readonly compactAfter: number;
	private readonly maxUpdateBytes: number;
	readonly limits: UpdateLimits;
	private readonly onQuarantined?: HubOptions['onQuarantined'];
	private rejectedTooLarge = 0;
	private rejectedPresence = 0;
	private quarantined = 0;
	private readonly onAccepted?: HubOptions['onAccepted'];
	private readonly onApplied?: HubOptions['onApplied'];
	private rejectedReadOnly = 0;
	private rejectedInvalid = 0;
	private revocations = 0;

	constructor(options: HubOptions) {
		this.store = options.store;
		this.log = options.log;
		this.compactAfter = options.compactAfter ?? 500;
		this.maxUpdateBytes = options.maxUpdateBytes ?? 1024 * 1024;
		this.limits = options.limits ?? DEFAULT_LIMITS;
		this.onQuarantined = options.onQuarantined;
		this.onAccepted = options.onAccepted;
		this.onApplied = options.onApplied;
	}

	stats(): HubStats {
		let connections = 0;
		let presenceEntries = 0;
		for (const live of this.docs.values()) {
			connections += live.connections.size;
			presenceEntries += new Set([...live.awareness.states.keys(), ...live.awareness.meta.keys()]).size;
		}
		return {
			documents: this.docs.size,
			connections,
			rejectedReadOnly: this.rejectedReadOnly,
			rejectedInvalid: this.rejectedInvalid,
			rejectedTooLarge: this.rejectedTooLarge,
			rejectedPresence: this.rejectedPresence,
			quarantined: this.quarantined,
			presenceEntries
		};
	}

	isLoaded(docName: string): boolean {
		return this.docs.has(docName);
	}

	/** Registers a connection and starts the sync: our state vector, then everyone's presence. */
	connect(connection: CollabConnection): void {
		const live = this.load(connection.docName);
		if (live.unloadTimer) {
			clearTimeout(live.unloadTimer);
			live.unloadTimer = null;
		}
		const now = Date.now();
		live.connections.set(connection, {
			ids: new Set(),
			presence: { tokens: PRESENCE_RATE.burst, at: now },
			sync: { tokens: SYNC_RATE.burst, at: now }
		});
		connection.send(encodeSyncStep1(live.doc));
		const present = [...live.awareness.getStates().keys()];
		if (present.length > 0) connection.send(encodeAwareness(live.awareness, present));
	}

	/** Handles one message; malformed input closes that connection and changes nothing. */
	receive(connection: CollabConnection, data: Uint8Array): void {
		const live = this.docs.get(connection.docName);
		if (!live || !live.connections.has(connection)) return;
		try {
			const message = decodeMessage(data);
			switch (message.kind) {
				case 'sync-step1':
					if (!take(live.connections.get(connection)!.sync, SYNC_RATE) || live.storedWaiters.length >= MAX_WAITING_ANSWERS) {
						throw new Refused({ code: CLOSE_TOO_LARGE, reason: 'too many sync requests' });
					}
					{
						// checked now (malformed → 4400), answered from stored state only: after
						// the pending commit, if any
						const stateVector = decoding.readVarUint8Array(message.decoder);
						Y.decodeStateVector(stateVector);
						this.whenStored(live, () => {
							if (live.connections.has(connection)) connection.send(encodeSyncStep2(live.doc, stateVector));
						});
					}
					return;
				case 'update':
					this.acceptUpdate(live, connection, message.update);
					return;
				case 'awareness':
					this.acceptAwareness(live, connection, message.update);
					return;
				case 'query-awareness':
					// an answer carries everyone's presence: rated like sending one's own
					if (!take(live.connections.get(connection)!.presence, PRESENCE_RATE)) {
						this.rejectedPresence += 1;
						return;
					}
					connection.send(encodeAwareness(live.awareness, [...live.awareness.getStates().keys()]));
					return;
				case 'ignored':
					return;
			}
		} catch (error) {
			const refusal = error instanceof Refused ? error.refusal : { code: CLOSE_INVALID, reason: 'invalid message' };
			if (refusal.code === CLOSE_TOO_LARGE) this.rejectedTooLarge += 1;
			else this.rejectedInvalid += 1;
			this.log.warn({ doc: connection.docName, user: connection.userId, reason: refusal.reason, err: String(error) }, 'collab message refused');
			try {
				connection.close(refusal.code, refusal.reason.slice(0, 120));
			} catch {
				// the socket is gone already
			}
			// Messages already received behind the refused one must not be applied while the
			// close handshake runs: the connection leaves the document now.
			this.disconnect(connection);
		}
	}

	disconnect(connection: CollabConnection): void {
		const live = this.docs.get(connection.docName);
		if (!live) return;
		const controlled = live.connections.get(connection);
		live.connections.delete(connection);
		if (controlled && controlled.ids.size > 0) {
			awarenessProtocol.removeAwarenessStates(live.awareness, [...controlled.ids], null);
		}
		if (live.connections.size === 0) this.scheduleUnload(live);
	}

	/**
	 * Counts revocations (sessions ended, access withdrawn or changed): a connection whose
	 * authorization started before the count moved may have been checked against what was
	 * just revoked, and is checked again once registered (endpoint.ts). Call it before walking
	 * the open connections, after the change is committed.
	 */
	revoking(): void {
		this.revocations += 1;
	}

	/** How many revocations there were so far (see `revoking`). */
	get revocationCount(): number {
		return this.revocations;
	}

	/** Closes every connection that matches, e.g. all of a user's when their session ends. */
	closeWhere(match: (c: CollabConnection) => boolean, code: number, reason: string): number {
		this.revoking();
		let closed = 0;
		for (const live of this.docs.values()) {
			for (const connection of [...live.connections.keys()]) {
				if (match(connection)) {
					connection.close(code, reason);
					this.disconnect(connection);
					closed += 1;
				}
			}
		}
		return closed;
	}

	/** The connections currently open, optionally only those of one document. */
	connections(docName?: string): CollabConnection[] {
		const docs = docName ? [this.docs.get(docName)].filter((d) => d !== undefined) : [...this.docs.values()];
		return docs.flatMap((live) => [...live.connections.keys()]);
	}

	/** Downgrades every connection of the matching documents, e.g. when their meeting closes. */
	makeReadOnly(matchDoc: (docName: string) => boolean): void {
		// a connection being authorized meanwhile may have been given 'write': it is checked again
		this.revoking();
		for (const live of this.docs.values()) {
			if (!matchDoc(live.name)) continue;
			for (const connection of live.connections.keys()) connection.access = 'read';
		}
	}

	/**
	 * Applies a change made by the server (not typed by a connection) to the live document, in
	 * one transaction with a server origin: no copy of the document is made (it used to be, at
	 * 1–2 s per change on a grown document). What the transaction produced is stored before
	 * anyone sees it, like any other update, so open screens get it live and only once it is
	 * durable. If `fn` throws halfway, what it did is thrown away: the document is rebuilt from
	 * what is stored (plus what is being committed) and the error is passed on. Resolves once
	 * stored and broadcast.
	 */
	async change(docName: string, reason: string, fn: (doc: Y.Doc) => void): Promise<void> {
		const live = this.load(docName);
		const origin: Origin = { kind: 'server', reason };
		const roots = new Set<string>();
		const doc = live.doc;
		const collect = (transaction: Y.Transaction) => changedRoots(doc, transaction, roots);
		live.capture = [];
		doc.on('afterTransaction', collect);
		let outputs: Uint8Array[];
		try {
			Y.transact(doc, () => fn(doc), origin);
		} catch (error) {
			live.capture = null;
			doc.off('afterTransaction', collect);
			this.log.error({ doc: live.name, reason, err: String(error) }, 'a server change failed; rebuilt from the store');
			this.rebuild(live);
			if (live.connections.size === 0) this.scheduleUnload(live);
			throw error;
		} finally {
			outputs = live.capture ?? [];
			live.capture = null;
			doc.off('afterTransaction', collect);
		}
		if (outputs.length > 0) {
			this.persist(live, outputs.length === 1 ? outputs[0]! : Y.mergeUpdates(outputs), outputs, roots, origin);
		}
		await live.applyChain;
		if (live.connections.size === 0) this.scheduleUnload(live);
	}

	/** The current state of a document, loading it if needed. */
	async read<T>(docName: string, fn: (doc: Y.Doc) => T): Promise<T> {
		const live = this.load(docName);
		await live.applyChain;
		await new Promise<void>((resolve) => this.whenStored(live, resolve));
		const result = fn(live.doc);
		if (live.connections.size === 0) this.scheduleUnload(live);
		return result;
	}

	/**
	 * Drops a document without storing anything more of it (the retention purge): its
	 * connections are closed with 4403, pending writes are awaited, and, unlike an unload, no
	 * snapshot is written. Returns whether it was loaded.
	 */
	async forget(docName: string): Promise<boolean> {
		const live = this.docs.get(docName);
		if (!live) return false;
		this.docs.delete(docName);
		if (live.unloadTimer) {
			clearTimeout(live.unloadTimer);
			live.unloadTimer = null;
		}
		for (const connection of [...live.connections.keys()]) connection.close(CLOSE_FORBIDDEN, 'document removed');
		live.connections.clear();
		await live.applyChain;
		await this.store.flush();
		live.awareness.destroy();
		live.doc.destroy();
		return true;
	}

	/** Waits for pending writes, compacts and unloads everything: for shutdown. */
	async shutdown(): Promise<void> {
		for (const live of [...this.docs.values()]) {
			await live.applyChain;
			await this.store.flush();
			this.unload(live);
		}
	}

	private load(docName: string): LiveDoc {
		const existing = this.docs.get(docName);
		if (existing) return existing;
		const stored = this.store.load(docName);
		const doc = this.buildDoc(docName, stored);
		const awareness = new awarenessProtocol.Awareness(doc);
		// The server is not a participant: it has no presence of its own.
		awareness.setLocalState(null);
		const live: LiveDoc = {
			name: docName,
			doc,
			awareness,
			connections: new Map(),
			applyChain: Promise.resolve(),
			uncommitted: [],
			storedWaiters: [],
			capture: null,
			lastUpdateId: stored.lastUpdateId,
			updatesSinceSnapshot: stored.updates.length,
			unloadTimer: null
		};
		this.watch(live, doc);
		awareness.on(
			'update',
			(
				{ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
				origin: unknown
			) => {
				const controlled = live.connections.get(origin as CollabConnection);
				if (controlled) {
					for (const id of added) controlled.ids.add(id);
					for (const id of removed) controlled.ids.delete(id);
				}
				const changed = [...added, ...updated, ...removed];
				const message = encodeAwareness(awareness, changed);
				for (const connection of live.connections.keys()) connection.send(message);
				// Awareness keeps a clock per client id it ever saw, also after the state is
				// removed: with clients coming and going that grows without bound. The removal
				// is sent (it needed the clock); a client id seen again starts afresh.
				for (const id of removed) {
					if (!awareness.states.has(id)) awareness.meta.delete(id);
				}
			}
		);
		this.docs.set(docName, live);
		return live;
	}

	/** While an update is applied, what the doc emits is captured: it is broadcast after the commit. */
	private watch(live: LiveDoc, doc: Y.Doc): void {
		const onUpdate = (update: Uint8Array, origin: Origin | undefined) => {
			if (origin === LOAD) return;
			live.capture?.push(update);
		};
		doc.on('update', onUpdate);
		live.unwatch = () => doc.off('update', onUpdate);
	}

	/**
	 * The document from its snapshot and log. An update of the log that does not apply (stored
	 * by an older version, before updates were proven to apply) is skipped, reported and set
	 * aside, so the document opens with everything else; a snapshot that does not apply is an
	 * error (it was made by the server from a working document).
	 */
	private buildDoc(docName: string, stored: ReturnType<DocStore['load']>): Y.Doc {
		const fast = new Y.Doc({ gc: true });
		try {
			Y.transact(
				fast,
				() => {
					if (stored.snapshot) Y.applyUpdate(fast, stored.snapshot, LOAD);
					for (const update of stored.updates) Y.applyUpdate(fast, update, LOAD);
				},
				LOAD
			);
			return fast;
		} catch {
			// one of them does not apply: find it below
		}
		fast.destroy();
		// slow path: one update at a time, each checked like a new one, each applied on its own
		const skipped = new Set<number>();
		for (;;) {
			const doc = new Y.Doc({ gc: true });
			if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot, LOAD);
			let failed: { index: number; error: unknown } | null = null;
			for (let i = 0; i < stored.updates.length; i++) {
				if (skipped.has(i)) continue;
				const update = stored.updates[i]!;
				// only what would throw is set aside: an update that is merely odd (pending, an
				// unusual root) loads as it always did
				const refusal = (() => {
					try {
						return checkUpdate(doc, docName, Y.decodeUpdate(update), UNLIMITED);
					} catch (error) {
						return { code: CLOSE_INVALID, reason: String(error), kind: 'malformed' as const };
					}
				})();
				if (refusal && (refusal.kind === 'brick' || refusal.kind === 'malformed')) {
					failed = { index: i, error: refusal.reason };
					break;
				}
				try {
					Y.applyUpdate(doc, update, LOAD);
				} catch (error) {
					failed = { index: i, error };
					break;
				}
			}
			if (!failed) return doc;
			doc.destroy();
			skipped.add(failed.index);
			const id = stored.ids[failed.index]!;
			this.quarantined += 1;
			this.log.error({ doc: docName, updateId: id, err: String(failed.error) }, 'a stored update does not apply: skipped and set aside');
			try {
				this.store.quarantine(docName, id, String(failed.error));
			} catch (error) {
				this.log.error({ doc: docName, updateId: id, err: error }, 'setting a stored update aside failed; it is skipped again at the next load');
			}
			this.onQuarantined?.(docName, id, failed.error);
		}
	}

	/**
	 * After a refused update was (partly) applied: the document again from what is stored plus
	 * what was applied and is being committed. Presence and connections stay.
	 */
	private rebuild(live: LiveDoc): void {
		const stored = this.store.load(live.name);
		const doc = this.buildDoc(live.name, stored);
		Y.transact(
			doc,
			() => {
				for (const update of live.uncommitted) Y.applyUpdate(doc, update, LOAD);
			},
			LOAD
		);
		// the old doc is dropped, not destroyed: destroying it would destroy the awareness too
		live.unwatch?.();
		live.doc = doc;
		this.watch(live, doc);
	}

	/** Runs `fn` now if everything applied is stored, else right after the commit. */
	private whenStored(live: LiveDoc, fn: () => void): void {
		if (live.uncommitted.length === 0) fn();
		else live.storedWaiters.push(fn);
	}

	/**
	 * Presence is server-owned: a connection may speak for at most MAX_PRESENCE_IDS awareness
	 * client ids that nobody else uses (the first connection to use an id owns it); name,
	 * organisation and colour are the server's; of the client's own state only whitelisted,
	 * bounded fields are kept (which field, a cursor); a state over PRESENCE_MAX_STATE_BYTES,
	 * an id beyond the cap or a message beyond the rate is dropped.
	 */
	private acceptAwareness(live: LiveDoc, connection: CollabConnection, update: Uint8Array): void {
		const owner = live.connections.get(connection)!;
		// malformed → throws → 4400, as before
		const entries = decodeAwarenessEntries(update, 64);
		if (!take(owner.presence, PRESENCE_RATE)) {
			this.rejectedPresence += 1;
			return;
		}
		const identity = connection.identity;
		const kept = [];
		const newIds = new Set<number>();
		for (const entry of entries) {
			let taken = false;
			for (const [other, owned] of live.connections) {
				if (other !== connection && owned.ids.has(entry.clientId)) taken = true;
			}
			const isNew = !owner.ids.has(entry.clientId) && !newIds.has(entry.clientId);
			if (taken || (isNew && owner.ids.size + newIds.size >= MAX_PRESENCE_IDS)) {
				this.rejectedPresence += 1;
				continue;
			}
			if (entry.json.length > PRESENCE_MAX_STATE_BYTES) {
				if (isNew) newIds.add(entry.clientId);
				this.rejectedPresence += 1;
				continue;
			}
			let state: unknown;
			try {
				state = JSON.parse(entry.json);
			} catch {
				throw new Error('awareness state is no JSON');
			}
			// Removing what is not here (stock providers relay the removals they hear, of other
			// clients too) changes nothing; applied, it would leave a clock behind for good.
			if (state === null && !live.awareness.states.has(entry.clientId)) continue;
			if (isNew) newIds.add(entry.clientId);
			const clean = state === null ? null : sanitizePresence(state, {
				name: identity?.name ?? '',
				organisation: identity?.organisation ?? '',
				color: presenceColor(connection.userId)
			});
			kept.push({ clientId: entry.clientId, clock: entry.clock, json: JSON.stringify(clean) });
		}
		if (kept.length === 0) return;
		awarenessProtocol.applyAwarenessUpdate(live.awareness, encodeAwarenessEntries(kept), connection);
	}

	private acceptUpdate(live: LiveDoc, connection: CollabConnection, update: Uint8Array): void {
		if (connection.access !== 'write') {
			// Read-only: dropped, never applied, stored or broadcast.
			this.rejectedReadOnly += 1;
			return;
		}
		if (update.byteLength > this.maxUpdateBytes) {
			throw new Refused({ code: CLOSE_TOO_LARGE, reason: `update too large: ${update.byteLength} bytes` });
		}
		// Throws on malformed updates before anything is applied.
		const decoded = decodeForCheck(update);
		// A client's sync answer is often empty (it had nothing we lacked): nothing to store.
		if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) return;
		const refusal = checkUpdate(live.doc, live.name, decoded, this.limits);
		if (refusal) throw new Refused(refusal);
		// an update that changes nothing (sent again, or already known) is not stored again
		if (this.applyAndPersist(live, update, { kind: 'connection', connection })) this.onAccepted?.(live.name, connection);
	}

	/**
	 * Applies first (proving the update applies), then stores (group commit), and only after the
	 * commit broadcasts what the application produced. An update that throws while applied, or
	 * leaves something pending, is refused: the document is rebuilt from what is stored, unless
	 * nothing was integrated (then only the pending part is dropped); checkUpdate refuses both
	 * kinds before this point, so this is the safety net. An update that changed nothing (the
	 * document already had all of it: the same update sent again) is neither stored nor
	 * broadcast; returns whether anything was.
	 */
	private applyAndPersist(live: LiveDoc, update: Uint8Array, origin: Origin): boolean {
		const roots = new Set<string>();
		const doc = live.doc;
		// what the update means is checked in the same transaction (content.ts): case content
		// where every member reads it is refused like a malformed update
		let violation = null as string | null;
		const writer = origin.kind === 'connection' ? origin.connection.writer : undefined;
		const collect = (transaction: Y.Transaction) => {
			changedRoots(doc, transaction, roots);
			violation ??= contentViolation(live.name, doc, transaction, writer);
		};
		prepareContentCheck(live.name, doc);
		const { pendingStructs, pendingDs } = doc.store;
		const hadPending = pendingStructs !== null || pendingDs !== null;
		live.capture = [];
		doc.on('afterTransaction', collect);
		let outputs: Uint8Array[];
		try {
			Y.applyUpdate(doc, update, origin);
			if (!hadPending && (doc.store.pendingStructs !== null || doc.store.pendingDs !== null)) {
				// checkUpdate refuses what would be left pending; should something slip through
				// and nothing was integrated (the doc emitted no update), the doc is as before
				// once the pending part is dropped: no rebuild, which costs a second on a big doc
				if (live.capture.length === 0) {
					doc.store.pendingStructs = pendingStructs;
					doc.store.pendingDs = pendingDs;
					live.capture = null;
					doc.off('afterTransaction', collect);
					throw new Refused({ code: CLOSE_INVALID, reason: 'invalid update: missing dependencies' });
				}
				throw new Refused({ code: CLOSE_INVALID, reason: 'invalid update: missing dependencies' });
			}
			if (violation !== null) throw new Refused({ code: CLOSE_INVALID, reason: `invalid update: ${violation}` });
		} catch (error) {
			if (live.capture === null) throw error;
			live.capture = null;
			doc.off('afterTransaction', collect);
			this.log.warn({ doc: live.name, err: String(error) }, 'an update did not apply; rebuilt from the store');
			this.rebuild(live);
			throw error instanceof Refused ? error : new Refused({ code: CLOSE_INVALID, reason: 'invalid update: does not apply' });
		} finally {
			outputs = live.capture ?? [];
			live.capture = null;
			doc.off('afterTransaction', collect);
		}
		// Nothing new: no 'update' event (no struct added, nothing deleted) and nothing left
		// waiting for a missing dependency. (With pending structs before, the update may have
		// been added to them: it is stored as it always was, to load in the same order.)
		if (outputs.length === 0 && !hadPending) return false;
		this.persist(live, update, outputs, roots, origin);
		return true;
	}

	/**
	 * Stores `update` (group commit), and after the commit broadcasts `outputs` (what applying
	 * it produced) to every connection but its sender, answers waiting sync requests, compacts
	 * when due and reports the changed roots.
	 */
	private persist(live: LiveDoc, update: Uint8Array, outputs: Uint8Array[], roots: ReadonlySet<string>, origin: Origin): void {
		live.uncommitted.push(update);
		const stored = this.store.append(live.name, update);
		const from = origin.kind === 'connection' ? origin.connection : null;
		live.applyChain = live.applyChain
			.then(() => stored)
			.then((id) => {
				live.uncommitted.shift();
				for (const output of outputs) {
					const message = encodeUpdate(output);
					for (const connection of live.connections.keys()) {
						if (connection !== from) connection.send(message);
					}
				}
				live.lastUpdateId = id;
				live.updatesSinceSnapshot += 1;
				if (live.updatesSinceSnapshot >= this.compactAfter) this.compact(live);
				if (live.uncommitted.length === 0) {
					for (const waiter of live.storedWaiters.splice(0)) {
						try {
							waiter();
						} catch (error) {
							this.log.error({ doc: live.name, err: error }, 'answering after a commit failed');
						}
					}
				}
				this.onApplied?.(live.name, roots);
			})
			.catch((error) => this.log.error({ doc: live.name, err: error }, 'after storing an update'));
	}

	private compact(live: LiveDoc): void {
		try {
			this.store.compact(live.name, Y.encodeStateAsUpdate(live.doc), live.lastUpdateId);
			live.updatesSinceSnapshot = 0;
		} catch (error) {
			// The log still holds every update; compaction is retried at the next threshold or unload.
			this.log.error({ doc: live.name, err: error }, 'compaction failed');
		}
	}

	private scheduleUnload(live: LiveDoc): void {
		if (live.unloadTimer) return;
		live.unloadTimer = setTimeout(async () => {
			live.unloadTimer = null;
			// a client can connect, send and leave while we wait: wait until no write is pending,
			// or the compaction below would miss an update that is stored just after it
			let chain: Promise<void>;
			do {
				chain = live.applyChain;
				await chain;
				await this.store.flush();
			} while (chain !== live.applyChain);
			if (live.connections.size === 0 && this.docs.get(live.name) === live) this.unload(live);
		}, 0);
	}

	private unload(live: LiveDoc): void {
		if (live.updatesSinceSnapshot > 0) this.compact(live);
		for (const connection of live.connections.keys()) connection.close(1001, 'server shutting down');
		live.awareness.destroy();
		live.doc.destroy();
		this.docs.delete(live.name);
	}
}

/** Adds to `into` the names of the root types that `transaction` changed, at any depth. */
function changedRoots(doc: Y.Doc, transaction: Y.Transaction, into: Set<string>): void {
	if (transaction.changed.size === 0) return;
	const names = new Map<Y.AbstractType<any>, string>();
	for (const [name, type] of doc.share) names.set(type, name);
	for (const type of transaction.changed.keys()) {
		let root: Y.AbstractType<any> = type;
		while (root._item) root = root._item.parent as Y.AbstractType<any>;
		const name = names.get(root);
		if (name !== undefined) into.add(name);
	}
}
