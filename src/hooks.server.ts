import type { Handle, HandleServerError } from '@sveltejs/kit';
import { getContext } from '$lib/server/context';
import { SESSION_COOKIE, validateSessionToken } from '$lib/server/auth/session';
import { sessionPolicy } from '$lib/server/http';
import { secondFactorPending, stepUrl } from '$lib/server/auth/second-factor';

export const handle: Handle = async ({ event, resolve }) => {
	const ctx = await getContext();
	event.locals.ctx = ctx;
	event.locals.user = null;
	event.locals.session = null;

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
	response.headers.set('x-content-type-options', 'nosniff');
	response.headers.set('referrer-policy', 'same-origin');
	response.headers.set('x-frame-options', 'DENY');
	response.headers.set('permissions-policy', 'camera=(), microphone=(), geolocation=()');
	// CSP 'self' covers same-origin websockets in current browsers but not in all (older
	// Safari): name our own ws(s) origin explicitly, and nothing else.
	const csp = response.headers.get('content-security-policy');
	if (csp?.includes('connect-src')) {
		const ws = `${event.url.protocol === 'https:' ? 'wss' : 'ws'}://${event.url.host}`;
		response.headers.set('content-security-policy', csp.replace(/connect-src ([^;]*)/, (_m, list: string) => `connect-src ${list} ${ws}`));
	}
	return response;
};

/** Unexpected errors are logged with an id and never shown; the person gets the id to report. */
export const handleError: HandleServerError = async ({ error, event, status }) => {
	const id = crypto.randomUUID();
	if (status !== 404) {
		const ctx = await getContext();
		ctx.log.error({ err: error, id, path: event.route.id }, 'unexpected error');
	}
	return {
		message:
			status === 404
				? 'Deze pagina bestaat niet of u heeft er geen toegang toe.'
				: 'Er ging iets mis aan onze kant. Probeer het opnieuw; blijft het misgaan, geef dan deze code door: ' + id,
		code: status === 404 ? 'NOT_FOUND' : 'INTERNAL',
		id
	};
};
