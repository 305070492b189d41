import type { AppContext } from '../context';
import type { Executor } from '../db/index';
import { recordAudit } from '../audit/index';
import { authorize, parseDocumentName, roleAt, subjectFor, type Actor } from '../policy/index';
import { decide } from '../policy/decide';
import { caseFacts } from '../actions/service';
import { besprekingDocName, readAgenda, readDecisions } from '../../shared/documents';
import { matchesAll } from '../search/text';

/**
 * The decisions list of a table across its meetings: what was decided, at which meeting, for
 * which case. A case's decisions live in its bespreking documents (`bespreking:<meeting>:<case>`,
 * since migration 0012), the decisions of general items (opening, rondvraag) in the meeting
 * document. Both are read through the hub, as the verslag reads them: no second copy to keep in
 * step.
 *
 * Need to know: a case's decisions are listed only when the reader may view the case (policy
 * 'case.view': the chair and secretaris, members whose organisation has access); the subject's
 * name only for whom the table type allows it (`subjectFor`). A case the reader may not view
 * leaves no trace: not its code, not its number of decisions.
 */

export interface DecisionRow {
	/** stable per decision: `<meetingId>:<decisionId>` */
	key: string;
	meetingId: number;
	meetingStartsAt: string;
	/** null for a general item's decision */
	caseId: number | null;
	caseCode: string | null;
	caseTitle: string | null;
	/** the subject's full name, only when the reader may see it */
	subjectName: string | null;
	/** the general item's title ("Rondvraag"); null for a case */
	itemTitle: string | null;
	text: string;
}

export interface TableDecisions {
	table: { id: number; name: string };
	search: string;
	rows: DecisionRow[];
	/** all decisions the reader may see, before the search */
	total: number;
}

const dutch = new Intl.Collator('nl', { numeric: true });

type Hub = NonNullable<AppContext['realtime']>['hub'];
interface CaseRow {
	id: number;
	code: string;
	title: string;
	subject_name: string;
	subject_birthdate: string | null;
}
interface MeetingRow {
	id: number;
	starts_at: string;
}
/** A decision before it is shown: which case (or general item) it belongs to. */
interface Found {
	meeting: MeetingRow;
	caseId: number | null;
	itemTitle: string | null;
	id: string;
	text: string;
}

/** The cases of the table the actor may view (not purged: their documents are gone). */
async function viewableCases(db: Executor, actor: Actor, tableId: number): Promise<Map<number, CaseRow>> {
	const cases = await db
		.selectFrom('cases')
		.select(['id', 'code', 'title', 'subject_name', 'subject_birthdate'])
		.where('case_table_id', '=', tableId)
		.where('purged_at', 'is', null)
		.execute();
	const facts = await caseFacts(db, actor, cases.map((c) => c.id));
	return new Map(cases.filter((c) => facts.has(c.id) && decide(actor, 'case.view', facts.get(c.id)!)).map((c) => [c.id, c]));
}

/** Per meeting, the cases of `visible` that have a stored bespreking document there. */
async function storedBesprekingen(db: Executor, meetingIds: Set<number>, visible: Map<number, CaseRow>): Promise<Map<number, number[]>> {
	const stored = await db
		.selectFrom('doc_snapshots')
		.select('doc_name')
		.where('doc_name', 'like', 'bespreking:%')
		.union(db.selectFrom('doc_updates').select('doc_name').where('doc_name', 'like', 'bespreking:%'))
		.execute();
	const out = new Map<number, number[]>();
	for (const { doc_name } of stored) {
		const ref = parseDocumentName(doc_name);
		if (ref?.kind !== 'bespreking' || !meetingIds.has(ref.meetingId) || !visible.has(ref.caseId)) continue;
		out.set(ref.meetingId, [...(out.get(ref.meetingId) ?? []), ref.caseId]);
	}
	return out;
}

/**
 * One meeting's decisions: those of its general items from the meeting document, and per visible
 * case those of its bespreking document plus any an old page wrote to the meeting document for
 * the case's items (before 0012), each id once. A decision whose item is gone may have been about
 * a case: nobody can tell, so it is left out.
 */
async function decisionsOfMeeting(hub: Hub, m: MeetingRow, caseIds: number[], visible: Map<number, CaseRow>): Promise<Found[]> {
	const { agenda, decisions } = await hub.read(`meeting:${m.id}`, (doc) => ({ agenda: readAgenda(doc), decisions: readDecisions(doc) }));
	const itemById = new Map(agenda.map((i) => [i.id, i]));
	const perCase = new Map<number, { id: string; text: string }[]>(caseIds.map((id) => [id, []]));
	for (const caseId of caseIds) perCase.get(caseId)!.push(...(await hub.read(besprekingDocName(m.id, caseId), (doc) => readDecisions(doc))));
	const general: Found[] = [];
	for (const d of decisions) {
		const item = itemById.get(d.itemId);
		if (!item) continue;
		if (item.caseId === null) general.push({ meeting: m, caseId: null, itemTitle: item.title, id: d.id, text: d.text });
		else if (visible.has(item.caseId)) perCase.set(item.caseId, [...(perCase.get(item.caseId) ?? []), d]);
	}
	const ofCases = [...perCase]
		.sort(([a], [b]) => dutch.compare(visible.get(a)!.code, visible.get(b)!.code))
		.flatMap(([caseId, list]) =>
			list.filter((d, i) => list.findIndex((o) => o.id === d.id) === i).map((d) => ({ meeting: m, caseId, itemTitle: null, id: d.id, text: d.text }))
		);
	return [...ofCases, ...general].filter((d) => d.text.trim() !== '');
}

/** Every decision of the table the actor may see, newest meeting first, filtered by `search`. */
export async function tableDecisions(ctx: AppContext, actor: Actor, tableId: number, search: string): Promise<TableDecisions> {
	const { db } = ctx;
	await authorize(db, actor, 'table.view', { kind: 'table', tableId });
	const hub = ctx.realtime?.hub;
	if (!hub) throw new Error('decisions need the collaboration hub');
	const table = await db.selectFrom('case_tables').select(['id', 'name']).where('id', '=', tableId).executeTakeFirstOrThrow();
	const meetings = await db.selectFrom('meetings').select(['id', 'starts_at']).where('case_table_id', '=', tableId).orderBy('starts_at', 'desc').orderBy('id', 'desc').execute();
	const visible = await viewableCases(db, actor, tableId);
	const besprekingen = await storedBesprekingen(db, new Set(meetings.map((m) => m.id)), visible);
	const found: Found[] = [];
	for (const m of meetings) found.push(...(await decisionsOfMeeting(hub, m, besprekingen.get(m.id) ?? [], visible)));

	// the name, for whom the table type shows it, of the cases that have decisions
	const names = new Map<number, string | null>();
	for (const caseId of new Set(found.map((d) => d.caseId).filter((id): id is number => id !== null))) {
		const c = visible.get(caseId)!;
		const shown = await subjectFor(db, actor, { kind: 'case', caseId }, { name: c.subject_name, birthdate: c.subject_birthdate });
		names.set(caseId, shown.identified ? shown.name : null);
	}
	const rows: DecisionRow[] = found.map((d) => {
		const c = d.caseId === null ? undefined : visible.get(d.caseId);
		return {
			key: `${d.meeting.id}:${d.id}`,
			meetingId: d.meeting.id,
			meetingStartsAt: d.meeting.starts_at,
			caseId: d.caseId,
			caseCode: c?.code ?? null,
			caseTitle: c?.title ?? null,
			subjectName: d.caseId === null ? null : (names.get(d.caseId) ?? null),
			itemTitle: d.itemTitle,
			text: d.text
		};
	});
	const shown = search === '' ? rows : rows.filter((r) => matchesAll(search, [r.text, r.caseCode, r.caseTitle, r.subjectName, r.itemTitle]));
	return { table, search, rows: shown, total: rows.length };
}

/** The decisions list was read: which cases' decisions it showed (never the search text). */
export async function auditDecisionsView(ctx: AppContext, actor: Actor, result: TableDecisions, meta: { ip: string | null }): Promise<void> {
	const caseIds = [...new Set(result.rows.map((r) => r.caseId).filter((id): id is number => id !== null))];
	await recordAudit(ctx.db, {
		at: ctx.now(),
		userId: actor.userId,
		organisationId: actor.organisationId,
		action: 'table.decisions.view',
		role: await roleAt(ctx.db, actor.userId, result.table.id),
		detail: { tableId: result.table.id, searched: result.search !== '', decisionCount: result.rows.length, caseIds },
		ip: meta.ip
	});
}
