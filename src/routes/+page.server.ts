import { listMyTables, upcomingMeetingsFor } from '$lib/server/tables/service';
import { myRequests } from '$lib/server/requests/service';
import { requireActor } from '$lib/server/http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const ctx = event.locals.ctx;
	const [tables, meetings, requests] = await Promise.all([
		listMyTables(ctx, actor),
		upcomingMeetingsFor(ctx, actor),
		myRequests(ctx, actor, 5)
	]);
	return { tables, meetings, requests, isAdmin: actor.isAdmin };
};
