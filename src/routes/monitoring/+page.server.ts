import { regionOverview } from '$lib/server/monitoring/index';
import { loadOrError, requireActor } from '$lib/server/http';
import type { PageServerLoad } from './$types';

/** The region's tables with their headline figures: all for the beheerder, the own for a chair. */
export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	return loadOrError(() => regionOverview(event.locals.ctx, actor));
};
