import type { AppContext } from '../context';
import { actiehouderCandidates, authorize, documentAccess, roleAt, type Actor } from '../policy/index';
import { decide } from '../policy/decide';
import { conflict } from '../errors';
import type { TableRole } from '../../shared/roles';
import type { Attendee, RegieState, TableTypeConfig } from '../../shared/tables';
import { regieState } from '../cases/regie';
import { tableTypeOfTable } from '../tables/types';
import { attendance, earlierActionIds, migrateAgenda, moveCaseDecisions } from './items';

export interface MeetingCase {
	id: number;
	code: string;
	title: string;
	access: 'write' | 'read';
	/** who can be actiehouder: the policy's actiehouder rule (`actiehouderCandidates`) */
	candidates: { id: number; name: string; organisationId: number; organisationName: string }[];
	status: string;
	regie: RegieState;
	/** the client's side present at this meeting's bespreking of the case */
	attendees: Attendee[];
	/** earlier meetings where the case was discussed, newest first: a terugkomcasus */
	previous: { meetingId: number; startsAt: string }[];
	/** the actions agreed in earlier besprekingen, which a per-bespreking template does not count */
	earlierActionIds: string[];
}

/**
 * Everything a meeting page needs besides the live documents: the meeting, the viewer's role,
 * and the table's cases the viewer may open (with read or write), each with the people who can
 * be actiehouder. Cases the viewer may not see are simply not in the list; the agenda shows
 * only their code and non-identifying title.
 */
/**
 * The titles of the cases of a table that this actor may see, by case id: an agenda item of a
 * case carries no title in the meeting document, pages add the case's own title from here.
 * `known` are cases already checked (open ones with access); closed cases are checked here.
 */
export async function caseTitlesFor(db: AppContext['db'], actor: Actor, tableId: number, known: { id: number; title: string }[] = []): Promise<Record<number, string>> {
	const titles: Record<number, string> = {};
	for (const c of known) titles[c.id] = c.title;
	const rest = await db
		.selectFrom('cases')
		.select(['id', 'title'])
		.where('case_table_id', '=', tableId)
		.where('id', 'not in', known.length ? known.map((c) => c.id) : [0])
		.execute();
	for (const c of rest) {
		if (await documentAccess(db, actor, { kind: 'case', caseId: c.id })) titles[c.id] = c.title;
	}
	return titles;
}

export async function meetingView(ctx: AppContext, actor: Actor, meetingId: number) {
	const { db } = ctx;
	await authorize(db, actor, 'meeting.view', { kind: 'meeting', meetingId });
	const meeting = await db
		.selectFrom('meetings')
		.innerJoin('case_tables', 'case_tables.id', 'meetings.case_table_id')
		.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
		.select([
			'meetings.id',
			'meetings.starts_at',
			'meetings.ends_at',
			'meetings.location',
			'meetings.status',
			'case_tables.id as tableId',
			'case_tables.name as tableName',
			'table_types.name as typeName',
			'table_types.leefgebieden'
		])
		.where('meetings.id', '=', meetingId)
		.executeTakeFirstOrThrow();
	if (meeting.status === 'afgezegd') throw conflict('Dit overleg is afgezegd en kan niet worden geopend. De reden staat op de pagina van de tafel.');
	// an agenda stored before the agenda map moves into it before anyone edits it
	// (readers read both, so the page works without it)
	if (meeting.status !== 'gesloten') {
		await migrateAgenda(ctx, meetingId).catch((err) => ctx.log.error({ err, meetingId }, 'migrating the agenda failed'));
		// a decision about a case that an old page wrote into the meeting document moves to the case
		await moveCaseDecisions(ctx, meetingId).catch((err) => ctx.log.error({ err, meetingId }, 'moving case decisions failed'));
	}
	// authorize() above guarantees membership
	const role = (await roleAt(db, actor.userId, meeting.tableId))!;
	const canRun =
		meeting.status !== 'gesloten' &&
		decide(actor, 'meeting.run', { tableRole: role, organisationHasCaseAccess: false });

	const tableCases = await db
		.selectFrom('cases')
		.select(['id', 'code', 'title', 'status'])
		.where('case_table_id', '=', meeting.tableId)
		.where('status', '!=', 'afgesloten')
		.orderBy('code')
		.execute();
	const cases: MeetingCase[] = [];
	for (const c of tableCases) {
		const access = await documentAccess(db, actor, { kind: 'case', caseId: c.id });
		if (!access) continue;
		const previous = await db
			.selectFrom('item_closures')
			.innerJoin('meetings', 'meetings.id', 'item_closures.meeting_id')
			.select(['meetings.id as meetingId', 'meetings.starts_at as startsAt'])
			.where('item_closures.case_id', '=', c.id)
			.where('item_closures.meeting_id', '!=', meetingId)
			.where('meetings.starts_at', '<', meeting.starts_at)
			.orderBy('meetings.starts_at', 'desc')
			.execute();
		cases.push({
			...c,
			access,
			candidates: [],
			regie: await regieState(db, c.id),
			attendees: await attendance(ctx, meetingId, c.id),
			previous,
			earlierActionIds: []
		});
	}
	const earlier = await earlierActionIds(db, cases.map((c) => c.id), meetingId);
	for (const c of cases) c.earlierActionIds = earlier.get(c.id) ?? [];
	const candidates = await actiehouderCandidates(db, cases.map((c) => c.id));
	for (const c of cases) c.candidates = candidates.get(c.id) ?? [];
	const tableType: TableTypeConfig = await tableTypeOfTable(db, meeting.tableId);
	return {
		caseTitles: await caseTitlesFor(db, actor, meeting.tableId, cases),
		meeting: { ...meeting, leefgebieden: tableType.leefgebieden },
		tableType,
		role,
		canRun,
		cases,
		me: { id: actor.userId, organisationId: actor.organisationId }
	};
}
