import { meetingView } from '$lib/server/meetings/service';
import { loadOrError, requireActor } from '$lib/server/http';
import { parseId } from '$lib/server/ids';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const meetingId = parseId(event.params.id);
	const view = await loadOrError(() => meetingView(event.locals.ctx, actor, meetingId));
	const user = event.locals.user!;
	return { ...view, user: { id: user.id, name: user.name, organisationName: user.organisationName } };
};
