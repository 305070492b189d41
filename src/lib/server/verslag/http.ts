import type { RequestEvent } from '@sveltejs/kit';
import { loadOrError, requestMeta, requireActor } from '../http';
import { parseId } from '../ids';
import { exportVerslag } from './export';

/**
 * A verslag download: a file to save (attachment), never cached, named after the table and
 * the day. Not a member, or no such meeting: the same 404 as every other page.
 */
export async function verslagResponse(event: RequestEvent<{ id: string }>, format: 'pdf' | 'docx'): Promise<Response> {
	const actor = requireActor(event);
	const meetingId = parseId(event.params.id);
	const file = await loadOrError(() => exportVerslag(event.locals.ctx, actor, meetingId, format, requestMeta(event)));
	return new Response(new Uint8Array(file.body), {
		headers: {
			'content-type': file.contentType,
			'content-length': String(file.body.length),
			'content-disposition': `attachment; filename="${file.filename}"`,
			'cache-control': 'no-store'
		}
	});
}
