import { adminOverview } from '$lib/server/admin/service';
import { loadOrError } from '$lib/server/http';
import { requireAdminActor } from './beheer.server';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = await requireAdminActor(event);
	const o = await loadOrError(() => adminOverview(event.locals.ctx, actor));
	return {
		counts: {
			organisations: o.organisations.length,
			users: o.users.length,
			blocked: o.users.filter((u) => u.disabled_at !== null).length,
			admins: o.users.filter((u) => Boolean(u.is_admin)).length,
			tables: o.tables.length,
			tableTypes: o.tableTypes.length
		}
	};
};
