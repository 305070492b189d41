import type { AppContext } from '../context';
import { recordAudit } from '../audit/index';
import { subjectFor, type Actor } from '../policy/index';
import { decide } from '../policy/decide';
import { caseFacts } from '../actions/service';
import { CASE_STATUS_LABELS, type CaseStatus } from '../../shared/roles';
import { matchesAll } from './text';

/**
 * Finding a case by its code or title, and by the subject's name for those who may see names.
 * Only cases the searcher may view (policy 'case.view') are ever looked at, so a result, a count
 * or a "nothing found" never tells whether a case they may not see exists. A name is matched
 * only where `subjectFor` shows the searcher the name itself: for everyone else the name is not
 * there to match, and searching by it finds nothing.
 */

export const SEARCH_MIN = 2;
export const RESULT_LIMIT = 25;

export interface FoundCase {
	id: number;
	code: string;
	title: string;
	tableName: string;
	statusLabel: string;
	/** the subject's full name when the searcher may see it, else the initials */
	subject: string;
	identified: boolean;
}

export interface CaseSearch {
	search: string;
	/** too short to search: nothing was looked up */
	tooShort: boolean;
	results: FoundCase[];
	/** more matched than are shown */
	more: boolean;
}

const dutch = new Intl.Collator('nl', { numeric: true });

export async function searchCases(ctx: AppContext, actor: Actor, search: string): Promise<CaseSearch> {
	if (search.length < SEARCH_MIN) return { search, tooShort: search !== '', results: [], more: false };
	const { db } = ctx;
	// the cases of every table the actor sits at; the policy below decides which they may view
	const rows = await db
		.selectFrom('cases')
		.innerJoin('memberships', (j) => j.onRef('memberships.case_table_id', '=', 'cases.case_table_id').on('memberships.user_id', '=', actor.userId))
		.innerJoin('case_tables', 'case_tables.id', 'cases.case_table_id')
		.select(['cases.id', 'cases.code', 'cases.title', 'cases.status', 'cases.subject_name', 'cases.subject_birthdate', 'case_tables.name as tableName'])
		.execute();
	const facts = await caseFacts(db, actor, rows.map((r) => r.id));
	const found: FoundCase[] = [];
	for (const r of rows) {
		const f = facts.get(r.id);
		if (!f || !decide(actor, 'case.view', f)) continue;
		const byCode = matchesAll(search, [r.code, r.title]);
		if (!byCode && !matchesAll(search, [r.code, r.title, r.subject_name])) continue;
		const shown = await subjectFor(db, actor, { kind: 'case', caseId: r.id }, { name: r.subject_name, birthdate: r.subject_birthdate });
		// the name counts only for whom it is shown
		if (!byCode && !(shown.identified && matchesAll(search, [r.code, r.title, shown.name]))) continue;
		found.push({
			id: r.id,
			code: r.code,
			title: r.title,
			tableName: r.tableName,
			statusLabel: CASE_STATUS_LABELS[r.status as CaseStatus] ?? r.status,
			subject: shown.name,
			identified: shown.identified
		});
	}
	found.sort((a, b) => dutch.compare(a.code, b.code));
	return { search, tooShort: false, results: found.slice(0, RESULT_LIMIT), more: found.length > RESULT_LIMIT };
}

/** Each case a search showed is logged as a view of it, so it is in the case's access history (never the search text). */
export async function auditSearch(ctx: AppContext, actor: Actor, result: CaseSearch, meta: { ip: string | null }): Promise<void> {
	for (const c of result.results) {
		await recordAudit(ctx.db, {
			at: ctx.now(),
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'case.search',
			caseId: c.id,
			detail: { resultCount: result.results.length, identified: c.identified },
			ip: meta.ip
		});
	}
}
