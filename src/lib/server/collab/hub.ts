import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as decoding from 'lib0/decoding';
import type { Logger } from 'pino';
import type { DocStore } from './store';
import {
	CLOSE_FORBIDDEN,
	CLOSE_INVALID,
	answerSyncStep1,
	decodeMessage,
	encodeAwareness,
	encodeSyncStep1,
	encodeUpdate
} from './protocol';

/** Transaction origins, tagged, so a load is never stored again and a server edit is known. */
export type Origin =
	| { kind: 'load' }
	| { kind: 'server'; reason: string }
	| { kind: 'connection'; connection: CollabConnection };

const LOAD: Origin = { kind: 'load' };

export type Access = 'write' | 'read';

/** The client ids an awareness update speaks for; throws on malformed input. */
function awarenessClientIds(update: Uint8Array): number[] {
	const decoder = decoding.createDecoder(update);
	const count = decoding.readVarUint(decoder);
	const ids: number[] = [];
	for (let i = 0; i < count; i++) {
		ids.push(decoding.readVarUint(decoder));
		decoding.readVarUint(decoder); // clock
		decoding.readVarString(decoder); // state as JSON
	}
	return ids;
}

/** One websocket to one document, as the hub sees it: the transport stays outside. */
export interface CollabConnection {
	readonly id: string;
	readonly docName: string;
	readonly userId: number;
	readonly sessionId: string;
	/** who the server knows this connection to be; presence shows this, not what the client claims */
	readonly identity?: { name: string; organisation: string };
	access: Access;
	send(message: Uint8Array): void;
	close(code: number, reason: string): void;
}

interface LiveDoc {
	name: string;
	doc: Y.Doc;
	awareness: awarenessProtocol.Awareness;
	/** connection → the awareness client ids it controls */
	connections: Map<CollabConnection, Set<number>>;
	/** applies accepted updates in arrival order, each after its commit */
	applyChain: Promise<void>;
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
	private readonly onAccepted?: HubOptions['onAccepted'];
	private readonly onApplied?: HubOptions['onApplied'];
	private rejectedReadOnly = 0;
	private rejectedInvalid = 0;

	constructor(options: HubOptions) {
		this.store = options.store;
		this.log = options.log;
		this.compactAfter = options.compactAfter ?? 500;
		this.maxUpdateBytes = options.maxUpdateBytes ?? 1024 * 1024;
		this.onAccepted = options.onAccepted;
		this.onApplied = options.onApplied;
	}

	stats(): HubStats {
		let connections = 0;
		for (const live of this.docs.values()) connections += live.connections.size;
		return {
			documents: this.docs.size,
			connections,
			rejectedReadOnly: this.rejectedReadOnly,
			rejectedInvalid: this.rejectedInvalid
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
		live.connections.set(connection, new Set());
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
					connection.send(answerSyncStep1(message.decoder, live.doc));
					return;
				case 'update':
					this.acceptUpdate(live, connection, message.update);
					return;
				case 'awareness':
					this.acceptAwareness(live, connection, message.update);
					return;
				case 'query-awareness':
					connection.send(encodeAwareness(live.awareness, [...live.awareness.getStates().keys()]));
					return;
				case 'ignored':
					return;
			}
		} catch (error) {
			this.rejectedInvalid += 1;
			this.log.warn({ doc: connection.docName, err: String(error) }, 'invalid collab message');
			connection.close(CLOSE_INVALID, 'invalid message');
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
		if (controlled && controlled.size > 0) {
			awarenessProtocol.removeAwarenessStates(live.awareness, [...controlled], null);
		}
		if (live.connections.size === 0) this.scheduleUnload(live);
	}

	/** Closes every connection that matches, e.g. all of a user's when their session ends. */
	closeWhere(match: (c: CollabConnection) => boolean, code: number, reason: string): number {
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
		for (const live of this.docs.values()) {
			if (!matchDoc(live.name)) continue;
			for (const connection of live.connections.keys()) connection.access = 'read';
		}
	}

	/**
	 * Applies a change made by the server (not typed by a connection), stored first like any
	 * other update, so open screens see it live. Resolves once stored and broadcast.
	 */
	async change(docName: string, reason: string, fn: (doc: Y.Doc) => void): Promise<void> {
		const live = this.load(docName);
		const scratch = new Y.Doc();
		Y.applyUpdate(scratch, Y.encodeStateAsUpdate(live.doc));
		const before = Y.encodeStateVector(scratch);
		fn(scratch);
		const update = Y.encodeStateAsUpdate(scratch, before);
		scratch.destroy();
		await this.persistAndApply(live, update, { kind: 'server', reason });
		if (live.connections.size === 0) this.scheduleUnload(live);
	}

	/** The current state of a document, loading it if needed. */
	async read<T>(docName: string, fn: (doc: Y.Doc) => T): Promise<T> {
		const live = this.load(docName);
		await live.applyChain;
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
		const doc = new Y.Doc({ gc: true });
		const stored = this.store.load(docName);
		Y.transact(
			doc,
			() => {
				if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot, LOAD);
				for (const update of stored.updates) Y.applyUpdate(doc, update, LOAD);
			},
			LOAD
		);
		const awareness = new awarenessProtocol.Awareness(doc);
		// The server is not a participant: it has no presence of its own.
		awareness.setLocalState(null);
		const live: LiveDoc = {
			name: docName,
			doc,
			awareness,
			connections: new Map(),
			applyChain: Promise.resolve(),
			lastUpdateId: stored.lastUpdateId,
			updatesSinceSnapshot: stored.updates.length,
			unloadTimer: null
		};
		doc.on('update', (update: Uint8Array, origin: Origin | undefined) => {
			if (origin === LOAD) return;
			const from = origin?.kind === 'connection' ? origin.connection : null;
			const message = encodeUpdate(update);
			for (const connection of live.connections.keys()) {
				if (connection !== from) connection.send(message);
			}
		});
		awareness.on(
			'update',
			(
				{ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
				origin: unknown
			) => {
				const controlled = live.connections.get(origin as CollabConnection);
				if (controlled) {
					for (const id of added) controlled.add(id);
					for (const id of removed) controlled.delete(id);
				}
				const changed = [...added, ...updated, ...removed];
				const message = encodeAwareness(awareness, changed);
				for (const connection of live.connections.keys()) connection.send(message);
			}
		);
		this.docs.set(docName, live);
		return live;
	}

	/**
	 * Presence is relayed, but a connection may only speak for awareness client ids that are
	 * its own (the first connection to use an id owns it), and the name and organisation it
	 * shows are the server's, so nobody can appear as someone else or erase another's presence.
	 */
	private acceptAwareness(live: LiveDoc, connection: CollabConnection, update: Uint8Array): void {
		const ids = awarenessClientIds(update);
		for (const [other, owned] of live.connections) {
			if (other !== connection && ids.some((id) => owned.has(id))) {
				this.rejectedInvalid += 1;
				return;
			}
		}
		const identity = connection.identity;
		const checked = identity
			? awarenessProtocol.modifyAwarenessUpdate(update, (state: unknown) =>
					state && typeof state === 'object'
						? { ...state, user: { ...((state as { user?: object }).user ?? {}), ...identity } }
						: state
				)
			: update;
		awarenessProtocol.applyAwarenessUpdate(live.awareness, checked, connection);
	}

	private acceptUpdate(live: LiveDoc, connection: CollabConnection, update: Uint8Array): void {
		if (connection.access !== 'write') {
			// Read-only: dropped, never applied, stored or broadcast.
			this.rejectedReadOnly += 1;
			return;
		}
		if (update.byteLength > this.maxUpdateBytes) throw new Error('update too large');
		// Throws on malformed updates before anything is stored.
		const decoded = Y.decodeUpdate(update);
		// A client's sync answer is often empty (it had nothing we lacked): nothing to store.
		if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) return;
		void this.persistAndApply(live, update, { kind: 'connection', connection });
		this.onAccepted?.(live.name, connection);
	}

	/** Stores first (group commit), then applies in arrival order, which broadcasts. */
	private persistAndApply(live: LiveDoc, update: Uint8Array, origin: Origin): Promise<void> {
		const stored = this.store.append(live.name, update);
		live.applyChain = live.applyChain
			.then(() => stored)
			.then((id) => {
				const roots = new Set<string>();
				const collect = (transaction: Y.Transaction) => changedRoots(live.doc, transaction, roots);
				live.doc.on('afterTransaction', collect);
				try {
					Y.applyUpdate(live.doc, update, origin);
				} finally {
					live.doc.off('afterTransaction', collect);
				}
				live.lastUpdateId = id;
				live.updatesSinceSnapshot += 1;
				if (live.updatesSinceSnapshot >= this.compactAfter) this.compact(live);
				this.onApplied?.(live.name, roots);
			})
			.catch((error) => this.log.error({ doc: live.name, err: error }, 'applying a stored update failed'));
		return live.applyChain;
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
