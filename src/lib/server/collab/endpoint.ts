import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppContext } from '../context';
import { documentAuditor } from '../audit/documents';
import { SESSION_COOKIE, sessionPolicy, validateSessionToken } from '../auth/session';
import { secondFactorPending } from '../auth/second-factor';
import { documentAccess, documentWriter, parseDocumentName } from '../policy/index';
import { CLOSE_FORBIDDEN, CLOSE_INVALID, CLOSE_TOO_LARGE, CLOSE_UNAUTHORIZED } from './protocol';
import type { CollabConnection, CollabHub } from './hub';

export const COLLAB_PREFIX = '/collab/';

export function readCookie(header: string | undefined, name: string): string | null {
	if (!header) return null;
	for (const part of header.split(';')) {
		const eq = part.indexOf('=');
		if (eq > 0 && part.slice(0, eq).trim() === name) {
			try {
				return decodeURIComponent(part.slice(eq + 1).trim());
			} catch {
				return null; // a malformed cookie is no session
			}
		}
	}
	return null;
}

/** Longest document name we look at; real ones are like `bespreking:123:456`. */
const MAX_DOC_NAME = 200;
/** Messages a client may send while its session is being checked, and their bytes. */
const MAX_EARLY_MESSAGES = 64;
const MAX_EARLY_BYTES = 4 * 1024 * 1024;
/** A reader that does not read: past this many unsent bytes its socket is dropped (it resyncs). */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/**
 * The document name of an upgrade URL (`/collab/<name>?...`), or null when it is malformed:
 * bad percent-encoding, too long, control characters. Never throws.
 */
export function documentNameOf(url: string | undefined): string | null {
	const raw = (url ?? '').split('?')[0] ?? '';
	if (!raw.startsWith(COLLAB_PREFIX)) return null;
	const encoded = raw.slice(COLLAB_PREFIX.length);
	if (encoded.length === 0 || encoded.length > MAX_DOC_NAME * 3) return null;
	let name: string;
	try {
		name = decodeURIComponent(encoded);
	} catch {
		return null;
	}
	// eslint-disable-next-line no-control-regex
	if (name.length > MAX_DOC_NAME || /[\u0000-\u001f\u007f]/.test(name)) return null;
	return name;
}

/** Answers an upgrade we refuse with a plain HTTP status, then drops the socket. */
function refuseUpgrade(socket: Duplex, status: 400 | 500, text: string): void {
	socket.on('error', () => undefined);
	if (socket.writable) {
		socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
	}
	setTimeout(() => socket.destroy(), 1000).unref();
}

/** A browser's Origin must be ours: cookies ride along on cross-site websockets too. */
export function originAllowed(req: http.IncomingMessage, configuredOrigin: string | undefined): boolean {
	const origin = req.headers.origin;
	if (!origin) return true; // not a browser; it still needs a valid session cookie
	if (configuredOrigin) return origin === configuredOrigin;
	try {
		return new URL(origin).host === req.headers.host;
	} catch {
		return false;
	}
}

let nextId = 0;

/**
 * The `/collab/<documentName>` endpoint: the standard y-websocket protocol, authenticated by
 * the session cookie at the upgrade and authorized by the policy. No valid session: close
 * 4401. No access or no such document: close 4403, the same for both.
 */
/** Test seams of the endpoint; none in production. */
export interface CollabEndpointHooks {
	/** runs after a connection's session and access were checked, before it is registered */
	authorized?: (docName: string) => Promise<void>;
}

/** 1013 "try again later": revocations kept overtaking the authorization; the client reconnects. */
const CLOSE_TRY_AGAIN = 1013;

export function createCollabEndpoint(ctx: AppContext, hub: CollabHub, hooks: CollabEndpointHooks = {}) {
	const documentAudit = documentAuditor(ctx);
	const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * 1024 * 1024 });

	const heartbeat = setInterval(() => {
		for (const ws of wss.clients) {
			const alive = ws as WebSocket & { alive?: boolean };
			if (alive.alive === false) {
				ws.terminate();
				continue;
			}
			alive.alive = false;
			ws.ping();
		}
	}, 30_000);
	heartbeat.unref();

	/** The session and the policy for one connection; no audit, no registration. */
	async function authorizeConnection(req: http.IncomingMessage, docName: string) {
		const token = readCookie(req.headers.cookie, SESSION_COOKIE);
		if (!token) return { close: CLOSE_UNAUTHORIZED } as const;
		// opening a document is no activity of its own: the page load that opens it was; a reconnect is not
		const { session, user } = await validateSessionToken(ctx.db, token, ctx.now(), sessionPolicy(ctx), { touch: false });
		// a session still waiting for its second factor is not logged in yet
		if (!session || (await secondFactorPending(ctx.db, session.id))) return { close: CLOSE_UNAUTHORIZED } as const;
		const ref = parseDocumentName(docName);
		if (!ref || !originAllowed(req, ctx.config.origin)) return { close: CLOSE_FORBIDDEN } as const;
		const actor = { userId: user.id, organisationId: user.organisationId, isAdmin: user.isAdmin };
		const access = await documentAccess(ctx.db, actor, ref);
		if (!access) return { close: CLOSE_FORBIDDEN } as const;
		return { access, writer: await documentWriter(ctx.db, actor, ref), session, user } as const;
	}

	type Authorized = Extract<Awaited<ReturnType<typeof authorizeConnection>>, { access: unknown }>;

	/** Authorizations started again because a revocation ran meanwhile, before giving up (1013). */
	const MAX_AUTHORIZE_ROUNDS = 4;

	/**
	 * Authorizes a connection so that no revocation can slip between the check and the
	 * registration: a revocation counts itself (hub.revoking) before it walks the open
	 * connections. If one ran while this connection was being checked, the check may have read
	 * what was just revoked and the walk did not see this connection yet: it is checked again.
	 * `register` runs in the same tick as the last check of the count, so a later revocation's
	 * walk finds the connection. Returns the close code of a refusal, or null. The open is
	 * audited (aggregated per session and document, audit/documents.ts) once, before the
	 * document is served.
	 */
	async function authorizeSettled(
		req: http.IncomingMessage,
		docName: string,
		isClosed: () => boolean,
		register: (result: Authorized) => void
	): Promise<{ close: number } | null> {
		let audited = false;
		for (let round = 0; round < MAX_AUTHORIZE_ROUNDS; round++) {
			const generation = hub.revocationCount;
			const result = await authorizeConnection(req, docName);
			if (result.close !== undefined) return { close: result.close };
			if (isClosed()) return null;
			await hooks.authorized?.(docName);
			if (!audited) {
				audited = true;
				await documentAudit.open({
					at: ctx.now(),
					docName,
					sessionId: result.session.id,
					userId: result.user.id,
					organisationId: result.user.organisationId,
					access: result.access,
					ip: req.socket.remoteAddress ?? null
				});
			}
			if (isClosed()) return null;
			if (hub.revocationCount === generation) {
				// in the same tick as the check: a revocation from now on sees the connection
				register(result);
				return null;
			}
		}
		return { close: CLOSE_TRY_AGAIN } as const;
	}

	/**
	 * Never throws: whatever the client sent (URL, headers, frames), an exception closes that
	 * one connection with a documented code, and the process goes on.
	 */
	function handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
		try {
			const docName = documentNameOf(req.url);
			if (docName === null) {
				refuseUpgrade(socket, 400, 'Bad Request');
				return;
			}
			wss.handleUpgrade(req, socket, head, (ws) => {
				try {
					serve(req, ws, docName);
				} catch (error) {
					ctx.log.error({ err: error }, 'collab connection setup failed');
					ws.terminate();
				}
			});
		} catch (error) {
			ctx.log.warn({ err: String(error) }, 'collab upgrade refused');
			refuseUpgrade(socket, 400, 'Bad Request');
		}
	}

	function serve(req: http.IncomingMessage, ws: WebSocket, docName: string): void {
		(ws as WebSocket & { alive?: boolean }).alive = true;
		ws.on('pong', () => ((ws as WebSocket & { alive?: boolean }).alive = true));
		// Messages can arrive while the session is being checked; keep them in order, bounded.
		const early: Uint8Array[] = [];
		let earlyBytes = 0;
		let connection: CollabConnection | null = null;
		let closed = false;
		const refuse = (code: number, reason: string) => {
			closed = true;
			early.length = 0;
			ws.close(code, reason);
		};
		ws.on('message', (data: Buffer, isBinary: boolean) => {
			if (closed) return;
			try {
				const bytes = isBinary || Buffer.isBuffer(data)
					? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
					: new Uint8Array(0);
				if (connection) {
					hub.receive(connection, bytes);
					return;
				}
				earlyBytes += bytes.byteLength;
				if (early.length >= MAX_EARLY_MESSAGES || earlyBytes > MAX_EARLY_BYTES) {
					refuse(CLOSE_TOO_LARGE, 'too much before authorization');
					return;
				}
				early.push(bytes);
			} catch (error) {
				// the hub guards its own work; this is the last line
				ctx.log.error({ err: error, doc: docName }, 'collab message failed');
				if (connection) hub.disconnect(connection);
				refuse(CLOSE_INVALID, 'invalid message');
			}
		});
		ws.on('close', () => {
			closed = true;
			if (connection) hub.disconnect(connection);
		});
		ws.on('error', () => ws.terminate());

		const register = (result: Authorized) => {
			connection = {
				id: `c${++nextId}`,
				docName,
				userId: result.user.id,
				sessionId: result.session.id,
				identity: { name: result.user.name, organisation: result.user.organisationName },
				access: result.access,
				writer: result.writer,
				send: (message) => {
					if (ws.readyState !== ws.OPEN) return;
					if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
						ctx.log.warn({ doc: docName }, 'collab reader too slow; dropped');
						ws.terminate();
						return;
					}
					ws.send(message);
				},
				close: (code, reason) => ws.close(code, reason)
			};
			hub.connect(connection);
			for (const message of early.splice(0)) {
				if (closed) break;
				hub.receive(connection, message);
			}
		};
		authorizeSettled(req, docName, () => closed, register)
			.then((refused) => {
				if (closed || !refused) return;
				const reason = refused.close === CLOSE_UNAUTHORIZED ? 'unauthorized' : refused.close === CLOSE_TRY_AGAIN ? 'try again' : 'forbidden';
				ws.close(refused.close, reason);
			})
			.catch((error) => {
				ctx.log.error({ err: error, doc: docName }, 'collab authorization failed');
				if (connection) hub.disconnect(connection);
				if (!closed) ws.close(1011, 'server error');
			});
	}

	return {
		handleUpgrade,
		close() {
			clearInterval(heartbeat);
			for (const ws of wss.clients) ws.terminate();
			wss.close();
		}
	};
}
