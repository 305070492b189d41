import { error } from '@sveltejs/kit';
import { parseFeedToken, renderFeed } from '$lib/server/calendar/index';
import type { RequestHandler } from './$types';

function publicOrigin(configured: string | undefined): string | null {
	if (!configured) return null;
	try {
		return new URL(configured).origin;
	} catch {
		return null;
	}
}

/**
 * A personal calendar feed: /kalender/<secret>.ics. No session: calendar apps fetch it on
 * their own, and the secret in the URL is the credential. An unknown, malformed or revoked
 * secret gets the same 404 as any page that does not exist.
 */
export const GET: RequestHandler = async (event) => {
	const token = parseFeedToken(event.params.token);
	// links point at the configured public address when there is one, not at the Host header
	const origin = publicOrigin(event.locals.ctx.config.publicUrl) ?? event.url.origin;
	const body = token ? await renderFeed(event.locals.ctx, token, origin) : null;
	if (body === null) error(404, { message: 'Deze pagina bestaat niet of u hebt er geen toegang toe.', code: 'NOT_FOUND' });
	return new Response(body, {
		headers: {
			'content-type': 'text/calendar; charset=utf-8',
			'content-disposition': 'inline; filename="casustafel.ics"',
			// personal: never in a shared cache
			'cache-control': 'private, no-store'
		}
	});
};
