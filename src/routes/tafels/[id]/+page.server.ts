import { getTableForMember } from '$lib/server/tables/service';
import { loadOrError, requireActor } from '$lib/server/http';
import { parseId } from '$lib/server/ids';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const tableId = parseId(event.params.id);
	return loadOrError(() => getTableForMember(event.locals.ctx, actor, tableId));
};
