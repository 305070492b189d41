/**
 * Form bodies that cannot be read (issue 12 item 7). SvelteKit hands a form action any body
 * with a form content type; `request.formData()` in the action then throws on a malformed
 * multipart body, a multipart type without a boundary, `text/plain` or SvelteKit's binary form
 * type, and the person got a 500 and an error-level log line. The hook reads a copy of such a
 * body once before any route runs and answers 400 (413 when it is too large) with a stable
 * code and a Dutch message, in the form the sender expects: an ActionResult for `use:enhance`,
 * a short page for a browser. URL-encoded bodies never fail to parse (bad escapes are kept
 * as they are), so they pass.
 */

import { httpStatus, type ErrorCode } from './errors';

export const BAD_REQUEST_MESSAGE = 'Dit verzoek kon niet worden gelezen. Laad de pagina opnieuw en probeer het nog eens.';
export const BODY_TOO_LARGE_MESSAGE = 'Wat u verstuurt is te groot. Maak het korter en probeer het opnieuw.';

/** The content types SvelteKit accepts for a form action (see is_form_content_type). */
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain', 'application/x-sveltekit-formdata'];

function contentType(request: Request): string {
	return (request.headers.get('content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

function hasStatus(e: unknown, status: number): boolean {
	for (let cur: unknown = e, depth = 0; cur && depth < 4; depth++) {
		if (typeof cur === 'object' && 'status' in cur && (cur as { status: unknown }).status === status) return true;
		cur = typeof cur === 'object' && 'cause' in cur ? (cur as { cause: unknown }).cause : null;
	}
	return false;
}

/** The answer for a body that cannot be read, or null when the request may go on. */
export async function unreadableBody(request: Request, url: URL): Promise<Response | null> {
	if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return null;
	// "?/default" names the default action explicitly, which SvelteKit refuses with a 500
	for (const [key] of url.searchParams) {
		if (key === '/default') return refusal(request, 'NOT_FOUND', 'Deze pagina bestaat niet of u hebt er geen toegang toe.');
	}
	if (!request.body || !FORM_TYPES.includes(contentType(request))) return null;
	try {
		await request.clone().formData();
		return null;
	} catch (e) {
		if (hasStatus(e, 413)) return refusal(request, 'PAYLOAD_TOO_LARGE', BODY_TOO_LARGE_MESSAGE);
		return refusal(request, 'MALFORMED_BODY', BAD_REQUEST_MESSAGE);
	}
}

function escapeHtml(s: string): string {
	return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function refusal(request: Request, code: ErrorCode, message: string): Response {
	const status = httpStatus[code];
	const wantsJson =
		request.headers.get('x-sveltekit-action') === 'true' || (request.headers.get('accept') ?? '').includes('application/json');
	if (wantsJson) {
		// the shape of SvelteKit's ActionResult for an error, which use:enhance shows as such
		return new Response(JSON.stringify({ type: 'error', status, error: { message, code } }), {
			status,
			headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }
		});
	}
	const html = `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Niet gelukt · Casustafel</title></head><body><h1 data-code="${code}">Niet gelukt</h1><p>${escapeHtml(message)}</p><p><a href="/">Terug naar de startpagina</a></p></body></html>`;
	return new Response(html, {
		status,
		headers: {
			'content-type': 'text/html; charset=utf-8',
			'cache-control': 'no-store',
			'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
		}
	});
}
