import { retentionOverview } from '$lib/server/retention/index';
import { loadOrError } from '$lib/server/http';
import { requireAdminActor } from '../beheer.server';
import type { PageServerLoad } from './$types';

/** What the retention job will remove and when, and what it removed: codes and dates only. */
export const load: PageServerLoad = async (event) => {
	const actor = await requireAdminActor(event);
	const overview = await loadOrError(() => retentionOverview(event.locals.ctx, actor));
	return { overview };
};
