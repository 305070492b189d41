import type { AppContext } from '../context';
import { conflict, invalidInput, notFound } from '../errors';
import { authorize, type Actor } from '../policy/index';
import { recordAudit } from '../audit/index';
import { refuseWhenClosed } from './control';
import { addAgendaItem, readAgenda, updateAgendaItem } from '../../shared/documents';
import type { CarryResult } from '../../shared/live';

export const NO_NEXT_MEETING =
	'Er is nog geen volgend overleg van deze tafel gepland. Plan eerst een overleg op de pagina van de tafel; daarna kunt u het punt doorschuiven.';

function hubOf(ctx: AppContext) {
	const hub = ctx.realtime?.hub;
	if (!hub) throw new Error('the document hub is not running');
	return hub;
}

/** The table's first planned meeting after this one (not cancelled, not held yet), if any. */
async function nextMeeting(ctx: AppContext, meeting: { id: number; case_table_id: number; starts_at: string }) {
	return ctx.db
		.selectFrom('meetings')
		.select(['id', 'starts_at'])
		.where('case_table_id', '=', meeting.case_table_id)
		.where('status', '=', 'gepland')
		.where('starts_at', '>', meeting.starts_at)
		.where('id', '!=', meeting.id)
		.orderBy('starts_at')
		.orderBy('id')
		.executeTakeFirst();
}

/**
 * Carries ("doorschuiven") an agenda item to the table's next planned meeting: the item stays
 * here marked 'aangehouden' with the meeting it went to, and the next meeting's agenda gets it
 * at the end with the same planned minutes. Only who may run both meetings (voorzitter,
 * secretaris) may; a case item moves as its case id and code, never a title (the meeting
 * document holds no case content), and only a case of this table that is not closed. A case
 * already on the next agenda is not added twice. Carrying twice answers with the first carry.
 */
export async function carryItem(ctx: AppContext, actor: Actor, input: { meetingId: number; itemId: string }): Promise<CarryResult> {
	const { db } = ctx;
	await authorize(db, actor, 'meeting.run', { kind: 'meeting', meetingId: input.meetingId });
	const meeting = await db
		.selectFrom('meetings')
		.select(['id', 'status', 'case_table_id', 'starts_at'])
		.where('id', '=', input.meetingId)
		.executeTakeFirst();
	if (!meeting) throw notFound();
	refuseWhenClosed(meeting);
	const hub = hubOf(ctx);
	const item = await hub.read(`meeting:${meeting.id}`, (doc) => readAgenda(doc).find((i) => i.id === input.itemId));
	if (!item) throw invalidInput({ itemId: 'Dit agendapunt bestaat niet (meer).' }, 'Dit agendapunt bestaat niet (meer).');
	if (item.carriedTo) {
		const to = await db.selectFrom('meetings').select(['id', 'starts_at']).where('id', '=', item.carriedTo).executeTakeFirst();
		if (to) return { itemId: item.id, toMeetingId: to.id, toStartsAt: to.starts_at, added: false };
	}
	const closed = await db
		.selectFrom('item_closures')
		.select('id')
		.where('meeting_id', '=', meeting.id)
		.where('item_id', '=', item.id)
		.executeTakeFirst();
	if (closed) throw conflict('Dit agendapunt is al afgerond en kan niet meer worden doorgeschoven.');
	if (item.caseId !== null) {
		// need to know: the actor must be allowed to see the case, and it must be one of this table
		await authorize(db, actor, 'case.view', { kind: 'case', caseId: item.caseId });
		const c = await db
			.selectFrom('cases')
			.select(['status', 'purged_at'])
			.where('id', '=', item.caseId)
			.where('case_table_id', '=', meeting.case_table_id)
			.executeTakeFirst();
		if (!c || c.purged_at) throw notFound();
		if (c.status === 'afgesloten') throw conflict('Deze casus is afgesloten en kan niet op een volgende agenda.');
	}
	const next = await nextMeeting(ctx, meeting);
	if (!next) throw conflict(NO_NEXT_MEETING, { itemId: NO_NEXT_MEETING });
	await authorize(db, actor, 'meeting.run', { kind: 'meeting', meetingId: next.id });

	let added = false;
	await hub.change(`meeting:${next.id}`, 'item carried in', (doc) => {
		const agenda = readAgenda(doc);
		if (item.caseId !== null && agenda.some((i) => i.caseId === item.caseId)) return;
		if (agenda.some((i) => i.carriedFrom === meeting.id && i.caseId === null && i.title === item.title)) return;
		addAgendaItem(doc, {
			caseId: item.caseId,
			caseCode: item.caseCode,
			title: item.caseId === null ? item.title : '',
			plannedMinutes: item.plannedMinutes,
			status: 'gepland',
			carriedFrom: meeting.id
		});
		added = true;
	});
	await hub.change(`meeting:${meeting.id}`, 'item carried out', (doc) => updateAgendaItem(doc, item.id, { status: 'aangehouden', carriedTo: next.id }));
	await recordAudit(db, {
		at: ctx.now(),
		userId: actor.userId,
		organisationId: actor.organisationId,
		action: 'meeting.item_carry',
		caseId: item.caseId,
		meetingId: meeting.id,
		detail: { itemId: item.id, toMeetingId: next.id, added }
	});
	return { itemId: item.id, toMeetingId: next.id, toStartsAt: next.starts_at, added };
}
