import type http from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { z } from 'zod';
import type { AppContext } from '../context';
import { SESSION_COOKIE, sessionPolicy, touchSession, validateSessionId, validateSessionToken } from '../auth/session';
import { secondFactorPending } from '../auth/second-factor';
import { AppError } from '../errors';
import { readCookie, originAllowed } from '../collab/endpoint';
import {
	AddAttendee,
	CarryItem,
	CloseItem,
	JoinMeeting,
	MarkAttendance,
	MarkItemPresence,
	MeetingRef,
	RemoveAttendee,
	SetCurrentItem,
	SetRegie,
	TimerCommand,
	type Ack,
	type ClientToServerEvents,
	type LiveErrorCode,
	type MeetingState,
	type PresenceEntry,
	type ServerToClientEvents,
	type SocketData
} from '../../shared/live';
import {
	closeMeeting,
	fullMeetingState,
	mayRunMeeting,
	meetingState,
	openMeeting,
	roleAtMeeting,
	setCurrentItem,
	stateFor,
	timerCommand
} from '../meetings/control';
import { markAttendance, markItemPresence, roomRegister } from '../meetings/room';
import type { RoomRegister, RoomRestriction, RoomSummary } from '../../shared/room';
import { authorize, can, type Actor } from '../policy/index';
import { addAttendee, closeItem, removeAttendee } from '../meetings/items';
import { assignRegie } from '../cases/regie';
import { carryItem } from '../meetings/carry';

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

const meetingRoom = (id: number) => `meeting:${id}`;

/** Per live server: decides the room of every meeting with open sockets again. */
const roomRefreshers = new WeakMap<LiveServer, () => Promise<void>>();

/**
 * After access to a case changed (granted, withdrawn, a membership changed): every meeting's
 * room is decided again, and a changed restriction goes out in a new meeting state.
 */
export async function refreshRooms(io: LiveServer): Promise<void> {
	await roomRefreshers.get(io)?.();
}

function actorOf(socket: { data: SocketData }): Actor {
	return { userId: socket.data.userId, organisationId: socket.data.organisationId, isAdmin: socket.data.isAdmin };
}

/** Maps a thrown error to an ack once: AppErrors keep their code, anything else is INTERNAL. */
function failure(ctx: AppContext, error: unknown): Ack<never> {
	if (error instanceof AppError) {
		const code: LiveErrorCode = error.code === 'NOT_FOUND' || error.code === 'CONFLICT' ? error.code : 'INVALID_INPUT';
		return { ok: false, code, message: error.userMessage, ...(Object.keys(error.fields).length > 0 ? { fields: error.fields } : {}) };
	}
	ctx.log.error({ err: error }, 'live event failed');
	return { ok: false, code: 'INTERNAL', message: 'Er ging iets mis aan onze kant.' };
}

/** Events per socket: a burst of this many, refilled at this rate per second. */
export const LIVE_EVENT_LIMIT = { burst: 100, perSecond: 30 };
const RATE_LIMITED_MESSAGE = 'Te veel verzoeken achter elkaar. Wacht een paar seconden en probeer het opnieuw.';

/**
 * A token bucket per socket: a client that floods the server gets RATE_LIMITED acks (events
 * without an ack are dropped) until the bucket refills; a chair's clicks never come near it.
 */
function limitEvents(socket: LiveSocket) {
	let tokens = LIVE_EVENT_LIMIT.burst;
	let at = Date.now();
	socket.use((packet, next) => {
		const now = Date.now();
		tokens = Math.min(LIVE_EVENT_LIMIT.burst, tokens + ((now - at) / 1000) * LIVE_EVENT_LIMIT.perSecond);
		at = now;
		if (tokens >= 1) {
			tokens -= 1;
			return next();
		}
		const ack = packet[packet.length - 1];
		if (typeof ack === 'function') ack({ ok: false, code: 'RATE_LIMITED', message: RATE_LIMITED_MESSAGE } satisfies Ack<never>);
	});
}

/**
 * socket.io on the `/live` namespace: authenticated at the handshake with the same session
 * check as the pages; each socket joins `user:<id>` and `session:<id>` so a logout can
 * disconnect it. Every event is validated with zod and authorized by the policy through the
 * meeting-control service.
 */
export function createLiveServer(server: http.Server, ctx: AppContext): LiveServer {
	const io: LiveServer = new Server(server, {
		destroyUpgrade: false,
		maxHttpBufferSize: 64 * 1024,
		serveClient: false
	});
	// Only `/live` exists: the default namespace refuses every connection (socket.io refuses
	// unknown namespaces by itself), so no anonymous socket is kept open.
	io.use((_socket, next) => next(new Error('NOT_FOUND')));
	io.on('connection', (socket) => socket.disconnect(true));

	const live = io.of('/live');

	/**
	 * Wraps an async event handler so that it can never reject: socket.io ignores the promise,
	 * and an unhandled rejection would end the process (Node 20+). Errors are logged with the
	 * event and the user, never the payload.
	 */
	function guarded<A extends unknown[]>(socket: LiveSocket, event: string, handler: (...args: A) => Promise<unknown>) {
		return (...args: A) => {
			handler(...args).catch((err) =>
				ctx.log.error({ err, event, userId: socket.data.userId, socketId: socket.id }, 'live event handler failed')
			);
		};
	}

	/** Sends the room its new presence, logging instead of rejecting (disconnects, shutdown). */
	function presenceChanged(meetingId: number) {
		broadcastPresence(meetingId).catch((err) => ctx.log.error({ err, meetingId }, 'sending presence failed'));
	}

	const SESSION_ENDED: Ack<never> = {
		ok: false,
		code: 'UNAUTHENTICATED',
		message: 'Uw sessie is verlopen of beëindigd. Log opnieuw in.'
	};

	/**
	 * A command a person gives counts as their activity (it keeps the session alive); on a
	 * session that has ended meanwhile it is refused and the session's connections are closed.
	 */
	async function personActed(socket: LiveSocket, ack: (answer: Ack<never>) => void): Promise<boolean> {
		const id = socket.data.sessionId;
		if (await touchSession(ctx.db, id, ctx.now(), sessionPolicy(ctx))) return true;
		// deletes the dead row; the refusal goes out first, then every connection of the session closes
		await validateSessionId(ctx.db, id, ctx.now(), sessionPolicy(ctx), { touch: false });
		ack(SESSION_ENDED);
		setImmediate(() => {
			if (ctx.realtime) ctx.realtime.revokeSession(id);
			else socket.disconnect(true);
		});
		return false;
	}

	live.use(async (socket, next) => {
		try {
			const token = readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
			if (!token || !originAllowed(socket.request, ctx.config.origin)) return next(new Error('UNAUTHENTICATED'));
			// a (re)connect is no activity: the page load that opened the socket was
			const { session, user } = await validateSessionToken(ctx.db, token, ctx.now(), sessionPolicy(ctx), { touch: false });
			// a session still waiting for its second factor is not logged in yet
			if (!session || (await secondFactorPending(ctx.db, session.id))) return next(new Error('UNAUTHENTICATED'));
			socket.data = {
				userId: user.id,
				sessionId: session.id,
				organisationId: user.organisationId,
				isAdmin: user.isAdmin,
				name: user.name,
				organisationName: user.organisationName
			};
			next();
		} catch (error) {
			ctx.log.error({ err: error }, 'live handshake failed');
			next(new Error('INTERNAL'));
		}
	});

	async function presence(meetingId: number): Promise<PresenceEntry[]> {
		const sockets = await live.in(meetingRoom(meetingId)).fetchSockets();
		const seen = new Map<number, PresenceEntry>();
		for (const s of sockets) {
			if (seen.has(s.data.userId)) continue;
			seen.set(s.data.userId, {
				userId: s.data.userId,
				name: s.data.name,
				organisationName: s.data.organisationName,
				role: await roleAtMeeting(ctx, s.data.userId, meetingId)
			});
		}
		return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name, 'nl'));
	}

	async function broadcastPresence(meetingId: number) {
		// who is in the room, with organisation and table role: what every member may see
		live.to(meetingRoom(meetingId)).emit('meeting:presence', { meetingId, presence: await presence(meetingId) });
		await roomAfterPresence(meetingId);
	}

	/** The restriction last sent per meeting: a join or leave that changes nothing sends no state. */
	const lastRestriction = new Map<number, RoomRestriction | null>();

	/**
	 * The room may have changed (a command, a register mark, a laptop joining or leaving): the
	 * register goes to the sockets whose user may run the meeting, and the summary (the
	 * restriction, no names) is returned for the meeting state everyone receives.
	 */
	async function roomChanged(meetingId: number): Promise<{ register: RoomRegister; summary: RoomSummary }> {
		const sockets = await live.in(meetingRoom(meetingId)).fetchSockets();
		const connections = new Map<number, number>();
		for (const s of sockets) {
			// the shared screen is no laptop at the table
			if (s.data.screenMeetings?.includes(meetingId)) continue;
			connections.set(s.data.userId, (connections.get(s.data.userId) ?? 0) + 1);
		}
		const register = await roomRegister(ctx, meetingId, connections);
		const mayRun = new Map<number, boolean>();
		for (const s of sockets) {
			let ok = mayRun.get(s.data.userId);
			if (ok === undefined) {
				const actor = { userId: s.data.userId, organisationId: s.data.organisationId, isAdmin: s.data.isAdmin };
				ok = await can(ctx.db, actor, 'meeting.run', { kind: 'meeting', meetingId });
				mayRun.set(s.data.userId, ok);
			}
			if (ok) s.emit('room:register', register);
		}
		return { register, summary: { restricted: register.restricted } };
	}

	/** After a join or leave: a new state goes out only when the restriction changed. */
	async function roomAfterPresence(meetingId: number) {
		const before = JSON.stringify(lastRestriction.get(meetingId) ?? null);
		const { summary } = await roomChanged(meetingId);
		if (JSON.stringify(summary.restricted) === before) return;
		lastRestriction.set(meetingId, summary.restricted);
		await broadcastState({ ...(await fullMeetingState(ctx, meetingId)), room: summary });
	}

	/** Adds the room's decision to a state; `toRoom`: the state goes to the whole meeting. */
	async function withRoom(state: MeetingState, toRoom: boolean): Promise<MeetingState> {
		const { summary } = await roomChanged(state.meetingId);
		if (toRoom) lastRestriction.set(state.meetingId, summary.restricted);
		return { ...state, room: summary };
	}

	/**
	 * The new meeting state to everyone in the meeting, each socket its own copy through the
	 * policy (stateFor): the reasons an item about a case was closed with reach only those who
	 * may view that case. Never one emit to the whole room.
	 */
	async function broadcastState(state: MeetingState) {
		const sockets = await live.in(meetingRoom(state.meetingId)).fetchSockets();
		const perUser = new Map<number, Promise<MeetingState>>();
		for (const s of sockets) {
			let own = perUser.get(s.data.userId);
			if (!own) {
				own = stateFor(ctx, actorOf(s), state);
				perUser.set(s.data.userId, own);
			}
			s.emit('meeting:state', await own);
		}
	}

	/** Validates, runs, acks, and broadcasts the new state to everyone in the meeting. */
	function command<S extends z.ZodType<{ meetingId: number }>>(
		socket: LiveSocket,
		schema: S,
		run: (payload: z.output<S>) => Promise<Awaited<ReturnType<typeof meetingState>>>
	) {
		return guarded(socket, 'meeting command', async (payload: unknown, ack: unknown) => {
			if (typeof ack !== 'function') return;
			const parsed = schema.safeParse(payload);
			if (!parsed.success) return ack({ ok: false, code: 'INVALID_INPUT', message: 'Ongeldig verzoek.' });
			try {
				if (!(await personActed(socket, ack as (answer: Ack<never>) => void))) return;
				const state = await withRoom(await run(parsed.data), true);
				await broadcastState(state);
				ack({ ok: true, data: await stateFor(ctx, actorOf(socket), state) });
			} catch (error) {
				ack(failure(ctx, error));
			}
		});
	}

	/**
	 * Case content for the meeting room goes only to the sockets whose user may view the case:
	 * a deelnemer whose organisation has no access sits in the same room and sees the agenda,
	 * not who is regisseur or which parent came.
	 */
	async function emitToCaseViewers<E extends 'case:regie' | 'case:attendance'>(
		meetingId: number,
		caseId: number,
		event: E,
		payload: Parameters<ServerToClientEvents[E]>[0]
	) {
		const sockets = await live.in(meetingRoom(meetingId)).fetchSockets();
		const allowed = new Map<number, boolean>();
		// the shared screen gets nothing of a case it shows restricted
		const restricted = lastRestriction.get(meetingId)?.caseId === caseId;
		for (const s of sockets) {
			if (restricted && s.data.screenMeetings?.includes(meetingId)) continue;
			let ok = allowed.get(s.data.userId);
			if (ok === undefined) {
				const actor = { userId: s.data.userId, organisationId: s.data.organisationId, isAdmin: s.data.isAdmin };
				ok = await can(ctx.db, actor, 'case.view', { kind: 'case', caseId });
				allowed.set(s.data.userId, ok);
			}
			if (ok) (s.emit as (e: E, p: typeof payload) => void)(event, payload);
		}
	}

	/** Validates and runs a case-level command; the result goes to the case's viewers only. */
	function caseCommand<S extends z.ZodType<{ meetingId: number; caseId: number }>, R>(
		socket: LiveSocket,
		schema: S,
		run: (payload: z.output<S>) => Promise<R>,
		broadcast: (payload: z.output<S>, result: R) => Promise<void>
	) {
		return guarded(socket, 'case command', async (payload: unknown, ack: unknown) => {
			if (typeof ack !== 'function') return;
			const parsed = schema.safeParse(payload);
			if (!parsed.success) return ack({ ok: false, code: 'INVALID_INPUT', message: 'Ongeldig verzoek.' });
			try {
				if (!(await personActed(socket, ack as (answer: Ack<never>) => void))) return;
				const result = await run(parsed.data);
				await broadcast(parsed.data, result);
				ack({ ok: true, data: result });
			} catch (error) {
				ack(failure(ctx, error));
			}
		});
	}

	/**
	 * A change to the register (chair or secretaris only, through the policy in meetings/room.ts):
	 * the register goes back in the ack and to the meeting's chairs, the new state to everyone.
	 */
	function roomCommand<S extends z.ZodType<{ meetingId: number }>>(
		socket: LiveSocket,
		schema: S,
		run: (payload: z.output<S>) => Promise<void>
	) {
		return guarded(socket, 'room command', async (payload: unknown, ack: unknown) => {
			if (typeof ack !== 'function') return;
			const parsed = schema.safeParse(payload);
			if (!parsed.success) return ack({ ok: false, code: 'INVALID_INPUT', message: 'Ongeldig verzoek.' });
			try {
				if (!(await personActed(socket, ack as (answer: Ack<never>) => void))) return;
				await run(parsed.data);
				const { meetingId } = parsed.data;
				const { register, summary } = await roomChanged(meetingId);
				lastRestriction.set(meetingId, summary.restricted);
				await broadcastState({ ...(await fullMeetingState(ctx, meetingId)), room: summary });
				ack({ ok: true, data: register });
			} catch (error) {
				ack(failure(ctx, error));
			}
		});
	}

	live.on('connection', (socket: LiveSocket) => {
		void Promise.resolve(socket.join([`user:${socket.data.userId}`, `session:${socket.data.sessionId}`])).catch((err) =>
			ctx.log.error({ err, userId: socket.data.userId }, 'joining the personal rooms failed')
		);
		limitEvents(socket);
		const joined = new Set<number>();

		socket.on('meeting:join', guarded(socket, 'meeting:join', async (payload: unknown, ack: unknown) => {
			if (typeof ack !== 'function') return;
			const parsed = JoinMeeting.safeParse(payload);
			if (!parsed.success) return ack({ ok: false, code: 'INVALID_INPUT', message: 'Ongeldig verzoek.' });
			const { meetingId } = parsed.data;
			try {
				await meetingState(ctx, actorOf(socket), meetingId);
				const canRun = await mayRunMeeting(ctx, actorOf(socket), meetingId);
				if (parsed.data.screen) socket.data.screenMeetings = [...(socket.data.screenMeetings ?? []), meetingId];
				await socket.join(meetingRoom(meetingId));
				joined.add(meetingId);
				// the state after joining: the room now counts this socket
				const state = await withRoom(await meetingState(ctx, actorOf(socket), meetingId), false);
				ack({ ok: true, data: { state, presence: await presence(meetingId), canRun } });
			} catch (error) {
				return ack(failure(ctx, error));
			}
			presenceChanged(meetingId);
		}));

		socket.on('meeting:leave', guarded(socket, 'meeting:leave', async (payload: unknown, ack: unknown) => {
			if (typeof ack !== 'function') return;
			const parsed = MeetingRef.safeParse(payload);
			if (!parsed.success) return ack({ ok: false, code: 'INVALID_INPUT', message: 'Ongeldig verzoek.' });
			await socket.leave(meetingRoom(parsed.data.meetingId));
			joined.delete(parsed.data.meetingId);
			ack({ ok: true, data: null });
			presenceChanged(parsed.data.meetingId);
		}));

		socket.on('meeting:current', command(socket, SetCurrentItem, (p) => setCurrentItem(ctx, actorOf(socket), p.meetingId, p.itemId)));
		socket.on('meeting:timer', command(socket, TimerCommand, (p) => timerCommand(ctx, actorOf(socket), p.meetingId, p.action, p.minutes)));
		socket.on('meeting:open', command(socket, MeetingRef, (p) => openMeeting(ctx, actorOf(socket), p.meetingId)));
		socket.on('meeting:close', command(socket, MeetingRef, (p) => closeMeeting(ctx, actorOf(socket), p.meetingId)));
		socket.on('item:close', command(socket, CloseItem, (p) => closeItem(ctx, actorOf(socket), p)));
		// the agendas change in their documents, which every open page follows; only the ack is extra
		socket.on('item:carry', guarded(socket, 'item:carry', async (payload: unknown, ack: unknown) => {
			if (typeof ack !== 'function') return;
			const parsed = CarryItem.safeParse(payload);
			if (!parsed.success) return ack({ ok: false, code: 'INVALID_INPUT', message: 'Ongeldig verzoek.' });
			try {
				if (!(await personActed(socket, ack as (answer: Ack<never>) => void))) return;
				ack({ ok: true, data: await carryItem(ctx, actorOf(socket), parsed.data) });
			} catch (error) {
				ack(failure(ctx, error));
			}
		}));
		socket.on(
			'regie:set',
			caseCommand(
				socket,
				SetRegie,
				async (p) => {
					// the meeting must be one the actor takes part in; assignRegie checks the case
					await meetingState(ctx, actorOf(socket), p.meetingId);
					return assignRegie(ctx, actorOf(socket), { caseId: p.caseId, kind: p.kind, userId: p.userId, meetingId: p.meetingId, note: p.note ?? null });
				},
				(p, state) => emitToCaseViewers(p.meetingId, p.caseId, 'case:regie', { ...state, meetingId: p.meetingId })
			)
		);
		socket.on(
			'attendance:add',
			caseCommand(
				socket,
				AddAttendee,
				async (p) => ({ meetingId: p.meetingId, caseId: p.caseId, attendees: await addAttendee(ctx, actorOf(socket), p) }),
				(p, update) => emitToCaseViewers(p.meetingId, p.caseId, 'case:attendance', update)
			)
		);
		socket.on(
			'attendance:remove',
			caseCommand(
				socket,
				RemoveAttendee,
				async (p) => ({ meetingId: p.meetingId, caseId: p.caseId, attendees: await removeAttendee(ctx, actorOf(socket), p) }),
				(p, update) => emitToCaseViewers(p.meetingId, p.caseId, 'case:attendance', update)
			)
		);

		socket.on('room:register', guarded(socket, 'room:register', async (payload: unknown, ack: unknown) => {
			if (typeof ack !== 'function') return;
			const parsed = MeetingRef.safeParse(payload);
			if (!parsed.success) return ack({ ok: false, code: 'INVALID_INPUT', message: 'Ongeldig verzoek.' });
			try {
				await authorize(ctx.db, actorOf(socket), 'meeting.run', { kind: 'meeting', meetingId: parsed.data.meetingId });
				ack({ ok: true, data: (await roomChanged(parsed.data.meetingId)).register });
			} catch (error) {
				ack(failure(ctx, error));
			}
		}));
		socket.on('room:attendance', roomCommand(socket, MarkAttendance, (p) => markAttendance(ctx, actorOf(socket), p)));
		socket.on('room:item', roomCommand(socket, MarkItemPresence, (p) => markItemPresence(ctx, actorOf(socket), p)));

		socket.on('disconnect', () => {
			for (const meetingId of joined) presenceChanged(meetingId);
		});
	});

	roomRefreshers.set(io, async () => {
		const meetings = new Set<number>();
		for (const s of await live.fetchSockets()) {
			for (const room of s.rooms) {
				const m = /^meeting:(\d+)$/.exec(room);
				if (m) meetings.add(Number(m[1]));
			}
		}
		for (const meetingId of meetings) {
			await roomAfterPresence(meetingId).catch((err) => ctx.log.error({ err, meetingId }, 'deciding the room again failed'));
		}
	});

	// Every open socket's session is checked again periodically, without counting as activity,
	// by server/realtime.ts (together with the document connections).

	return io;
}
