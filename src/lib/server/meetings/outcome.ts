import type { AppContext } from '../context';
import { besprekingDocName, minutesText, readAgenda, readDecisions } from '../../shared/documents';
import { VOICE_FIELDS } from '../../shared/tables';
import { itemOutcome, type ItemOutcome } from '../../shared/outcome';

/**
 * What became of each agenda item of a meeting (shared/outcome.ts), by item id. An item counts
 * as discussed when the meeting holds a trace of it: rounded off, decisions, minutes or the
 * family's voice in its bespreking, presence marked for it, family at the table for its case,
 * regie decided at this meeting, or it was on the screen when the meeting closed.
 *
 * Not authorized here: whether an item was discussed is agenda data, as its closure is; callers
 * hand it only to members of the meeting, and it says nothing of a case's content.
 */
export async function meetingOutcomes(ctx: AppContext, meetingId: number): Promise<Record<string, ItemOutcome>> {
	const { db } = ctx;
	const hub = ctx.realtime?.hub;
	if (!hub) throw new Error('the document hub is not running');
	const meeting = await db.selectFrom('meetings').select(['status', 'current_item_id']).where('id', '=', meetingId).executeTakeFirstOrThrow();
	const { agenda, decisions } = await hub.read(`meeting:${meetingId}`, (doc) => ({ agenda: readAgenda(doc), decisions: readDecisions(doc) }));
	const closed = new Set((await db.selectFrom('item_closures').select('item_id').where('meeting_id', '=', meetingId).execute()).map((r) => r.item_id));
	const marked = new Set((await db.selectFrom('meeting_item_presence').select('item_id').where('meeting_id', '=', meetingId).execute()).map((r) => r.item_id));
	const casesWithFamily = new Set((await db.selectFrom('attendance').select('case_id').where('meeting_id', '=', meetingId).execute()).map((r) => r.case_id));
	const casesWithRegie = new Set(
		(await db.selectFrom('regie_assignments').select('case_id').where('meeting_id', '=', meetingId).execute()).map((r) => r.case_id)
	);

	const outcomes: Record<string, ItemOutcome> = {};
	for (const item of agenda) {
		let discussed =
			closed.has(item.id) ||
			marked.has(item.id) ||
			(meeting.status === 'gesloten' && meeting.current_item_id === item.id) ||
			decisions.some((d) => d.itemId === item.id && d.text.trim() !== '');
		if (!discussed && item.caseId !== null) {
			const caseId = item.caseId;
			discussed =
				casesWithFamily.has(caseId) ||
				casesWithRegie.has(caseId) ||
				(await hub.read(besprekingDocName(meetingId, caseId), (doc) =>
					minutesText(doc).toString().trim() !== '' ||
					readDecisions(doc).some((d) => d.text.trim() !== '') ||
					VOICE_FIELDS.some((v) => doc.getText(v.key).toString().trim() !== '')
				));
		}
		outcomes[item.id] = itemOutcome({ status: item.status, closed: closed.has(item.id), discussed, meetingClosed: meeting.status === 'gesloten' });
	}
	return outcomes;
}
