import { csvFileName, figureList, figuresCsv, tableFigures } from '$lib/server/monitoring/index';
import { loadOrError, requireActor } from '$lib/server/http';
import { parseId } from '$lib/server/ids';
import type { RequestHandler } from './$types';

/**
 * The monitoring page's figures as CSV for Excel: one row per figure (onderdeel;omschrijving;
 * waarde), the same list the page shows. Same access as the page: the table's chair.
 */
export const GET: RequestHandler = async (event) => {
	const actor = requireActor(event);
	const tableId = parseId(event.params.id);
	const figures = await loadOrError(() => tableFigures(event.locals.ctx, actor, tableId));
	return new Response(figuresCsv(figureList(figures)), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="${csvFileName(figures)}"`
		}
	});
};
