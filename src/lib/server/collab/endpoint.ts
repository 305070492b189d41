import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AppContext } from '../context';
import { recordAudit } from '../audit/index';
import { SESSION_COOKIE, sessionPolicy, validateSessionToken } from '../auth/session';
import { secondFactorPending } from '../auth/second-factor';
import { documentAccess, parseDocumentName } from '../policy/index';
import { CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED } from './protocol';
import type { CollabConnection, CollabHub } from './hub';

export const COLLAB_PREFIX = '/collab/';

export function readCookie(header: string | undefined, name: string): string | null {
	if (!header) return null;
	for (const part of header.split(';')) {
		const eq = part.indexOf('=');
		if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
	}
	return null;
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
export function createCollabEndpoint(ctx: AppContext, hub: CollabHub) {
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
		if (ref.kind === 'case') {
			await recordAudit(ctx.db, {
				at: ctx.now(),
				userId: user.id,
				organisationId: user.organisationId,
				action: 'case.document.open',
				caseId: ref.caseId,
				detail: { access },
				ip: req.socket.remoteAddress ?? null
			});
		}
		return { access, session, user } as const;
	}

	function handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const docName = decodeURIComponent(url.pathname.slice(COLLAB_PREFIX.length));
		wss.handleUpgrade(req, socket, head, (ws) => {
			(ws as WebSocket & { alive?: boolean }).alive = true;
			ws.on('pong', () => ((ws as WebSocket & { alive?: boolean }).alive = true));
			// Messages can arrive while the session is being checked; keep them in order.
			const early: Uint8Array[] = [];
			let connection: CollabConnection | null = null;
			let closed = false;
			ws.on('message', (data: Buffer) => {
				const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
				if (connection) hub.receive(connection, bytes);
				else early.push(bytes);
			});
			ws.on('close', () => {
				closed = true;
				if (connection) hub.disconnect(connection);
			});
			ws.on('error', () => ws.terminate());

			authorizeConnection(req, docName)
				.then((result) => {
					if (closed) return;
					if ('close' in result) {
						ws.close(result.close, result.close === CLOSE_UNAUTHORIZED ? 'unauthorized' : 'forbidden');
						return;
					}
					connection = {
						id: `c${++nextId}`,
						docName,
						userId: result.user.id,
						sessionId: result.session.id,
						identity: { name: result.user.name, organisation: result.user.organisationName },
						access: result.access,
						send: (message) => {
							if (ws.readyState === ws.OPEN) ws.send(message);
						},
						close: (code, reason) => ws.close(code, reason)
					};
					hub.connect(connection);
					for (const message of early.splice(0)) hub.receive(connection, message);
				})
				.catch((error) => {
					ctx.log.error({ err: error }, 'collab authorization failed');
					ws.close(1011, 'server error');
				});
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
