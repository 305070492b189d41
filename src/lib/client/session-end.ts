import type { Socket } from 'socket.io-client';

let leaving = false;
let watchingUnload = false;
/** when the page last started to leave (a logout form, a full page load, a download link) */
let unloadingAt = 0;

/**
 * The session has ended (idle, expired, ended elsewhere, blocked): the page must not keep
 * showing controls that no longer work. It goes to the login page, which says that the person
 * was logged out, with the way back to this page.
 */
export function sessionEnded(): void {
	if (leaving) return;
	// a navigation under way (logging out) goes first; if the page is still here after it, go
	if (Date.now() - unloadingAt < 2_000) {
		setTimeout(sessionEnded, 2_000);
		return;
	}
	leaving = true;
	const back = location.pathname + location.search;
	location.assign(`/login?verlopen&terug=${encodeURIComponent(back)}`);
}

/**
 * Follows the session through a `/live` socket. The server disconnects a socket when its
 * session ends or access changes; the socket then tries once to connect again. A handshake
 * refused with UNAUTHENTICATED means the session is over (a reconnect never counts as
 * activity, so this cannot keep a session alive).
 */
export function followSession(socket: Socket<any, any>): { stop(): void } {
	if (!watchingUnload) {
		watchingUnload = true;
		addEventListener('beforeunload', () => (unloadingAt = Date.now()));
	}
	let stopped = false;
	socket.on('disconnect', (reason: string) => {
		if (reason === 'io server disconnect') setTimeout(() => !stopped && socket.connect(), 200);
	});
	socket.on('connect_error', (error: Error) => {
		if (!stopped && error.message === 'UNAUTHENTICATED') sessionEnded();
	});
	// the page's component is gone: no reconnect, no redirect on its behalf
	return { stop: () => (stopped = true) };
}
