import type { RequestEvent } from '@sveltejs/kit';
import { loadOrError, requestMeta, requireActor } from '../http';
import { parseId } from '../ids';
import { parseFilters } from './service';
import { exportActions, type ExportFormat } from './export';

/**
 * An actions download: Mijn acties with the page's filters from the query string, or the open
 * actions of the table in the route. A file to save, never cached; not a member of the table:
 * the same 404 as every other page.
 */
export async function actionsExportResponse(event: RequestEvent, scope: 'mijn' | 'tafel', format: ExportFormat): Promise<Response> {
	const actor = requireActor(event);
	const target = scope === 'mijn' ? { kind: 'mijn' as const, filters: parseFilters(event.url.searchParams) } : { kind: 'tafel' as const, tableId: parseId(event.params.id ?? '') };
	const file = await loadOrError(() => exportActions(event.locals.ctx, actor, target, format, requestMeta(event)));
	return new Response(new Uint8Array(file.body), {
		headers: {
			'content-type': file.contentType,
			'content-length': String(file.body.length),
			'content-disposition': `attachment; filename="${file.filename}"`,
			'cache-control': 'no-store'
		}
	});
}
