import { z } from 'zod';

/** socket.io events on the `/live` namespace, declared once for browser and server. */

export type Ack<T> = { ok: true; data: T } | { ok: false; code: LiveErrorCode; message: string };
export type LiveErrorCode = 'INVALID_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'RATE_LIMITED' | 'INTERNAL';

export type MeetingStatus = 'gepland' | 'geopend' | 'gesloten';

export interface TimerState {
	itemId: string | null;
	running: boolean;
	/** when the running stretch started (server clock, ISO) */
	startedAt: string | null;
	/** time counted before `startedAt` */
	elapsedMs: number;
	/** minutes added by the chair beyond the planned time, in ms */
	extraMs: number;
}

export interface MeetingState {
	meetingId: number;
	status: MeetingStatus;
	currentItemId: string | null;
	timer: TimerState;
	/** the server's clock when this state was sent, so clients can correct their own */
	serverNow: string;
}

export interface PresenceEntry {
	userId: number;
	name: string;
	organisationName: string;
	role: string | null;
}

export interface JoinResult {
	state: MeetingState;
	presence: PresenceEntry[];
	canRun: boolean;
}

export const MeetingRef = z.object({ meetingId: z.number().int().positive() });
export const SetCurrentItem = MeetingRef.extend({ itemId: z.string().min(1).max(64) });
export const TimerCommand = MeetingRef.extend({
	action: z.enum(['start', 'pause', 'reset', 'extend']),
	minutes: z.number().int().min(1).max(60).optional()
});

export interface ClientToServerEvents {
	'meeting:join': (payload: z.input<typeof MeetingRef>, ack: (result: Ack<JoinResult>) => void) => void;
	'meeting:leave': (payload: z.input<typeof MeetingRef>, ack: (result: Ack<null>) => void) => void;
	'meeting:current': (payload: z.input<typeof SetCurrentItem>, ack: (result: Ack<MeetingState>) => void) => void;
	'meeting:timer': (payload: z.input<typeof TimerCommand>, ack: (result: Ack<MeetingState>) => void) => void;
	'meeting:open': (payload: z.input<typeof MeetingRef>, ack: (result: Ack<MeetingState>) => void) => void;
	'meeting:close': (payload: z.input<typeof MeetingRef>, ack: (result: Ack<MeetingState>) => void) => void;
}

export interface ServerToClientEvents {
	'meeting:state': (state: MeetingState) => void;
	'meeting:presence': (payload: { meetingId: number; presence: PresenceEntry[] }) => void;
}

export interface SocketData {
	userId: number;
	sessionId: string;
	organisationId: number;
	isAdmin: boolean;
	name: string;
	organisationName: string;
}

/** Milliseconds the timer shows for an item at `now`. */
export function timerElapsed(timer: TimerState, now: number): number {
	if (!timer.running || !timer.startedAt) return timer.elapsedMs;
	return timer.elapsedMs + Math.max(0, now - new Date(timer.startedAt).getTime());
}
