import type { AppContext } from '../context';
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

/** Every decision of the table the actor may see, newest meeting first, filtered by `search`. */
export async function tableDecisions(ctx: AppContext, actor: Actor, tableId: number, search: string): Promise<TableDecisions> {
	const { db } = ctx;
	await authorize(db, actor, 'table.view', { kind: 'table', tableId });
	const hub = ctx.realtime?.hub;
	if (!hub) throw new Error('decisions need the collaboration hub');
	const table = await db.selectFrom('case_tables').select(['id', 'name']).where('id', '=', tableId).executeTakeFirstOrThrow();
	const meetings = await db
		.selectFrom('meetings')
		.select(['id', 'starts_at'])
		.where('case_table_id', '=', tableId)
		.orderBy('starts_at', 'desc')
		.orderBy('id', 'desc')
		.execute();
	const cases = await db
		.selectFrom('cases')
		.select(['id', 'code', 'title', 'subject_name', 'subject_birthdate'])
		.where('case_table_id', '=', tableId)
		.where('purged_at', 'is', null)
		.execute();
	const facts = await caseFacts(db, actor, cases.map((c) => c.id));
	const visible = new Map(cases.filter((c) => { const f = facts.get(c.id); return f !== undefined && decide(actor, 'case.view', f); }).map((c) => [c.id, c]));

	// the bespreking documents that exist, of this table's meetings and the visible cases
	const meetingIds = new Set(meetings.map((m) => m.id));
	const stored = await db
		.selectFrom('doc_snapshots')
		.select('doc_name')
		.where('doc_name', 'like', 'bespreking:%')
		.union(db.selectFrom('doc_updates').select('doc_name').where('doc_name', 'like', 'bespreking:%'))
		.execute();
	const besprekingen = new Map<number, number[]>();
	for (const { doc_name } of stored) {
		const ref = parseDocumentName(doc_name);
		if (ref?.kind !== 'bespreking' || !meetingIds.has(ref.meetingId) || !visible.has(ref.caseId)) continue;
		besprekingen.set(ref.meetingId, [...(besprekingen.get(ref.meetingId) ?? []), ref.caseId]);
	}

	const subjects = new Map<number, string | null>();
	for (const c of visible.values()) {
		const shown = await subjectFor(db, actor, { kind: 'case', caseId: c.id }, { name: c.subject_name, birthdate: c.subject_birthdate });
		subjects.set(c.id, shown.identified ? shown.name : null);
	}

	const rows: DecisionRow[] = [];
	for (const m of meetings) {
		const { agenda, decisions } = await hub.read(`meeting:${m.id}`, (doc) => ({ agenda: readAgenda(doc), decisions: readDecisions(doc) }));
		const itemById = new Map(agenda.map((i) => [i.id, i]));
		const perCase = new Map<number, { id: string; text: string }[]>();
		const general: DecisionRow[] = [];
		for (const d of decisions) {
			const item = itemById.get(d.itemId);
			// a decision whose item is gone may have been about a case: nobody can tell, so it is left out
			if (!item || d.text.trim() === '') continue;
			if (item.caseId === null) {
				general.push(row(m, null, { id: d.id, text: d.text }, item.title));
			} else if (visible.has(item.caseId)) {
				// written to the meeting document by an old page, before 0012
				perCase.set(item.caseId, [...(perCase.get(item.caseId) ?? []), d]);
			}
		}
		for (const caseId of besprekingen.get(m.id) ?? []) {
			const own = await hub.read(besprekingDocName(m.id, caseId), (doc) => readDecisions(doc));
			perCase.set(caseId, [...own, ...(perCase.get(caseId) ?? [])]);
		}
		const caseRows = [...perCase].flatMap(([caseId, list]) =>
			list
				.filter((d, i) => d.text.trim() !== '' && list.findIndex((o) => o.id === d.id) === i)
				.map((d) => row(m, caseId, d, null))
		);
		caseRows.sort((a, b) => dutch.compare(a.caseCode ?? '', b.caseCode ?? ''));
		rows.push(...caseRows, ...general);
	}

	function row(m: { id: number; starts_at: string }, caseId: number | null, d: { id: string; text: string }, itemTitle: string | null): DecisionRow {
		const c = caseId === null ? undefined : visible.get(caseId);
		return {
			key: `${m.id}:${d.id}`,
			meetingId: m.id,
			meetingStartsAt: m.starts_at,
			caseId,
			caseCode: c?.code ?? null,
			caseTitle: c?.title ?? null,
			subjectName: caseId === null ? null : (subjects.get(caseId) ?? null),
			itemTitle,
			text: d.text
		};
	}

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
