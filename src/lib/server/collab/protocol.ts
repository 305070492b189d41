import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

/** The y-websocket wire protocol: message types and their encoders. */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;

/**
 * Close codes, named like HTTP: the stock client does not reconnect on 44xx.
 *
 * 4400 invalid message: a frame, envelope or update that does not decode, an update that does
 *      not apply (an origin into its own future, missing dependencies), a malformed document name
 * 4401 no valid session
 * 4403 no access, or no such document
 * 4413 the update exceeds a limit of what one message may do (size, nesting depth, types,
 *      items, clients, deletes, root names, integration work); the reason names the limit
 */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_TOO_LARGE = 4413;
export const CLOSE_INVALID = 4400;
/** 45xx: transient, the client reconnects (server shutting down). */
export const CLOSE_GOING_AWAY = 4503;

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, MESSAGE_SYNC);
	syncProtocol.writeSyncStep1(encoder, doc);
	return encoding.toUint8Array(encoder);
}

export function encodeUpdate(update: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, MESSAGE_SYNC);
	syncProtocol.writeUpdate(encoder, update);
	return encoding.toUint8Array(encoder);
}

export function encodeAwareness(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
	encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
	return encoding.toUint8Array(encoder);
}

/** Sync step 2: the state a client with state vector `stateVector` lacks. */
export function encodeSyncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, MESSAGE_SYNC);
	encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
	encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(doc, stateVector));
	return encoding.toUint8Array(encoder);
}

/** Answers a client's sync step 1 with the state it lacks (sync step 2). */
export function answerSyncStep1(decoder: decoding.Decoder, doc: Y.Doc): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, MESSAGE_SYNC);
	syncProtocol.readSyncStep1(decoder, encoder, doc);
	return encoding.toUint8Array(encoder);
}

/** One entry of an awareness update: a client id, its clock and its state (JSON; null = gone). */
export interface AwarenessEntry {
	clientId: number;
	clock: number;
	json: string;
}

/** Decodes an awareness update without parsing the states; throws on malformed input. */
export function decodeAwarenessEntries(update: Uint8Array, maxEntries: number): AwarenessEntry[] {
	const decoder = decoding.createDecoder(update);
	const count = decoding.readVarUint(decoder);
	if (count > maxEntries) throw new Error(`awareness update for ${count} clients`);
	const entries: AwarenessEntry[] = [];
	for (let i = 0; i < count; i++) {
		const clientId = decoding.readVarUint(decoder);
		const clock = decoding.readVarUint(decoder);
		const json = decoding.readVarString(decoder);
		entries.push({ clientId, clock, json });
	}
	return entries;
}

/** Encodes awareness entries (the inverse of decodeAwarenessEntries). */
export function encodeAwarenessEntries(entries: AwarenessEntry[]): Uint8Array {
	const encoder = encoding.createEncoder();
	encoding.writeVarUint(encoder, entries.length);
	for (const e of entries) {
		encoding.writeVarUint(encoder, e.clientId);
		encoding.writeVarUint(encoder, e.clock);
		encoding.writeVarString(encoder, e.json);
	}
	return encoding.toUint8Array(encoder);
}

export type Incoming =
	| { kind: 'sync-step1'; decoder: decoding.Decoder }
	| { kind: 'update'; update: Uint8Array }
	| { kind: 'awareness'; update: Uint8Array }
	| { kind: 'query-awareness' }
	| { kind: 'ignored' };

/** Decodes the envelope of a client message; throws on malformed input. */
export function decodeMessage(data: Uint8Array): Incoming {
	const decoder = decoding.createDecoder(data);
	const type = decoding.readVarUint(decoder);
	switch (type) {
		case MESSAGE_SYNC: {
			const syncType = decoding.readVarUint(decoder);
			if (syncType === syncProtocol.messageYjsSyncStep1) return { kind: 'sync-step1', decoder };
			if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
				return { kind: 'update', update: decoding.readVarUint8Array(decoder) };
			}
			throw new Error(`unknown sync message ${syncType}`);
		}
		case MESSAGE_AWARENESS:
			return { kind: 'awareness', update: decoding.readVarUint8Array(decoder) };
		case MESSAGE_QUERY_AWARENESS:
			return { kind: 'query-awareness' };
		case MESSAGE_AUTH:
			return { kind: 'ignored' };
		default:
			throw new Error(`unknown message type ${type}`);
	}
}
