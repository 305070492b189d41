import type http from 'node:http';
import type { AppContext } from '../src/lib/server/context';
import { sqliteHandle } from '../src/lib/server/db/index';
import { createSqliteDocStore } from '../src/lib/server/collab/store';
import { CollabHub } from '../src/lib/server/collab/hub';
import { COLLAB_PREFIX, createCollabEndpoint, type CollabEndpointHooks } from '../src/lib/server/collab/endpoint';
import { CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED } from '../src/lib/server/collab/protocol';
import type { CollabConnection } from '../src/lib/server/collab/hub';
import { allowedActiehouders, can, connectionInScope, documentAccess, documentWriter, parseDocumentName, type ConnectionScope } from '../src/lib/server/policy/index';
import { sessionPolicy, touchSession, validateSessionId } from '../src/lib/server/auth/session';
import { createLiveServer, refreshRooms } from '../src/lib/server/live/server';
import { Projector } from '../src/lib/server/projection/index';
import { notifyNewActions, onNotice } from '../src/lib/server/notifications/index';
import { documentAuditor } from '../src/lib/server/audit/documents';

export interface Realtime {
	hub: CollabHub;
	/** SQL rows of the documents' actions and agendas, kept up to date */
	projector: Projector;
	/** Sends a live event to every socket of a user (their `user:<id>` room). */
	emitToUser(userId: number, event: 'notice' | 'acties:changed', payload: unknown): void;
	/** Closes every live and document connection of a session, at once. */
	revokeSession(sessionId: string): void;
	/** Closes every live and document connection of a user, at once. */
	revokeUser(userId: number): void;
	/** Closes every live and document connection but those of one session (or all of them). */
	revokeAll(exceptSessionId: string | null): void;
	/**
	 * Asks the policy again for every document connection in scope, after access changed
	 * (withdrawn organisation access: `{ caseId }` reaches every document derived from the case;
	 * removed or changed membership: `{ userId }`): closed with 4403 when nothing is left,
	 * downgraded to read-only when only reading is.
	 */
	reauthorize(scope: ConnectionScope): Promise<void>;
	/** Decides every open meeting's room again (the shared screen's restriction) after access changed. */
	refreshRooms(): Promise<void>;
	/**
	 * Checks every open live and document connection's session again (without counting as
	 * activity), closing those of ended sessions with 4401, then re-asks the policy for every
	 * document connection. Runs every SESSION_RECHECK_SECONDS; exposed for shutdown and tests.
	 */
	recheck(): Promise<void>;
	/**
	 * Asks the policy again whether the user may still view each meeting their live sockets have
	 * joined (after a removed membership): a socket in a meeting it may no longer view is
	 * disconnected; joining again is refused by `meeting:join` itself.
	 */
	reauthorizeMeetings(userId: number): Promise<void>;
	/** Stops accepting realtime connections, waits for pending writes, unloads documents. */
	close(): Promise<void>;
}

/**
 * Attaches the realtime endpoints to an HTTP server, for the production server and the dev
 * server alike: `/collab/<doc>` (Yjs, y-websocket protocol) and, from the meeting-control work
 * on, socket.io on `/live`. Any other upgrade is destroyed: one nobody handles must not hang.
 */
export function attachRealtime(server: http.Server, ctx: AppContext, options: { collabHooks?: CollabEndpointHooks } = {}): Realtime {
	const store = createSqliteDocStore(sqliteHandle(ctx.db), {
		now: ctx.now,
		onWriteError: (err, attempt) =>
			ctx.log.error({ err, attempt }, 'storing document updates failed; kept in memory, retrying')
	});
	// the projector needs the hub and the hub tells the projector: tied together after creation
	let projector: Projector | null = null;
	const documentAudit = documentAuditor(ctx);
	const hub = new CollabHub({
		store,
		log: ctx.log,
		onAccepted: (docName, connection) => {
			documentAudit.edit(connection);
			// an accepted edit is a person's activity: it keeps their session alive
			editActivity(connection.sessionId);
		},
		onApplied: (name, roots) => projector?.schedule(name, roots)
	});
	projector = new Projector(ctx, hub);
	const project = projector;
	const collab = createCollabEndpoint(ctx, hub, options.collabHooks);
	const io = createLiveServer(server, ctx);

	server.on('upgrade', (req, socket, head) => {
		const path = (req.url ?? '').split('?')[0] ?? '';
		if (path.startsWith(COLLAB_PREFIX)) {
			collab.handleUpgrade(req, socket, head);
			return;
		}
		// socket.io handles its own path; Vite's hot-reload socket in development handles itself.
		if (path.startsWith('/socket.io/')) return;
		if (req.headers['sec-websocket-protocol'] === 'vite-hmr') return;
		socket.destroy();
	});

	/** What the connection's user may do with its document now, by the same policy. */
	async function accessNow(connection: CollabConnection) {
		const user = await ctx.db
			.selectFrom('users')
			.select(['id', 'organisation_id', 'is_admin', 'disabled_at'])
			.where('id', '=', connection.userId)
			.executeTakeFirst();
		const ref = parseDocumentName(connection.docName);
		if (!user || user.disabled_at || !ref) return null;
		const actor = { userId: user.id, organisationId: user.organisation_id, isAdmin: user.is_admin === 1 };
		const access = await documentAccess(ctx.db, actor, ref);
		// what the document's semantic check asks of the writer follows a changed role as well
		return access === null ? null : { access, writer: await documentWriter(ctx.db, actor, ref) };
	}

	/**
	 * Document edits touch their session, at most every few seconds per session (the database
	 * throttles further); an edit on a session that has ended closes its connections at once.
	 */
	const EDIT_TOUCH_EVERY_MS = 5_000;
	const editTouchedAt = new Map<string, number>();
	function editActivity(sessionId: string) {
		const now = ctx.now();
		const last = editTouchedAt.get(sessionId);
		if (last !== undefined && now.getTime() - last < EDIT_TOUCH_EVERY_MS) return;
		editTouchedAt.set(sessionId, now.getTime());
		touchSession(ctx.db, sessionId, now, sessionPolicy(ctx))
			.then(async (alive) => {
				if (!alive) await endIfDead(sessionId);
			})
			.catch((err) => ctx.log.error({ err }, 'counting a document edit as activity failed'));
	}

	/** Deletes the session if it is dead (idle, expired, blocked, gone) and closes what it holds. */
	async function endIfDead(sessionId: string): Promise<boolean> {
		const { session } = await validateSessionId(ctx.db, sessionId, ctx.now(), sessionPolicy(ctx), { touch: false });
		if (session) return false;
		realtime.revokeSession(sessionId);
		return true;
	}

	let rechecking: Promise<void> | null = null;
	async function recheckOnce() {
		const live = io.of('/live');
		const sessionIds = new Set<string>([
			...[...live.sockets.values()].map((s) => s.data.sessionId),
			...hub.connections().map((c) => c.sessionId)
		]);
		for (const id of sessionIds) {
			try {
				await endIfDead(id);
			} catch (err) {
				ctx.log.error({ err }, 'session recheck failed');
			}
		}
		await realtime.reauthorize({ all: true });
		// forget touch times of sessions that hold nothing open any more
		const open = new Set(hub.connections().map((c) => c.sessionId));
		for (const id of editTouchedAt.keys()) if (!open.has(id)) editTouchedAt.delete(id);
	}
	const recheckTimer = setInterval(() => void realtime.recheck(), ctx.config.sessionRecheckSeconds * 1000);
	recheckTimer.unref();

	const realtime: Realtime = {
		hub,
		projector: project,
		emitToUser(userId, event, payload) {
			(io.of('/live').to(`user:${userId}`).emit as (e: string, p: unknown) => void)(event, payload);
		},
		revokeSession(sessionId) {
			io.of('/live').in(`session:${sessionId}`).disconnectSockets(true);
			hub.closeWhere((c) => c.sessionId === sessionId, CLOSE_UNAUTHORIZED, 'session ended');
			editTouchedAt.delete(sessionId);
		},
		revokeUser(userId) {
			io.of('/live').in(`user:${userId}`).disconnectSockets(true);
			hub.closeWhere((c) => c.userId === userId, CLOSE_UNAUTHORIZED, 'user blocked');
		},
		revokeAll(exceptSessionId) {
			for (const socket of [...io.of('/live').sockets.values()]) {
				if (socket.data.sessionId !== exceptSessionId) socket.disconnect(true);
			}
			hub.closeWhere((c) => c.sessionId !== exceptSessionId, CLOSE_UNAUTHORIZED, 'all sessions ended');
			editTouchedAt.clear();
		},
		async reauthorize(scope) {
			// counted before the walk, in the same tick: a connection being authorized meanwhile
			// is checked again before it is registered (collab/endpoint.ts)
			hub.revoking();
			for (const connection of hub.connections()) {
				if (!connectionInScope(scope, connection)) continue;
				try {
					const now = await accessNow(connection);
					if (now === null) {
						connection.close(CLOSE_FORBIDDEN, 'access withdrawn');
						hub.disconnect(connection);
					} else {
						connection.access = now.access;
						connection.writer = now.writer;
					}
				} catch (err) {
					ctx.log.error({ err, doc: connection.docName }, 'reauthorizing a document connection failed');
				}
			}
			// who may see a case changed: the shared screen may have to show it restricted
			await refreshRooms(io);
		},
		refreshRooms: () => refreshRooms(io),
		recheck() {
			// one run at a time: a slow run is not overtaken by the next tick
			rechecking ??= recheckOnce()
				.catch((err) => ctx.log.error({ err }, 'connection recheck failed'))
				.finally(() => (rechecking = null));
			return rechecking;
		},
		async reauthorizeMeetings(userId) {
			for (const socket of await io.of('/live').in(`user:${userId}`).fetchSockets()) {
				const actor = { userId: socket.data.userId, organisationId: socket.data.organisationId, isAdmin: socket.data.isAdmin };
				for (const room of socket.rooms) {
					const meetingId = /^meeting:(\d+)$/.exec(room)?.[1];
					if (meetingId && !(await can(ctx.db, actor, 'meeting.view', { kind: 'meeting', meetingId: Number(meetingId) }))) {
						socket.disconnect(true);
						break;
					}
				}
			}
		},
		async close() {
			clearInterval(recheckTimer);
			await rechecking;
			await project.close();
			io.of('/live').disconnectSockets(true);
			await new Promise<void>((resolve) => io.close(() => resolve()));
			collab.close();
			await hub.shutdown();
			await store.flush();
			await documentAudit.flush();
		}
	};
	ctx.realtime = realtime;

	// Who must hear of a change in a case's actions: the actiehouders before and after, and the
	// case's regisseurs (the casemanager follows every action of their cases).
	project.onActionsChanged(async (change) => {
		if (change.rebuild) return;
		const users = new Set<number>();
		// only actiehouders the policy allows: someone a writer named without access hears nothing
		const allowed = await allowedActiehouders(ctx.db, change.caseId);
		for (const a of [...change.before, ...change.after]) if (a.actiehouderId !== null && allowed.has(a.actiehouderId)) users.add(a.actiehouderId);
		const regie = await ctx.db
			.selectFrom('regie_assignments')
			.select('user_id')
			.where('case_id', '=', change.caseId)
			.where('ended_at', 'is', null)
			.execute();
		for (const r of regie) if (r.user_id !== null) users.add(r.user_id);
		for (const userId of users) realtime.emitToUser(userId, 'acties:changed', { caseId: change.caseId });
	});
	project.onActionsChanged((change) => notifyNewActions(ctx, change));
	onNotice(ctx, (notice) => realtime.emitToUser(notice.userId, 'notice', notice));
	void project.rebuildAll().catch((err) => ctx.log.error({ err }, 'rebuilding the projection failed'));
	return realtime;
}
