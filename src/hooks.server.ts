import type { Handle, HandleServerError } from '@sveltejs/kit';
import { getContext } from '$lib/server/context';
import { SESSION_COOKIE, validateSessionToken } from '$lib/server/auth/session';
import { sessionPolicy } from '$lib/server/http';
import { secondFactorPending, stepUrl } from '$lib/server/auth/second-factor';
import { applySecurityHeaders } from '$lib/server/security-headers';
import { BAD_REQUEST_MESSAGE, BODY_TOO_LARGE_MESSAGE, unreadableBody } from '$lib/server/request-body';

export const handle: Handle = async ({ event, resolve }) => {
	const ctx = await getContext();
	event.locals.ctx = ctx;
	event.locals.user = null;
	event.locals.session = null;

	// A form body that cannot be read is the sender's fault: 400 with a code, before any route
	// (and before a session is looked up), not a 500 from deep inside an action.
	const refused = await unreadableBody(event.request, event.url);
	if (refused) {
		applySecurityHeaders(refused.headers);
		return refused;
	}

	const token = event.cookies.get(SESSION_COOKIE);
	if (token) {
		const { session, user } = await validateSessionToken(ctx.db, token, ctx.now(), sessionPolicy(ctx), { touch: true });
		if (session) {
			event.locals.session = session;
			event.locals.user = user;
			// TOTP on but this session has not passed it: only the step itself and logout are open
			const path = event.url.pathname;
			if (path !== '/login/tweede-factor' && path !== '/logout' && (await secondFactorPending(ctx.db, session.id))) {
				return new Response(null, { status: 303, headers: { location: stepUrl(path + event.url.search), 'cache-control': 'no-store' } });
			}
		} else {
			event.cookies.delete(SESSION_COOKIE, { path: '/' });
		}
	}

	const response = await resolve(event);
	// Case files must not linger in shared or browser caches.
	if (!event.url.pathname.startsWith('/_app/') && !response.headers.has('cache-control')) {
		response.headers.set('cache-control', 'no-store');
	}
	applySecurityHeaders(response.headers);
	// CSP 'self' covers same-origin websockets in current browsers but not in all (older
	// Safari): name our own ws(s) origin explicitly, and nothing else.
	const csp = response.headers.get('content-security-policy');
	if (csp?.includes('connect-src')) {
		const ws = `${event.url.protocol === 'https:' ? 'wss' : 'ws'}://${event.url.host}`;
		response.headers.set('content-security-policy', csp.replace(/connect-src ([^;]*)/, (_m, list: string) => `connect-src ${list} ${ws}`));
	}
	return response;
};

/**
 * Unexpected errors are logged with an id and never shown; the person gets the id to report.
 * Only a fault of the server (5xx) is logged at error level; what SvelteKit itself refuses
 * because of the request (a URL that does not decode, a body too large or of the wrong type:
 * 4xx) is the client's doing and logged at info level, so a flood of bad requests does not
 * page anyone.
 */
export const handleError: HandleServerError = async ({ error, event, status }) => {
	const id = crypto.randomUUID();
	if (status !== 404) {
		const ctx = await getContext();
		const message = error instanceof Error ? error.message : String(error);
		if (status >= 500) ctx.log.error({ err: error, id, path: event.route.id }, 'unexpected error');
		else ctx.log.info({ status, id, path: event.route.id, reason: message.slice(0, 200) }, 'request refused');
	}
	return { ...publicError(status, id), id };
};

/** What a person (message) and a program (code) are told for an error status. */
function publicError(status: number, id: string): { message: string; code: string } {
	if (status === 404) return { message: 'Deze pagina bestaat niet of u hebt er geen toegang toe.', code: 'NOT_FOUND' };
	if (status === 413) return { message: BODY_TOO_LARGE_MESSAGE, code: 'PAYLOAD_TOO_LARGE' };
	if (status >= 400 && status < 500) return { message: BAD_REQUEST_MESSAGE, code: 'BAD_REQUEST' };
	return {
		message: 'Er ging iets mis aan onze kant. Probeer het opnieuw; blijft het misgaan, geef dan deze code door: ' + id,
		code: 'INTERNAL'
	};
}
