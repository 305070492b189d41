import { listTableTypes } from '$lib/server/admin/table-types';
import { loadOrError } from '$lib/server/http';
import { requireAdminActor } from '../beheer.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = await requireAdminActor(event);
	const types = await loadOrError(() => listTableTypes(event.locals.ctx, actor));
	return { types };
};
