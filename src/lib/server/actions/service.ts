import { z } from 'zod';
import type { AppContext } from '../context';
import { recordAudit } from '../audit/index';
import { invalidInput, notFound } from '../errors';
import { sql, type ExpressionBuilder } from 'kysely';
import type { Executor } from '../db/index';
import type { DB } from '../db/schema';
import { authorize, casesUserMayHold, type Actor } from '../policy/index';
import { decide, type Facts } from '../policy/decide';
import type { TableRole } from '../../shared/roles';
import { todayIn } from '../cases/lifecycle';
import { ACTION_STATUSES, ACTION_STATUS_LABELS, readActions, updateAction as updateActionIn, type ActionStatus } from '../../shared/documents';

/**
 * Mijn acties: every action I hold, and for a casemanager (the case's casusregisseur or
 * procesregisseur) every action of their cases, across all tables. The list reads the
 * projection (`action_rows`); a change goes into the case document on the server, so open
 * meetings and laptops see it live, and the projection follows.
 */

/** Which actions: open and in progress (the default), one status, or all. */
export const STATUS_FILTERS = ['lopend', 'open', 'bezig', 'gedaan', 'vervallen', 'alle'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];
export const STATUS_FILTER_LABELS: Record<StatusFilter, string> = {
	lopend: 'Open en bezig',
	open: 'Open',
	bezig: 'Bezig',
	gedaan: 'Gedaan',
	vervallen: 'Vervallen',
	alle: 'Alle statussen'
};

/** Whose actions: all I follow, only those I hold, or those of the cases I direct. */
export const SCOPE_FILTERS = ['alle', 'mijn', 'regie'] as const;
export type ScopeFilter = (typeof SCOPE_FILTERS)[number];
export const SCOPE_FILTER_LABELS: Record<ScopeFilter, string> = {
	alle: 'Mijn acties en mijn casussen',
	mijn: 'Alleen mijn eigen acties',
	regie: 'Alle acties van mijn casussen'
};

export interface ActionFilters {
	tableId: number | null;
	caseId: number | null;
	status: StatusFilter;
	scope: ScopeFilter;
}

export const DEFAULT_FILTERS: ActionFilters = { tableId: null, caseId: null, status: 'lopend', scope: 'alle' };

const ID = /^[1-9][0-9]{0,15}$/;

/** Filters from the query string (`tafel`, `casus`, `status`, `wie`); anything unknown is the default. */
export function parseFilters(params: URLSearchParams): ActionFilters {
	const id = (raw: string | null) => (raw && ID.test(raw) ? Number(raw) : null);
	const status = params.get('status');
	const scope = params.get('wie');
	return {
		tableId: id(params.get('tafel')),
		caseId: id(params.get('casus')),
		status: (STATUS_FILTERS as readonly string[]).includes(status ?? '') ? (status as StatusFilter) : 'lopend',
		scope: (SCOPE_FILTERS as readonly string[]).includes(scope ?? '') ? (scope as ScopeFilter) : 'alle'
	};
}

/** The filters as a query string without the defaults, e.g. `status=alle&casus=3` (or ''). */
export function filterQuery(filters: ActionFilters): string {
	const q = new URLSearchParams();
	if (filters.tableId !== null) q.set('tafel', String(filters.tableId));
	if (filters.caseId !== null) q.set('casus', String(filters.caseId));
	if (filters.status !== 'lopend') q.set('status', filters.status);
	if (filters.scope !== 'alle') q.set('wie', filters.scope);
	return q.toString();
}

/** Overdue first, then this week, later, without a deadline; done or dropped ones last. */
export const ACTION_GROUPS = ['te-laat', 'deze-week', 'later', 'zonder-deadline', 'afgerond'] as const;
export type ActionGroup = (typeof ACTION_GROUPS)[number];
export const ACTION_GROUP_LABELS: Record<ActionGroup, string> = {
	'te-laat': 'Te laat',
	'deze-week': 'Deze week',
	later: 'Later',
	'zonder-deadline': 'Zonder deadline',
	afgerond: 'Gedaan of vervallen'
};

export interface MyAction {
	caseId: number;
	caseCode: string;
	/** whether the case page may be opened (the link is shown only then) */
	caseLink: boolean;
	tableId: number;
	tableName: string;
	actionId: string;
	text: string;
	leefgebied: string;
	actiehouderName: string;
	organisationName: string;
	/** YYYY-MM-DD or '' */
	deadline: string;
	status: ActionStatus;
	note: string;
	/** I am its actiehouder */
	mine: boolean;
	/** the deadline has passed (before today in the Netherlands) and it is open or in progress */
	overdue: boolean;
	/** whole days past the deadline, when overdue */
	daysLate: number;
	group: ActionGroup;
	/** status and note may be changed by me */
	canUpdate: boolean;
}

export interface MyActions {
	/** today in the Netherlands, YYYY-MM-DD */
	today: string;
	/** the last day that counts as "deze week" (today + 6) */
	weekEnd: string;
	filters: ActionFilters;
	/** the actor directs at least one case they may view: the casemanager's view */
	isCasemanager: boolean;
	/** what the table and case filters offer: every table and case of an action I follow */
	tables: { id: number; name: string }[];
	cases: { id: number; code: string }[];
	/** the actions that pass the filters, sorted, in their groups (empty groups included) */
	groups: { key: ActionGroup; label: string; rows: MyAction[] }[];
	total: number;
	/** every action I follow, overdue ones, whatever the filters */
	overdueTotal: number;
}

const dutch = new Intl.Collator('nl', { numeric: true });
const DAY = 86_400_000;
const plusDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
const isStatus = (s: string): s is ActionStatus => (ACTION_STATUSES as readonly string[]).includes(s);
const OPEN: readonly string[] = ['open', 'bezig'];

function groupOf(status: string, deadline: string, today: string, weekEnd: string): ActionGroup {
	if (!OPEN.includes(status)) return 'afgerond';
	if (!deadline) return 'zonder-deadline';
	if (deadline < today) return 'te-laat';
	return deadline <= weekEnd ? 'deze-week' : 'later';
}

function passesStatus(filter: StatusFilter, status: ActionStatus): boolean {
	if (filter === 'alle') return true;
	if (filter === 'lopend') return OPEN.includes(status);
	return filter === status;
}

/**
 * What `loadFacts(db, actor, { kind: 'case', caseId })` says about each of many cases, in one
 * query per 500 cases instead of two per case: the actor's role at the case's table, whether
 * the actor's organisation holds active access, and whether the actor directs the case now.
 * A case that does not exist is left out (where loadFacts returns null).
 */
export async function caseFacts(db: Executor, actor: Actor, caseIds: number[]): Promise<Map<number, Facts>> {
	const out = new Map<number, Facts>();
	for (let i = 0; i < caseIds.length; i += 500) {
		const rows = await db
			.selectFrom('cases')
			.leftJoin('memberships', (j) =>
				j.onRef('memberships.case_table_id', '=', 'cases.case_table_id').on('memberships.user_id', '=', actor.userId)
			)
			.leftJoin('case_access', (j) =>
				j
					.onRef('case_access.case_id', '=', 'cases.id')
					.on('case_access.organisation_id', '=', actor.organisationId)
					.on('case_access.withdrawn_at', 'is', null)
			)
			.select((eb) => [
				'cases.id',
				'memberships.role',
				'case_access.id as access_id',
				eb
					.exists(
						eb
							.selectFrom('regie_assignments')
							.select('regie_assignments.id')
							.whereRef('regie_assignments.case_id', '=', 'cases.id')
							.where('regie_assignments.user_id', '=', actor.userId)
							.where('regie_assignments.ended_at', 'is', null)
					)
					.as('is_regisseur')
			])
			.where('cases.id', 'in', caseIds.slice(i, i + 500))
			.execute();
		for (const row of rows) {
			if (out.has(row.id)) continue; // as loadFacts: the first row
			out.set(row.id, {
				tableRole: (row.role as TableRole | null) ?? null,
				organisationHasCaseAccess: row.access_id !== null,
				isRegisseur: Boolean(row.is_regisseur)
			});
		}
	}
	return out;
}

/**
 * The actions the actor follows. An action is listed when the actor holds it and the policy's
 * actiehouder rule allows them to (`mayHoldAction`: active, organisation with access), or when the
 * actor is the case's active regisseur and may view the case. The case link is offered only to
 * who may view the case.
 */
export async function myActions(ctx: AppContext, actor: Actor, filters: ActionFilters = DEFAULT_FILTERS): Promise<MyActions> {
	const { db } = ctx;
	const today = todayIn(ctx.now());
	const weekEnd = plusDays(today, 6);

	const regie = await db
		.selectFrom('regie_assignments')
		.select('case_id')
		.distinct()
		.where('user_id', '=', actor.userId)
		.where('ended_at', 'is', null)
		.execute();
	const regieCases = new Set(regie.map((r) => r.case_id));

	// Every action the actor follows, per case: whether one is theirs, and how many are overdue
	// (theirs, all). This gives the table and case filters and the overdue count whatever the
	// filters are, so the rows themselves are read only where the filters may show them.
	const follows = (eb: ExpressionBuilder<DB, 'action_rows'>) =>
		eb.or([
			eb('action_rows.actiehouder_id', '=', actor.userId),
			...(regieCases.size > 0 ? [eb('action_rows.case_id', 'in', [...regieCases])] : [])
		]);
	// a status outside the four counts as open, as isStatus() below treats it
	const overdue = sql<number>`(action_rows.status not in ('gedaan', 'vervallen') and action_rows.deadline <> '' and action_rows.deadline < ${today})`;
	const holds = sql<number>`coalesce(action_rows.actiehouder_id = ${actor.userId}, 0)`;
	const followedCases = await db
		.selectFrom('action_rows')
		.innerJoin('cases', 'cases.id', 'action_rows.case_id')
		.innerJoin('case_tables', 'case_tables.id', 'cases.case_table_id')
		.select((eb) => [
			'action_rows.case_id',
			'cases.code',
			'case_tables.id as table_id',
			'case_tables.name as table_name',
			eb.fn.max(holds).as('any_mine'),
			eb.fn.sum(sql<number>`${overdue} and ${holds}`).as('overdue_mine'),
			eb.fn.sum(overdue).as('overdue_all')
		])
		.where(follows)
		.groupBy('action_rows.case_id')
		.execute();

	// the rows the filters may show (each still passes the same checks below)
	const unwanted = filters.status === 'alle' ? [] : ['gedaan', 'vervallen'].filter((s) => s !== filters.status);
	const scoped = filters.scope === 'regie' && regieCases.size === 0;
	const rows = scoped
		? []
		: await db
				.selectFrom('action_rows')
				.innerJoin('cases', 'cases.id', 'action_rows.case_id')
				.innerJoin('case_tables', 'case_tables.id', 'cases.case_table_id')
				.leftJoin('users as holder', 'holder.id', 'action_rows.actiehouder_id')
				.leftJoin('organisations as holder_org', 'holder_org.id', 'action_rows.organisation_id')
				.select([
					'action_rows.case_id',
					'action_rows.action_id',
					'action_rows.position',
					'action_rows.text',
					'action_rows.actiehouder_id',
					'action_rows.deadline',
					'action_rows.status',
					'action_rows.leefgebied',
					'action_rows.note',
					'cases.code',
					'case_tables.id as table_id',
					'case_tables.name as table_name',
					'holder.name as holder_name',
					'holder_org.name as holder_org_name'
				])
				.where((eb) =>
					filters.scope === 'mijn'
						? eb('action_rows.actiehouder_id', '=', actor.userId)
						: filters.scope === 'regie'
							? eb('action_rows.case_id', 'in', [...regieCases])
							: follows(eb)
				)
				.$if(unwanted.length > 0, (q) => q.where('action_rows.status', 'not in', unwanted))
				.$if(filters.caseId !== null, (q) => q.where('action_rows.case_id', '=', filters.caseId!))
				.$if(filters.tableId !== null, (q) => q.where('cases.case_table_id', '=', filters.tableId!))
				.execute();

	// what the policy says per case, the facts of all cases loaded at once
	const perCase = new Map<number, { canView: boolean; orgAccess: boolean; facts: Facts }>();
	for (const [caseId, facts] of await caseFacts(db, actor, [...new Set([...followedCases.map((r) => r.case_id), ...regieCases])])) {
		perCase.set(caseId, { canView: decide(actor, 'case.view', facts), orgAccess: facts.organisationHasCaseAccess, facts });
	}
	const isCasemanager = [...regieCases].some((id) => perCase.get(id)?.canView);
	// holding an action counts only where the policy's actiehouder rule allows it (mayHoldAction)
	const mayHold = await casesUserMayHold(db, actor.userId, followedCases.map((r) => r.case_id));

	// the table and case filters offer what has a visible action; the overdue count is of those
	const tables = new Map<number, string>();
	const cases = new Map<number, string>();
	let overdueTotal = 0;
	for (const c of followedCases) {
		const policy = perCase.get(c.case_id);
		if (!policy) continue;
		const asRegisseur = regieCases.has(c.case_id) && policy.canView;
		const asHolder = Number(c.any_mine) === 1 && mayHold.has(c.case_id);
		if (!asRegisseur && !asHolder) continue;
		tables.set(c.table_id, c.table_name);
		cases.set(c.case_id, c.code);
		overdueTotal += Number(asRegisseur ? c.overdue_all : c.overdue_mine);
	}

	const visible: MyAction[] = [];
	for (const r of rows) {
		const policy = perCase.get(r.case_id);
		if (!policy) continue;
		const mine = r.actiehouder_id === actor.userId;
		const asHolder = mine && mayHold.has(r.case_id);
		const asRegisseur = regieCases.has(r.case_id) && policy.canView;
		if (!asHolder && !asRegisseur) continue;
		const status: ActionStatus = isStatus(r.status) ? r.status : 'open';
		const group = groupOf(status, r.deadline, today, weekEnd);
		visible.push({
			caseId: r.case_id,
			caseCode: r.code,
			caseLink: policy.canView,
			tableId: r.table_id,
			tableName: r.table_name,
			actionId: r.action_id,
			text: r.text,
			leefgebied: r.leefgebied,
			actiehouderName: r.holder_name ?? '',
			organisationName: r.holder_org_name ?? '',
			deadline: r.deadline,
			status,
			note: r.note,
			mine,
			overdue: group === 'te-laat',
			daysLate: group === 'te-laat' ? daysBetween(r.deadline, today) : 0,
			group,
			canUpdate: decide(actor, 'action.update', { ...policy.facts, isActiehouder: mine })
		});
	}

	visible.sort(
		(a, b) =>
			ACTION_GROUPS.indexOf(a.group) - ACTION_GROUPS.indexOf(b.group) ||
			// a date sorts as text; an empty deadline goes last
			(a.deadline === b.deadline ? 0 : !a.deadline ? 1 : !b.deadline ? -1 : a.deadline < b.deadline ? -1 : 1) ||
			dutch.compare(a.caseCode, b.caseCode) ||
			dutch.compare(a.text, b.text)
	);

	const shown = visible.filter(
		(a) =>
			(filters.scope === 'alle' || (filters.scope === 'mijn' ? a.mine : regieCases.has(a.caseId))) &&
			(filters.tableId === null || a.tableId === filters.tableId) &&
			(filters.caseId === null || a.caseId === filters.caseId) &&
			passesStatus(filters.status, a.status)
	);

	return {
		today,
		weekEnd,
		filters,
		isCasemanager,
		tables: [...tables].map(([id, name]) => ({ id, name })).sort((a, b) => dutch.compare(a.name, b.name)),
		cases: [...cases].map(([id, code]) => ({ id, code })).sort((a, b) => dutch.compare(a.code, b.code)),
		groups: ACTION_GROUPS.map((key) => ({ key, label: ACTION_GROUP_LABELS[key], rows: shown.filter((a) => a.group === key) })),
		total: shown.length,
		overdueTotal
	};
}

export const NOTE_MAX = 300;

const statusMessage = `Kies een status: ${ACTION_STATUSES.map((s) => ACTION_STATUS_LABELS[s]).join(', ')}.`;
const UpdateInput = z
	.object({
		status: z.enum(ACTION_STATUSES, { error: statusMessage }).optional(),
		note: z
			.string({ error: 'Schrijf de notitie als tekst.' })
			.trim()
			.max(NOTE_MAX, `Houd de notitie kort: hoogstens ${NOTE_MAX} tekens.`)
			.optional()
	})
	.refine((v) => v.status !== undefined || v.note !== undefined, { message: 'Er is niets om op te slaan.', path: ['form'] });

const ACTION_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface UpdateResult {
	text: string;
	status: ActionStatus;
	note: string;
}

/**
 * Changes an action's status and/or note in the case document, as the server, so that every
 * open meeting and laptop sees it at once; the audit log records what changed, without the note.
 */
export async function updateAction(
	ctx: AppContext,
	actor: Actor,
	caseId: number,
	actionId: string,
	input: { status?: unknown; note?: unknown },
	meta: { ip: string | null } = { ip: null }
): Promise<UpdateResult> {
	const { db } = ctx;
	if (!ACTION_ID.test(actionId)) throw notFound();
	await authorize(db, actor, 'action.update', { kind: 'action', caseId, actionId });
	const parsed = UpdateInput.safeParse(input);
	if (!parsed.success) {
		const fields: Record<string, string> = {};
		for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? 'form')] ??= issue.message;
		throw invalidInput(fields, Object.values(fields)[0] ?? 'Controleer de invoer.');
	}
	const { status, note } = parsed.data;
	const hub = ctx.realtime?.hub;
	if (!hub) throw new Error('the document hub is not running');

	const docName = `case:${caseId}`;
	const current = await hub.read(docName, (doc) => readActions(doc).find((a) => a.id === actionId));
	// gone from the document since the projection saw it: as if it never existed
	if (!current) throw notFound();
	const patch: { status?: ActionStatus; note?: string } = {};
	if (status !== undefined && status !== current.status) patch.status = status;
	if (note !== undefined && note !== (current.note ?? '')) patch.note = note;
	if (Object.keys(patch).length > 0) {
		await hub.change(docName, 'mijn acties', (doc) => updateActionIn(doc, actionId, patch));
	}
	await recordAudit(db, {
		at: ctx.now(),
		userId: actor.userId,
		organisationId: actor.organisationId,
		action: 'action.update',
		caseId,
		detail: {
			actionId,
			...(status !== undefined ? { status } : {}),
			noteChanged: patch.note !== undefined
		},
		ip: meta.ip
	});
	return { text: current.text, status: patch.status ?? current.status, note: patch.note ?? current.note ?? '' };
}
