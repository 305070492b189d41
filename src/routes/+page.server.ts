import { listMyTables, upcomingMeetingsFor } from '$lib/server/tables/service';
import { requireActor } from '$lib/server/http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const ctx = event.locals.ctx;
	const [tables, meetings] = await Promise.all([
		listMyTables(ctx, actor),
		upcomingMeetingsFor(ctx, actor)
	]);
	return { tables, meetings, isAdmin: actor.isAdmin };
};
