import { auditVerslag, buildVerslag } from '$lib/server/verslag/index';
import { NOT_DISCUSSED, attendanceNote, attendeesLine, deadlineLabel, formatMeetingDate, meetingStatusLine, omittedLine, readerNotice } from '$lib/server/verslag/blocks';
import { loadOrError, requestMeta, requireActor } from '$lib/server/http';
import { parseId } from '$lib/server/ids';
import type { PageServerLoad } from './$types';

/**
 * The printable verslag, in the same words as the downloads (the sentences come from the same
 * module); every view is in the audit log.
 */
export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const meetingId = parseId(event.params.id);
	return loadOrError(async () => {
		const verslag = await buildVerslag(event.locals.ctx, actor, meetingId);
		await auditVerslag(event.locals.ctx, actor, verslag, 'html', requestMeta(event));
		return {
			verslag,
			words: {
				date: formatMeetingDate(verslag.meeting.startsAt),
				status: meetingStatusLine(verslag),
				notice: readerNotice(verslag),
				omitted: verslag.omittedItems > 0 ? omittedLine(verslag.omittedItems) : null,
				closedAt: Object.fromEntries(verslag.cases.filter((c) => c.closure).map((c) => [c.id, formatMeetingDate(c.closure!.closedAt)])),
				attendanceNote: attendanceNote(verslag),
				notDiscussed: NOT_DISCUSSED,
				attendees: Object.fromEntries(verslag.cases.map((c) => [c.id, attendeesLine(c)])),
				deadlines: Object.fromEntries(verslag.cases.flatMap((c) => c.actions.map((a) => [a.deadline, deadlineLabel(a.deadline)])))
			}
		};
	});
};
