import { auditDecisionsView, tableDecisions } from '$lib/server/decisions/index';
import { AppError } from '$lib/server/errors';
import { loadOrError, requestMeta, requireActor } from '$lib/server/http';
import { parseId } from '$lib/server/ids';
import { parseSearchText, SEARCH_MAX } from '$lib/server/search/text';
import type { PageServerLoad } from './$types';

/** The decisions of the table across its meetings, within need to know, filtered by `q`; audited. */
export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const tableId = parseId(event.params.id);
	const ctx = event.locals.ctx;
	const typed = event.url.searchParams.get('q') ?? '';
	let search = '';
	let failure: { code: string; message: string } | null = null;
	try {
		search = parseSearchText(typed);
	} catch (e) {
		if (!(e instanceof AppError)) throw e;
		failure = { code: e.code, message: e.userMessage };
	}
	return loadOrError(async () => {
		const result = await tableDecisions(ctx, actor, tableId, search);
		await auditDecisionsView(ctx, actor, result, requestMeta(event));
		// newest meeting first, its decisions together
		const meetings: { id: number; startsAt: string; rows: typeof result.rows }[] = [];
		for (const row of result.rows) {
			const last = meetings.at(-1);
			if (last?.id === row.meetingId) last.rows.push(row);
			else meetings.push({ id: row.meetingId, startsAt: row.meetingStartsAt, rows: [row] });
		}
		return { table: result.table, typed, search, failure, meetings, shown: result.rows.length, total: result.total, searchMax: SEARCH_MAX };
	});
};
