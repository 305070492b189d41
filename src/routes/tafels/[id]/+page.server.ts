import { getTableForMember } from '$lib/server/tables/service';
import { tableCaseload } from '$lib/server/requests/service';
import { loadOrError, requireActor } from '$lib/server/http';
import { parseId } from '$lib/server/ids';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const tableId = parseId(event.params.id);
	const ctx = event.locals.ctx;
	return loadOrError(async () => {
		const table = await getTableForMember(ctx, actor, tableId);
		return { ...table, caseload: await tableCaseload(ctx, actor, tableId) };
	});
};
