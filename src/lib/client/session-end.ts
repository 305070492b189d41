import type { Socket } from 'socket.io-client';

let leaving = false;

/**
 * The session has ended (idle, expired, ended elsewhere, blocked): the page must not keep
 * showing controls that no longer work. It goes to the login page, which says that the person
 * was logged out, with the way back to this page.
 */
export function sessionEnded(): void {
	if (leaving) return;
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
export function followSession(socket: Socket<any, any>): void {
	socket.on('disconnect', (reason: string) => {
		if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 200);
	});
	socket.on('connect_error', (error: Error) => {
		if (error.message === 'UNAUTHENTICATED') sessionEnded();
	});
}
