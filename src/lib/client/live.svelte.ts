import { io, type Socket } from 'socket.io-client';
import type { Attendee, OfferedAttendeeKind, RegieKind, RegieState } from '$lib/shared/tables';
// types only: a value from $lib/shared/live would bring its zod schemas into the page
import type { Ack, CarryResult, ClientToServerEvents, MeetingState, PresenceEntry, ServerToClientEvents } from '$lib/shared/live';
import type { AttendanceStatus, ItemPresence, RoomRegister } from '$lib/shared/room';
import { timerElapsed } from '$lib/shared/timer';
import { followSession, sessionEnded } from './session-end';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The meeting's live control in the browser: state and presence pushed by the server over
 * socket.io (`/live`), commands for the chair, and the clock offset to the server so the timer
 * reads the same on every screen. Rejoins by itself after a reconnect (e.g. a server restart).
 */
export class MeetingLive {
	state = $state<MeetingState | null>(null);
	presence = $state<PresenceEntry[]>([]);
	canRun = $state(false);
	connected = $state(false);
	error = $state<string | null>(null);
	/** per case id: regie pushed by the server (only for cases this user may view) */
	regie = $state<Record<number, RegieState>>({});
	/** per case id: the client's side present at this meeting */
	attendees = $state<Record<number, Attendee[]>>({});
	/** the room's register, pushed to the chair and secretaris only */
	register = $state<RoomRegister | null>(null);
	/** serverTime - clientTime, in ms */
	private offset = 0;
	private socket: LiveSocket;
	private following: { stop(): void };

	/** `screen`: this is the shared screen, which gets nothing of a case it shows restricted */
	constructor(
		readonly meetingId: number,
		private readonly options: { screen?: boolean } = {}
	) {
		this.socket = io('/live', { transports: ['websocket'], reconnectionDelayMax: 3000 });
		this.socket.on('connect', () => {
			this.connected = true;
			this.join();
		});
		this.socket.on('disconnect', () => (this.connected = false));
		// an ended session sends the page to the login instead of leaving stale controls
		this.following = followSession(this.socket);
		this.socket.on('meeting:state', (state) => {
			if (state.meetingId === this.meetingId) this.apply(state);
		});
		this.socket.on('meeting:presence', ({ meetingId, presence }) => {
			if (meetingId === this.meetingId) this.presence = presence;
		});
		this.socket.on('case:regie', ({ meetingId, ...state }) => {
			if (meetingId === this.meetingId) this.regie[state.caseId] = state;
		});
		this.socket.on('case:attendance', ({ meetingId, caseId, attendees }) => {
			if (meetingId === this.meetingId) this.attendees[caseId] = attendees;
		});
		this.socket.on('room:register', (register) => {
			if (register.meetingId === this.meetingId) this.register = register;
		});
	}

	/** Starts from what the page load knew; pushes from the server replace it. */
	seed(cases: { id: number; regie: RegieState; attendees: Attendee[] }[]) {
		for (const c of cases) {
			this.regie[c.id] ??= c.regie;
			this.attendees[c.id] ??= c.attendees;
		}
	}

	private apply(state: MeetingState) {
		this.offset = new Date(state.serverNow).getTime() - Date.now();
		this.state = state;
	}

	private join() {
		this.socket.emit('meeting:join', { meetingId: this.meetingId, ...(this.options.screen ? { screen: true } : {}) }, (result) => {
			if (!result.ok) {
				this.error = result.message;
				return;
			}
			this.error = null;
			this.canRun = result.data.canRun;
			this.presence = result.data.presence;
			this.apply(result.data.state);
		});
	}

	/** Elapsed ms of the current item's timer, on the server's clock. */
	elapsed(clientNow = Date.now()): number {
		return this.state ? timerElapsed(this.state.timer, clientNow + this.offset) : 0;
	}

	private command(result: Ack<MeetingState>) {
		if (!result.ok && result.code === 'UNAUTHENTICATED') return sessionEnded();
		if (result.ok) {
			this.error = null;
			this.apply(result.data);
		} else {
			this.error = result.message;
		}
	}

	/** Resolves once the server answered and its state is applied, so a next step starts from it. */
	setCurrent(itemId: string): Promise<Ack<MeetingState>> {
		return new Promise((resolve) => {
			this.socket.emit('meeting:current', { meetingId: this.meetingId, itemId }, (r) => {
				this.command(r);
				resolve(r);
			});
		});
	}
	timer(action: 'start' | 'pause' | 'reset' | 'extend', minutes?: number) {
		this.socket.emit('meeting:timer', { meetingId: this.meetingId, action, minutes }, (r) => this.command(r));
	}
	open() {
		this.socket.emit('meeting:open', { meetingId: this.meetingId }, (r) => this.command(r));
	}
	close() {
		this.socket.emit('meeting:close', { meetingId: this.meetingId }, (r) => this.command(r));
	}

	/** Rounds off an agenda item; resolves with the field messages when the server refuses. */
	closeItem(itemId: string, reasons: { templateReason?: string; regieReason?: string } = {}): Promise<Ack<MeetingState>> {
		return new Promise((resolve) => {
			this.socket.emit('item:close', { meetingId: this.meetingId, itemId, ...reasons }, (r) => {
				if (r.ok) this.command(r);
				resolve(r);
			});
		});
	}

	/** Carries an agenda item to the table's next planned meeting (the server finds it). */
	carryItem(itemId: string): Promise<Ack<CarryResult>> {
		return new Promise((resolve) => {
			this.socket.emit('item:carry', { meetingId: this.meetingId, itemId }, (r) => {
				if (!r.ok && r.code === 'UNAUTHENTICATED') sessionEnded();
				resolve(r);
			});
		});
	}

	setRegie(caseId: number, kind: RegieKind, userId: number | null): Promise<Ack<RegieState>> {
		return new Promise((resolve) => {
			this.socket.emit('regie:set', { meetingId: this.meetingId, caseId, kind, userId }, (r) => {
				if (r.ok) this.regie[caseId] = r.data;
				this.error = r.ok ? null : r.message;
				resolve(r);
			});
		});
	}

	addAttendee(caseId: number, kind: OfferedAttendeeKind, name: string, age: number | null) {
		return new Promise<Ack<unknown>>((resolve) => {
			this.socket.emit('attendance:add', { meetingId: this.meetingId, caseId, kind, name, age }, (r) => {
				if (r.ok) this.attendees[caseId] = r.data.attendees;
				resolve(r);
			});
		});
	}

	removeAttendee(caseId: number, attendeeId: number) {
		this.socket.emit('attendance:remove', { meetingId: this.meetingId, caseId, attendeeId }, (r) => {
			if (r.ok) this.attendees[caseId] = r.data.attendees;
			else this.error = r.message;
		});
	}

	/** The register: the chair and secretaris get it (and its updates); others get an error. */
	loadRegister() {
		this.socket.emit('room:register', { meetingId: this.meetingId }, (r) => {
			if (r.ok) this.register = r.data;
		});
	}

	private registerCommand(r: Ack<RoomRegister>): Ack<RoomRegister> {
		if (!r.ok && r.code === 'UNAUTHENTICATED') sessionEnded();
		else if (r.ok) this.register = r.data;
		return r;
	}

	markAttendance(userId: number, status: AttendanceStatus | null, reason?: string): Promise<Ack<RoomRegister>> {
		return new Promise((resolve) => {
			this.socket.emit('room:attendance', { meetingId: this.meetingId, userId, status, reason }, (r) => resolve(this.registerCommand(r)));
		});
	}

	markItem(itemId: string, userId: number, presence: ItemPresence | null): Promise<Ack<RoomRegister>> {
		return new Promise((resolve) => {
			this.socket.emit('room:item', { meetingId: this.meetingId, itemId, userId, presence }, (r) => resolve(this.registerCommand(r)));
		});
	}

	destroy() {
		this.following.stop();
		this.socket.disconnect();
	}
}
