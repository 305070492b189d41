import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '$lib/shared/live';
import { followSession } from './session-end';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type LiveNotice = Parameters<ServerToClientEvents['notice']>[0];

/**
 * The user's own live channel on `/live` (their `user:<id>` room, joined at the handshake):
 * new notifications and "your actions changed". One per page that needs it; close on destroy.
 */
export class PersonalLive {
	connected = $state(false);
	/** notifications that arrived since the page loaded, newest first */
	notices = $state<LiveNotice[]>([]);
	private socket: LiveSocket;
	private following: { stop(): void };

	constructor(handlers: { onActies?: (caseId: number) => void; onNotice?: (notice: LiveNotice) => void } = {}) {
		this.socket = io('/live', { transports: ['websocket'], reconnectionDelayMax: 3000 });
		this.socket.on('connect', () => (this.connected = true));
		this.socket.on('disconnect', () => (this.connected = false));
		// an ended session (idle, expired, ended elsewhere) sends the page to the login
		this.following = followSession(this.socket);
		this.socket.on('notice', (notice) => {
			this.notices = [notice, ...this.notices];
			handlers.onNotice?.(notice);
		});
		this.socket.on('acties:changed', ({ caseId }) => handlers.onActies?.(caseId));
	}

	destroy() {
		this.following.stop();
		this.socket.disconnect();
	}
}
