import { sql } from 'kysely';
import type { Executor } from '../db/index';
import { notFound } from '../errors';
import { authorize, type Actor } from '../policy/index';

export const AUDIT_PAGE_SIZE = 50;

export interface AuditFilters {
	/** part of a name or e-mail address */
	user?: string;
	organisationId?: number;
	/** a case code, exactly (e.g. T150-2026-014) */
	caseCode?: string;
	action?: string;
	/** YYYY-MM-DD, inclusive, in UTC */
	from?: string;
	to?: string;
}

export interface AuditListRow {
	id: number;
	at: string;
	userName: string | null;
	userEmail: string | null;
	organisationName: string | null;
	role: string | null;
	action: string;
	caseId: number | null;
	caseCode: string | null;
	meetingId: number | null;
	ip: string | null;
	/** for an aggregated row (failed and throttled logins): how many attempts it stands for, and the last one */
	count: number | null;
	lastAt: string | null;
}

/**
 * The beheerder's search over the log, newest first, one page at a time. It reads the log's
 * own columns and names from users, organisations and the case code; never case content.
 */
export async function searchAuditLog(
	db: Executor,
	filters: AuditFilters,
	page: number
): Promise<{ rows: AuditListRow[]; total: number; page: number; pages: number }> {
	let query = db
		.selectFrom('audit_log as a')
		.leftJoin('users as u', 'u.id', 'a.user_id')
		.leftJoin('organisations as o', 'o.id', 'a.organisation_id')
		.leftJoin('cases as c', 'c.id', 'a.case_id')
		.leftJoin('audit_counts as n', 'n.audit_id', 'a.id');
	if (filters.user) {
		const needle = filters.user.toLowerCase();
		query = query.where(sql<boolean>`(instr(lower(u.name), ${needle}) > 0 or instr(lower(u.email), ${needle}) > 0)`);
	}
	if (filters.organisationId) query = query.where('a.organisation_id', '=', filters.organisationId);
	if (filters.caseCode) query = query.where('c.code', '=', filters.caseCode);
	if (filters.action) query = query.where('a.action', '=', filters.action);
	if (filters.from) query = query.where('a.at', '>=', `${filters.from}T00:00:00.000Z`);
	if (filters.to) query = query.where('a.at', '<=', `${filters.to}T23:59:59.999Z`);

	const { total } = await query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
	const pages = Math.max(1, Math.ceil(Number(total) / AUDIT_PAGE_SIZE));
	const current = Math.min(Math.max(1, page), pages);
	const rows = await query
		.select([
			'a.id',
			'a.at',
			'u.name as userName',
			'u.email as userEmail',
			'o.name as organisationName',
			'a.role',
			'a.action',
			'a.case_id as caseId',
			'c.code as caseCode',
			'a.meeting_id as meetingId',
			'a.ip',
			'n.count',
			'n.last_at as lastAt'
		])
		.orderBy('a.id', 'desc')
		.limit(AUDIT_PAGE_SIZE)
		.offset((current - 1) * AUDIT_PAGE_SIZE)
		.execute();
	return { rows, total: Number(total), page: current, pages };
}

export interface CaseAuditRow {
	id: number;
	at: string;
	organisationName: string | null;
	role: string | null;
	action: string;
}

/** Who looked at or worked in one case, oldest first: organisation, role, action, time. */
export async function caseAuditTrail(db: Executor, caseId: number, limit = 1000): Promise<CaseAuditRow[]> {
	return db
		.selectFrom('audit_log as a')
		.leftJoin('organisations as o', 'o.id', 'a.organisation_id')
		.select(['a.id', 'a.at', 'o.name as organisationName', 'a.role', 'a.action'])
		.where('a.case_id', '=', caseId)
		.orderBy('a.id')
		.limit(limit)
		.execute();
}

/**
 * Who may see who looked at a case: the chair and the secretaris of its table (whoever may
 * manage access to it, so they can answer for it), and the beheerder (for a client's request
 * under AVG article 15 and for incidents). Not the other members: the trail says which
 * organisations are involved. Everyone else, and a case that does not exist: NOT_FOUND.
 */
export async function caseAuditOverview(
	db: Executor,
	actor: Actor,
	caseId: number
): Promise<{ caseId: number; code: string; rows: CaseAuditRow[] }> {
	const row = await db.selectFrom('cases').select(['id', 'code']).where('id', '=', caseId).executeTakeFirst();
	if (!row) throw notFound();
	if (!actor.isAdmin) await authorize(db, actor, 'case.manageAccess', { kind: 'case', caseId });
	return { caseId: row.id, code: row.code, rows: await caseAuditTrail(db, caseId) };
}
