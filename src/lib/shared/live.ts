import { z } from 'zod';
import { OFFERED_ATTENDEE_KINDS, REGIE_KINDS, type Attendee, type ItemClosure, type RegieState } from './tables';
import { ATTENDANCE_STATUSES, ITEM_PRESENCES, type RoomRegister, type RoomSummary } from './room';

/** socket.io events on the `/live` namespace, declared once for browser and server. */

export type Ack<T> =
	| { ok: true; data: T }
	| { ok: false; code: LiveErrorCode; message: string; fields?: Record<string, string> };
export type LiveErrorCode = 'INVALID_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'RATE_LIMITED' | 'UNAUTHENTICATED' | 'INTERNAL';

export type MeetingStatus = 'gepland' | 'geopend' | 'gesloten' | 'afgezegd';

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
	/** agenda items the server closed (afgerond), with recorded reasons */
	closedItems: ItemClosure[];
	timer: TimerState;
	/** the server's clock when this state was sent, so clients can correct their own */
	serverNow: string;
	/**
	 * The room's decision for the current item (shared screen restricted or not), added by the
	 * live server to every state it sends (meetings/room.ts).
	 */
	room?: RoomSummary;
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
/** Joining a meeting; the shared screen says it is one, so it gets nothing of a case it shows restricted. */
export const JoinMeeting = MeetingRef.extend({ screen: z.boolean().optional() });
export const SetCurrentItem = MeetingRef.extend({ itemId: z.string().min(1).max(64) });
/** Carrying an agenda item to the table's next planned meeting ("doorschuiven"). */
export const CarryItem = MeetingRef.extend({ itemId: z.string().min(1).max(64) });
export interface CarryResult {
	itemId: string;
	toMeetingId: number;
	/** when the meeting it went to starts (ISO) */
	toStartsAt: string;
	/** false when the next agenda had it already (the case, or this carry) */
	added: boolean;
}
export const TimerCommand = MeetingRef.extend({
	action: z.enum(['start', 'pause', 'reset', 'extend']),
	minutes: z.number().int().min(1).max(60).optional()
});

const Reason = z.string().trim().max(1000).optional();
export const CloseItem = MeetingRef.extend({
	itemId: z.string().min(1).max(64),
	/** why the item closes although its template is not met */
	templateReason: Reason,
	/** why the item closes without a casusregisseur */
	regieReason: Reason
});
export const SetRegie = MeetingRef.extend({
	caseId: z.number().int().positive(),
	kind: z.enum(REGIE_KINDS),
	userId: z.number().int().positive().nullable(),
	note: z.string().trim().max(500).optional()
});
export const AddAttendee = MeetingRef.extend({
	caseId: z.number().int().positive(),
	kind: z.enum(OFFERED_ATTENDEE_KINDS, { error: 'Kies wie er aan tafel zit uit de lijst.' }),
	name: z.string().trim().min(1).max(120),
	age: z.number().int().min(0).max(120).nullable()
});
export const RemoveAttendee = MeetingRef.extend({
	caseId: z.number().int().positive(),
	attendeeId: z.number().int().positive()
});

/** The register of the room (issue 13): per member for the meeting, and per agenda item. */
export const MarkAttendance = MeetingRef.extend({
	userId: z.number().int().positive(),
	/** null clears the mark */
	status: z.enum(ATTENDANCE_STATUSES).nullable(),
	reason: z.string().trim().max(300).optional()
});
export const MarkItemPresence = MeetingRef.extend({
	itemId: z.string().min(1).max(64),
	userId: z.number().int().positive(),
	/** 'in': joins the room for this item; 'uit': leaves it; null clears the mark */
	presence: z.enum(ITEM_PRESENCES).nullable()
});

export interface AttendanceUpdate {
	meetingId: number;
	caseId: number;
	attendees: Attendee[];
}

export interface ClientToServerEvents {
	'meeting:join': (payload: z.input<typeof JoinMeeting>, ack: (result: Ack<JoinResult>) => void) => void;
	'meeting:leave': (payload: z.input<typeof MeetingRef>, ack: (result: Ack<null>) => void) => void;
	'meeting:current': (payload: z.input<typeof SetCurrentItem>, ack: (result: Ack<MeetingState>) => void) => void;
	'meeting:timer': (payload: z.input<typeof TimerCommand>, ack: (result: Ack<MeetingState>) => void) => void;
	'meeting:open': (payload: z.input<typeof MeetingRef>, ack: (result: Ack<MeetingState>) => void) => void;
	'meeting:close': (payload: z.input<typeof MeetingRef>, ack: (result: Ack<MeetingState>) => void) => void;
	'item:close': (payload: z.input<typeof CloseItem>, ack: (result: Ack<MeetingState>) => void) => void;
	'item:carry': (payload: z.input<typeof CarryItem>, ack: (result: Ack<CarryResult>) => void) => void;
	'regie:set': (payload: z.input<typeof SetRegie>, ack: (result: Ack<RegieState>) => void) => void;
	'attendance:add': (payload: z.input<typeof AddAttendee>, ack: (result: Ack<AttendanceUpdate>) => void) => void;
	'attendance:remove': (payload: z.input<typeof RemoveAttendee>, ack: (result: Ack<AttendanceUpdate>) => void) => void;
	/** the register, for the chair and secretaris */
	'room:register': (payload: z.input<typeof MeetingRef>, ack: (result: Ack<RoomRegister>) => void) => void;
	'room:attendance': (payload: z.input<typeof MarkAttendance>, ack: (result: Ack<RoomRegister>) => void) => void;
	'room:item': (payload: z.input<typeof MarkItemPresence>, ack: (result: Ack<RoomRegister>) => void) => void;
}

export interface ServerToClientEvents {
	'meeting:state': (state: MeetingState) => void;
	'meeting:presence': (payload: { meetingId: number; presence: PresenceEntry[] }) => void;
	/** sent only to sockets whose user may view the case */
	'case:regie': (payload: RegieState & { meetingId: number }) => void;
	/** sent only to sockets whose user may view the case */
	'case:attendance': (payload: AttendanceUpdate) => void;
	/** sent only to sockets whose user may run the meeting: the register changed */
	'room:register': (payload: RoomRegister) => void;
	/** to a user: a new notification (no names, no case content) */
	notice: (payload: { id: number; kind: string; text: string; link: string; createdAt: string; readAt: string | null }) => void;
	/** to a user: actions they hold or follow changed; lists reload */
	'acties:changed': (payload: { caseId: number }) => void;
}

export interface SocketData {
	userId: number;
	sessionId: string;
	organisationId: number;
	isAdmin: boolean;
	name: string;
	organisationName: string;
	/** meetings this socket joined as the shared screen */
	screenMeetings?: number[];
}

export { timerElapsed } from './timer';
