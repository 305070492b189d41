import type { Executor } from '../db/index';
import { can, subjectFor, type Actor } from '../policy/index';
import { formatDate, formatDeadline, isCalendarDate } from '../../shared/format';

/**
 * What a notification is about, said in the app only: the stored text (which also goes out by
 * e-mail) names no action and no person, so the page adds the action's description or the
 * aanmelding, looked up when the notice is read and asked of the policy then. Whoever may no
 * longer see it gets a neutral sentence instead.
 */
export interface NoticeSubjectRow {
	kind: string;
	case_id: number | null;
	action_id: string | null;
	request_id: number | null;
}

export const NO_LONGER_ACTION = 'U kunt deze actie niet meer inzien.';
export const GONE_ACTION = 'Deze actie bestaat niet meer.';
export const NO_LONGER_CASE = 'U kunt deze casus niet meer inzien.';
export const NO_LONGER_REQUEST = 'U kunt deze aanmelding niet meer inzien.';

/** One description per row (null: nothing to add), in the order of `rows`. */
export async function describeNotices(db: Executor, actor: Actor, rows: NoticeSubjectRow[]): Promise<(string | null)[]> {
	const caseViews = new Map<number, Promise<boolean>>();
	const mayViewCase = (caseId: number) => {
		let known = caseViews.get(caseId);
		if (!known) caseViews.set(caseId, (known = can(db, actor, 'case.view', { kind: 'case', caseId })));
		return known;
	};
	const out: (string | null)[] = [];
	for (const row of rows) {
		if (row.kind.startsWith('action.') && row.case_id !== null && row.action_id !== null) {
			out.push(await describeAction(db, actor, row.case_id, row.action_id, mayViewCase));
		} else if (row.kind === 'regie.assigned' && row.case_id !== null) {
			out.push(await describeCase(db, row.case_id, mayViewCase));
		} else if (row.kind === 'request.outcome' && row.request_id !== null) {
			out.push(await describeRequest(db, actor, row.request_id));
		} else {
			out.push(null);
		}
	}
	return out;
}

/**
 * The action's description and deadline, for its actiehouder and for whoever may view the case
 * (the regisseur who reads Mijn acties); a reassigned action of a case one cannot view is not.
 */
async function describeAction(
	db: Executor,
	actor: Actor,
	caseId: number,
	actionId: string,
	mayViewCase: (caseId: number) => Promise<boolean>
): Promise<string> {
	const row = await db
		.selectFrom('action_rows')
		.innerJoin('cases', 'cases.id', 'action_rows.case_id')
		.select(['action_rows.text', 'action_rows.deadline', 'action_rows.actiehouder_id', 'cases.code'])
		.where('action_rows.case_id', '=', caseId)
		.where('action_rows.action_id', '=', actionId)
		.executeTakeFirst();
	if (!row) return (await mayViewCase(caseId)) ? GONE_ACTION : NO_LONGER_ACTION;
	if (row.actiehouder_id !== actor.userId && !(await mayViewCase(caseId))) return NO_LONGER_ACTION;
	const deadline = isCalendarDate(row.deadline) ? `, deadline ${formatDeadline(row.deadline)}` : '';
	return `Actie: ${row.text.trim() || '(zonder omschrijving)'} (${row.code}${deadline})`;
}

async function describeCase(db: Executor, caseId: number, mayViewCase: (caseId: number) => Promise<boolean>): Promise<string> {
	if (!(await mayViewCase(caseId))) return NO_LONGER_CASE;
	const row = await db.selectFrom('cases').select(['code', 'title']).where('id', '=', caseId).executeTakeFirst();
	if (!row) return NO_LONGER_CASE;
	return row.title ? `Casus ${row.code}: ${row.title}` : `Casus ${row.code}`;
}

/** The aanmelding by table, date and subject: the name only as `subjectFor` lets this reader see it. */
async function describeRequest(db: Executor, actor: Actor, requestId: number): Promise<string> {
	if (!(await can(db, actor, 'request.view', { kind: 'request', requestId }))) return NO_LONGER_REQUEST;
	const row = await db
		.selectFrom('requests')
		.innerJoin('case_tables', 'case_tables.id', 'requests.case_table_id')
		.select(['requests.created_at', 'requests.subject_name', 'requests.subject_birthdate', 'requests.purged_at', 'case_tables.name as tableName'])
		.where('requests.id', '=', requestId)
		.executeTakeFirst();
	if (!row) return NO_LONGER_REQUEST;
	const base = `Aanmelding bij ${row.tableName} van ${formatDate(row.created_at)}`;
	if (row.purged_at || !row.subject_name.trim()) return base;
	const subject = await subjectFor(db, actor, { kind: 'request', requestId }, { name: row.subject_name, birthdate: row.subject_birthdate });
	return `${base}, over ${subject.name}`;
}
