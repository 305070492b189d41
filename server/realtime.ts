import type http from 'node:http';
import type { AppContext } from '../src/lib/server/context';
import { sqliteHandle } from '../src/lib/server/db/index';
import { createSqliteDocStore } from '../src/lib/server/collab/store';
import { CollabHub } from '../src/lib/server/collab/hub';
import { COLLAB_PREFIX, createCollabEndpoint } from '../src/lib/server/collab/endpoint';
import { CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED } from '../src/lib/server/collab/protocol';
import type { CollabConnection } from '../src/lib/server/collab/hub';
import { can, documentAccess, parseDocumentName } from '../src/lib/server/policy/index';
import { createLiveServer } from '../src/lib/server/live/server';
import { Projector } from '../src/lib/server/projection/index';
import { notifyNewActions, onNotice } from '../src/lib/server/notifications/index';
import { documentEditAudit } from '../src/lib/server/audit/document-edits';

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
	/**
	 * Asks the policy again for every matching document connection, after access changed
	 * (withdrawn organisation access, removed membership): closed with 4403 when nothing is
	 * left, downgraded to read-only when only reading is.
	 */
	reauthorize(match: (c: CollabConnection) => boolean): Promise<void>;
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
export function attachRealtime(server: http.Server, ctx: AppContext): Realtime {
	const store = createSqliteDocStore(sqliteHandle(ctx.db), {
		now: ctx.now,
		onWriteError: (err, attempt) =>
			ctx.log.error({ err, attempt }, 'storing document updates failed; kept in memory, retrying')
	});
	// the projector needs the hub and the hub tells the projector: tied together after creation
	let projector: Projector | null = null;
	const hub = new CollabHub({
		store,
		log: ctx.log,
		onAccepted: documentEditAudit(ctx),
		onApplied: (name, roots) => projector?.schedule(name, roots)
	});
	projector = new Projector(ctx, hub);
	const project = projector;
	const collab = createCollabEndpoint(ctx, hub);
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
		return documentAccess(ctx.db, { userId: user.id, organisationId: user.organisation_id, isAdmin: user.is_admin === 1 }, ref);
	}

	const realtime: Realtime = {
		hub,
		projector: project,
		emitToUser(userId, event, payload) {
			(io.of('/live').to(`user:${userId}`).emit as (e: string, p: unknown) => void)(event, payload);
		},
		revokeSession(sessionId) {
			io.of('/live').in(`session:${sessionId}`).disconnectSockets(true);
			hub.closeWhere((c) => c.sessionId === sessionId, CLOSE_UNAUTHORIZED, 'session ended');
		},
		revokeUser(userId) {
			io.of('/live').in(`user:${userId}`).disconnectSockets(true);
			hub.closeWhere((c) => c.userId === userId, CLOSE_UNAUTHORIZED, 'user blocked');
		},
		async reauthorize(match) {
			for (const connection of hub.connections()) {
				if (!match(connection)) continue;
				const access = await accessNow(connection);
				if (access === null) {
					connection.close(CLOSE_FORBIDDEN, 'access withdrawn');
					hub.disconnect(connection);
				} else {
					connection.access = access;
				}
			}
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
			await project.close();
			io.of('/live').disconnectSockets(true);
			await new Promise<void>((resolve) => io.close(() => resolve()));
			collab.close();
			await hub.shutdown();
			await store.flush();
		}
	};
	ctx.realtime = realtime;

	// Who must hear of a change in a case's actions: the actiehouders before and after, and the
	// case's regisseurs (the casemanager follows every action of their cases).
	project.onActionsChanged(async (change) => {
		if (change.rebuild) return;
		const users = new Set<number>();
		for (const a of [...change.before, ...change.after]) if (a.actiehouderId !== null) users.add(a.actiehouderId);
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
