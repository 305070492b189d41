import { io, type Socket } from 'socket.io-client';
import {
	timerElapsed,
	type Ack,
	type ClientToServerEvents,
	type MeetingState,
	type PresenceEntry,
	type ServerToClientEvents
} from '$lib/shared/live';

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
	/** serverTime - clientTime, in ms */
	private offset = 0;
	private socket: LiveSocket;

	constructor(readonly meetingId: number) {
		this.socket = io('/live', { transports: ['websocket'], reconnectionDelayMax: 3000 });
		this.socket.on('connect', () => {
			this.connected = true;
			this.join();
		});
		this.socket.on('disconnect', () => (this.connected = false));
		this.socket.on('meeting:state', (state) => {
			if (state.meetingId === this.meetingId) this.apply(state);
		});
		this.socket.on('meeting:presence', ({ meetingId, presence }) => {
			if (meetingId === this.meetingId) this.presence = presence;
		});
	}

	private apply(state: MeetingState) {
		this.offset = new Date(state.serverNow).getTime() - Date.now();
		this.state = state;
	}

	private join() {
		this.socket.emit('meeting:join', { meetingId: this.meetingId }, (result) => {
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
		if (result.ok) {
			this.error = null;
			this.apply(result.data);
		} else {
			this.error = result.message;
		}
	}

	setCurrent(itemId: string) {
		this.socket.emit('meeting:current', { meetingId: this.meetingId, itemId }, (r) => this.command(r));
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

	destroy() {
		this.socket.disconnect();
	}
}
