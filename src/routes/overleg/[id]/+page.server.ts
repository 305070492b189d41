import { meetingView } from '$lib/server/meetings/service';
import { meetingOutcomes } from '$lib/server/meetings/outcome';
import { loadOrError, requireActor } from '$lib/server/http';
import { parseId } from '$lib/server/ids';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const meetingId = parseId(event.params.id);
	const view = await loadOrError(() => meetingView(event.locals.ctx, actor, meetingId));
	const user = event.locals.user!;
	// what became of each item, for the end of the meeting (null while it runs)
	const outcomes = view.meeting.status === 'gesloten' ? await meetingOutcomes(event.locals.ctx, meetingId) : null;
	return { ...view, outcomes, user: { id: user.id, name: user.name, organisationName: user.organisationName } };
};
