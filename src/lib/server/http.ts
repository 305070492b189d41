import { error, fail, redirect, type Cookies, type RequestEvent } from '@sveltejs/kit';
import { AppError, httpStatus } from './errors';
import type { Actor } from './policy/index';
import { SESSION_COOKIE, type Session } from './auth/session';

/** Helpers that keep every route thin: authenticate, call a service, map the result. */

export { sessionPolicy } from './auth/session';

/** The logged-in actor, or a redirect to the login page that comes back here afterwards. */
export function requireActor(event: Pick<RequestEvent, 'locals' | 'url'>): Actor {
	const user = event.locals.user;
	if (!user) {
		const back = event.url.pathname + event.url.search;
		redirect(303, `/login?terug=${encodeURIComponent(back)}`);
	}
	return { userId: user.id, organisationId: user.organisationId, isAdmin: user.isAdmin };
}

export function requestMeta(event: Pick<RequestEvent, 'getClientAddress'>) {
	return { ip: clientAddress(event) };
}

export function clientAddress(event: Pick<RequestEvent, 'getClientAddress'>): string {
	try {
		return event.getClientAddress();
	} catch {
		return 'unknown';
	}
}

/** Maps an AppError to SvelteKit's error page; anything else is unexpected and rethrown. */
export function toHttpError(e: unknown): never {
	if (e instanceof AppError) error(httpStatus[e.code], { message: e.userMessage, code: e.code });
	throw e;
}

/** Runs a page load's service call with errors mapped once. */
export async function loadOrError<T>(fn: () => Promise<T>): Promise<T> {
	try {
		return await fn();
	} catch (e) {
		return toHttpError(e);
	}
}

/**
 * Maps an AppError to a form failure that keeps what was typed (`values`), names the bad
 * fields and carries the stable code. Never echo passwords back.
 */
export function toFormFailure(e: unknown, values: Record<string, unknown> = {}) {
	if (e instanceof AppError) {
		return fail(httpStatus[e.code], { code: e.code, message: e.userMessage, fields: e.fields, values });
	}
	throw e;
}

/** zod issues to Dutch field messages (the schemas carry Dutch messages). */
export function fieldErrors(issues: { path: PropertyKey[]; message: string }[]): Record<string, string> {
	const out: Record<string, string> = {};
	for (const issue of issues) {
		const key = String(issue.path[0] ?? 'form');
		out[key] ??= issue.message;
	}
	return out;
}

export function setSessionCookie(cookies: Cookies, token: string, session: Session, secure: boolean) {
	cookies.set(SESSION_COOKIE, token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure,
		expires: session.expiresAt
	});
}

export function clearSessionCookie(cookies: Cookies) {
	cookies.delete(SESSION_COOKIE, { path: '/' });
}
