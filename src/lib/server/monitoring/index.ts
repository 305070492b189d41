import { z } from 'zod';
import type { AppContext } from '../context';
import type { Executor } from '../db/index';
import { recordAudit } from '../audit/index';
import { invalidInput, notFound } from '../errors';
import { authorize, can, type Actor } from '../policy/index';
import { todayIn } from '../cases/lifecycle';
import { openCaseload, tableTypeOfTable } from '../tables/types';
import { CASE_STATUSES, CASE_STATUS_LABELS, ROLE_LABELS, type CaseStatus, type TableRole } from '../../shared/roles';
import { relapseMonths } from '../admin/region-settings';

/**
 * Monitoring per table (issue 5 item 6): "tellen en vertellen". The figures are counts only,
 * never persons, names or case codes, so a table's chair can share them with the region and
 * the municipality; beside them, the table's own evaluation notes.
 *
 * Who may see a table's figures: its chair. The policy has no operation of its own for this;
 * 'request.triage' on the table is exactly "voorzitter or secretaris of this table", so that is
 * what is asked. The region overview is for the beheerder ('admin.manage') and for anyone who
 * chairs a table, each seeing the tables they may see.
 */

// ---- the figures ----

export interface ActionCounts {
	organisation: string;
	/** open or bezig, whether late or not */
	open: number;
	gedaan: number;
	/** open or bezig with a deadline before today (Europe/Amsterdam); a part of `open` */
	overdue: number;
}

export interface TableFigures {
	table: { id: number; name: string; typeName: string; codePrefix: string };
	/** YYYY-MM-DD, Europe/Amsterdam: the day the figures are about */
	today: string;
	caseload: { open: number; cap: number | null };
	byStatus: { status: CaseStatus; label: string; count: number }[];
	firstBespreking: {
		/** accepted aanmeldingen whose case was discussed afterwards */
		count: number;
		/** median days from aanmelding to that first bespreking; null without any */
		medianDays: number | null;
		/** accepted aanmeldingen whose case has not been discussed since */
		waiting: number;
	};
	actions: ActionCounts[];
	regie: { openCases: number; withCasusregisseur: number; percentage: number | null };
	terugval: { months: number; requests: number; cases: number };
	reviews: { inMonitoring: number; missed: number };
	escalations: { open: number; resolved: number };
}

const DAY_MS = 86_400_000;
const NO_ORGANISATION = 'Zonder organisatie';

/** The median of a list of numbers; null for an empty list. */
export function median(values: number[]): number | null {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function monthsBefore(now: Date, months: number): string {
	const d = new Date(now);
	d.setUTCMonth(d.getUTCMonth() - months);
	return d.toISOString();
}

const count = (row: { n: number | string | bigint } | undefined) => Number(row?.n ?? 0);

/** Computes a table's figures; no authorization here: the callers below do it. */
async function computeFigures(db: Executor, tableId: number, now: Date): Promise<TableFigures> {
	const table = await db
		.selectFrom('case_tables')
		.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
		.select(['case_tables.id', 'case_tables.name', 'case_tables.code_prefix', 'table_types.name as typeName'])
		.where('case_tables.id', '=', tableId)
		.executeTakeFirst();
	if (!table) throw notFound();
	const type = await tableTypeOfTable(db, tableId);
	const today = todayIn(now);

	// cases by status
	const statusRows = await db
		.selectFrom('cases')
		.select(['status', (eb) => eb.fn.countAll<number>().as('n')])
		.where('case_table_id', '=', tableId)
		.groupBy('status')
		.execute();
	const byStatus = CASE_STATUSES.map((status) => ({
		status,
		label: CASE_STATUS_LABELS[status],
		count: count(statusRows.find((r) => r.status === status))
	}));

	// from aanmelding to the first bespreking after it
	const accepted = await db
		.selectFrom('requests')
		.select(['requests.created_at', 'requests.case_id'])
		.where('requests.case_table_id', '=', tableId)
		.where('requests.case_id', 'is not', null)
		.execute();
	const days: number[] = [];
	let waiting = 0;
	for (const r of accepted) {
		const first = await db
			.selectFrom('item_closures')
			.select((eb) => eb.fn.min('closed_at').as('at'))
			.where('case_id', '=', r.case_id)
			.where('closed_at', '>=', r.created_at)
			.executeTakeFirst();
		if (first?.at) days.push((Date.parse(first.at) - Date.parse(r.created_at)) / DAY_MS);
		else waiting += 1;
	}

	// actions per organisation
	const actionRows = await db
		.selectFrom('action_rows')
		.innerJoin('cases', 'cases.id', 'action_rows.case_id')
		.leftJoin('organisations', 'organisations.id', 'action_rows.organisation_id')
		.select(['organisations.name as organisation', 'action_rows.status', 'action_rows.deadline'])
		.where('cases.case_table_id', '=', tableId)
		.execute();
	const perOrganisation = new Map<string, ActionCounts>();
	for (const a of actionRows) {
		const name = a.organisation ?? NO_ORGANISATION;
		const counts = perOrganisation.get(name) ?? { organisation: name, open: 0, gedaan: 0, overdue: 0 };
		if (a.status === 'open' || a.status === 'bezig') {
			counts.open += 1;
			if (a.deadline !== '' && a.deadline < today) counts.overdue += 1;
		} else if (a.status === 'gedaan') {
			counts.gedaan += 1;
		}
		perOrganisation.set(name, counts);
	}
	const actions = [...perOrganisation.values()]
		.filter((c) => c.open + c.gedaan > 0)
		.sort((a, b) => a.organisation.localeCompare(b.organisation, 'nl'));

	// casusregie over the cases that are not closed
	const openCases = await openCaseload(db, tableId);
	const withRegie = await db
		.selectFrom('cases')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('cases.case_table_id', '=', tableId)
		.where('cases.status', '!=', 'afgesloten')
		.where((eb) =>
			eb.exists(
				eb
					.selectFrom('regie_assignments')
					.select('regie_assignments.id')
					.whereRef('regie_assignments.case_id', '=', 'cases.id')
					.where('regie_assignments.kind', '=', 'casusregisseur')
					.where('regie_assignments.ended_at', 'is', null)
					.where('regie_assignments.user_id', 'is not', null)
			)
		)
		.executeTakeFirst();
	const withCasusregisseur = count(withRegie);

	// terugval within the region's period (twelve months unless a beheerder set another)
	const relapsePeriod = await relapseMonths(db);
	const since = monthsBefore(now, relapsePeriod);
	const relapseRequests = await db
		.selectFrom('requests')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('case_table_id', '=', tableId)
		.where('relapse_case_id', 'is not', null)
		.where('created_at', '>=', since)
		.executeTakeFirst();
	const relapseCases = await db
		.selectFrom('cases')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('case_table_id', '=', tableId)
		.where('previous_case_id', 'is not', null)
		.where('created_at', '>=', since)
		.executeTakeFirst();

	// interim reviews
	const inMonitoring = byStatus.find((s) => s.status === 'monitoring')!.count;
	const missed = await db
		.selectFrom('cases')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('case_table_id', '=', tableId)
		.where('status', '=', 'monitoring')
		.where('review_date', 'is not', null)
		.where('review_date', '<', today)
		.executeTakeFirst();

	// escalations
	const escalationRows = await db
		.selectFrom('escalations')
		.innerJoin('cases', 'cases.id', 'escalations.case_id')
		.select(['escalations.resolved_at'])
		.where('cases.case_table_id', '=', tableId)
		.execute();
	const resolved = escalationRows.filter((e) => e.resolved_at !== null).length;

	return {
		table: { id: table.id, name: table.name, typeName: table.typeName, codePrefix: table.code_prefix },
		today,
		caseload: { open: openCases, cap: type.caseloadCap },
		byStatus,
		firstBespreking: { count: days.length, medianDays: median(days), waiting },
		actions,
		regie: {
			openCases,
			withCasusregisseur,
			percentage: openCases === 0 ? null : Math.round((withCasusregisseur / openCases) * 100)
		},
		terugval: { months: relapsePeriod, requests: count(relapseRequests), cases: count(relapseCases) },
		reviews: { inMonitoring, missed: count(missed) },
		escalations: { open: escalationRows.length - resolved, resolved }
	};
}

/** Only the chair of the table: 'request.triage' is exactly "voorzitter or secretaris here". */
async function authorizeChair(db: Executor, actor: Actor, tableId: number): Promise<void> {
	await authorize(db, actor, 'request.triage', { kind: 'table', tableId });
}

/** The figures of one table, for its chair. */
export async function tableFigures(ctx: AppContext, actor: Actor, tableId: number): Promise<TableFigures> {
	await authorizeChair(ctx.db, actor, tableId);
	return computeFigures(ctx.db, tableId, ctx.now());
}

// ---- one list of figures for the page and the CSV ----

/** One figure as the page shows it and the CSV holds it: section, label, value. */
export interface Figure {
	section: string;
	label: string;
	value: string;
}

export const SECTIONS = {
	caseload: 'Caseload',
	status: 'Casussen per status',
	firstBespreking: 'Van aanmelding tot eerste bespreking',
	actions: 'Acties per organisatie',
	regie: 'Casusregie',
	terugval: 'Terugval in de afgelopen 12 maanden',
	reviews: 'Tussentijds toetsen',
	escalations: 'Escalaties'
} as const;

export const ACTION_COLUMNS = { open: 'open', gedaan: 'gedaan', overdue: 'te laat' } as const;

const decimal = new Intl.NumberFormat('nl-NL', { maximumFractionDigits: 1, useGrouping: false });
/** Dutch number: "12,5"; a missing value reads "n.v.t." (niet van toepassing). */
export const formatNumber = (n: number | null) => (n === null ? 'n.v.t.' : decimal.format(n));

/** The label of one organisation's column in the actions section, e.g. "GGZ Voorbeeld: te laat". */
export const actionLabel = (organisation: string, column: keyof typeof ACTION_COLUMNS) => `${organisation}: ${ACTION_COLUMNS[column]}`;

/** Every figure of the page, in the page's order; the CSV is exactly this list. */
export function figureList(f: TableFigures): Figure[] {
	const out: Figure[] = [];
	const add = (section: string, label: string, value: number | null) => out.push({ section, label, value: formatNumber(value) });
	add(SECTIONS.caseload, 'Lopende casussen', f.caseload.open);
	add(SECTIONS.caseload, 'Plafond', f.caseload.cap);
	for (const s of f.byStatus) add(SECTIONS.status, s.label, s.count);
	add(SECTIONS.firstBespreking, 'Aanmeldingen besproken', f.firstBespreking.count);
	add(SECTIONS.firstBespreking, 'Mediaan in dagen', f.firstBespreking.medianDays);
	add(SECTIONS.firstBespreking, 'Geaccepteerd, nog niet besproken', f.firstBespreking.waiting);
	for (const a of f.actions) {
		add(SECTIONS.actions, actionLabel(a.organisation, 'open'), a.open);
		add(SECTIONS.actions, actionLabel(a.organisation, 'gedaan'), a.gedaan);
		add(SECTIONS.actions, actionLabel(a.organisation, 'overdue'), a.overdue);
	}
	add(SECTIONS.regie, 'Lopende casussen', f.regie.openCases);
	add(SECTIONS.regie, 'Met een casusregisseur', f.regie.withCasusregisseur);
	add(SECTIONS.regie, 'Aandeel met casusregisseur (%)', f.regie.percentage);
	add(SECTIONS.terugval, 'Aanmeldingen met mogelijke terugval', f.terugval.requests);
	add(SECTIONS.terugval, 'Casussen die terugkwamen na een eerdere casus', f.terugval.cases);
	add(SECTIONS.reviews, 'Casussen in monitoring', f.reviews.inMonitoring);
	add(SECTIONS.reviews, 'Toetsdatum verstreken', f.reviews.missed);
	add(SECTIONS.escalations, 'Lopend', f.escalations.open);
	add(SECTIONS.escalations, 'Afgerond', f.escalations.resolved);
	return out;
}

/** A CSV field for Dutch Excel: quoted when needed, and never read as a formula. */
function csvField(value: string): string {
	const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d/.test(value) ? `'${value}` : value;
	return /[;"\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The figures as CSV: `;`-separated, Dutch headers, CRLF, UTF-8 with a BOM so Excel reads it right. */
export function figuresCsv(figures: Figure[]): string {
	const lines = [['Onderdeel', 'Omschrijving', 'Waarde'], ...figures.map((f) => [f.section, f.label, f.value])];
	return '\uFEFF' + lines.map((l) => l.map(csvField).join(';')).join('\r\n') + '\r\n';
}

/** A file name for the download: "monitoring-T150-2026-03-02.csv". */
export function csvFileName(f: TableFigures): string {
	const prefix = f.table.codePrefix.replace(/[^A-Za-z0-9-]/g, '') || 'tafel';
	return `monitoring-${prefix}-${f.today}.csv`;
}

// ---- the region overview ----

export interface RegionRow {
	tableId: number;
	name: string;
	typeName: string;
	caseloadOpen: number;
	caseloadCap: number | null;
	actionsOverdue: number;
	reviewsMissed: number;
	escalationsOpen: number;
	regiePercentage: number | null;
	/** the actor chairs this table and may open its monitoring page */
	canOpen: boolean;
}

/**
 * The tables whose headline figures the actor may see: every table for the beheerder, and the
 * tables they chair. NOT_FOUND for anyone else, as for a page that does not exist.
 */
export async function regionOverview(ctx: AppContext, actor: Actor): Promise<{ isAdmin: boolean; rows: RegionRow[] }> {
	const { db } = ctx;
	const isAdmin = await can(db, actor, 'admin.manage', { kind: 'region' });
	const tables = await db
		.selectFrom('case_tables')
		.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
		.select(['case_tables.id', 'case_tables.name', 'table_types.name as typeName'])
		.orderBy('case_tables.name')
		.execute();
	const rows: RegionRow[] = [];
	for (const t of tables) {
		const chair = await can(db, actor, 'request.triage', { kind: 'table', tableId: t.id });
		if (!chair && !isAdmin) continue;
		const f = await computeFigures(db, t.id, ctx.now());
		rows.push({
			tableId: t.id,
			name: t.name,
			typeName: t.typeName,
			caseloadOpen: f.caseload.open,
			caseloadCap: f.caseload.cap,
			actionsOverdue: f.actions.reduce((sum, a) => sum + a.overdue, 0),
			reviewsMissed: f.reviews.missed,
			escalationsOpen: f.escalations.open,
			regiePercentage: f.regie.percentage,
			canOpen: chair
		});
	}
	if (!isAdmin && rows.length === 0) throw notFound();
	return { isAdmin, rows };
}

// ---- evaluation notes: the story beside the counts ----

export interface EvaluationView {
	id: number;
	period: string;
	text: string;
	createdAt: string;
	/** the author's role at the table now ("Voorzitter"), never their name; null when no longer a member */
	authorRole: string | null;
}

export const EVALUATION_MAX = 4000;

const EvaluationInput = z.object({
	period: z
		.string({ error: 'Vul de periode in, bijvoorbeeld 2026 Q4.' })
		.trim()
		.min(2, 'Vul de periode in, bijvoorbeeld 2026 Q4.')
		.max(40, 'Gebruik voor de periode hoogstens 40 tekens.'),
	text: z
		.string({ error: 'Schrijf de evaluatie.' })
		.trim()
		.min(10, 'Schrijf minstens 10 tekens.')
		.max(EVALUATION_MAX, `Gebruik hoogstens ${EVALUATION_MAX} tekens.`)
});

/** The period a new note is most likely about: the current quarter, "2026 Q1". */
export function currentPeriod(now: Date): string {
	const [year, month] = todayIn(now).split('-').map(Number) as [number, number];
	return `${year} Q${Math.floor((month - 1) / 3) + 1}`;
}

/** The table's evaluation notes, newest first. */
export async function listEvaluations(ctx: AppContext, actor: Actor, tableId: number): Promise<EvaluationView[]> {
	const { db } = ctx;
	await authorizeChair(db, actor, tableId);
	const rows = await db
		.selectFrom('table_evaluations')
		.leftJoin('memberships', (j) =>
			j
				.onRef('memberships.user_id', '=', 'table_evaluations.author_id')
				.onRef('memberships.case_table_id', '=', 'table_evaluations.case_table_id')
		)
		.select([
			'table_evaluations.id',
			'table_evaluations.period',
			'table_evaluations.text',
			'table_evaluations.created_at',
			'memberships.role'
		])
		.where('table_evaluations.case_table_id', '=', tableId)
		.orderBy('table_evaluations.created_at', 'desc')
		.orderBy('table_evaluations.id', 'desc')
		.execute();
	return rows.map((r) => ({
		id: r.id,
		period: r.period,
		text: r.text,
		createdAt: r.created_at,
		authorRole: r.role ? (ROLE_LABELS[r.role as TableRole] ?? null) : null
	}));
}

/** The chair writes an evaluation note; the audit log records that (not the text). */
export async function addEvaluation(
	ctx: AppContext,
	actor: Actor,
	tableId: number,
	input: { period: string; text: string },
	meta: { ip: string | null }
): Promise<number> {
	const { db } = ctx;
	await authorizeChair(db, actor, tableId);
	const parsed = EvaluationInput.safeParse(input);
	if (!parsed.success) {
		const fields: Record<string, string> = {};
		for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? 'form')] ??= issue.message;
		throw invalidInput(fields, 'Controleer de invoer. Wat er mis is, staat bij het veld.');
	}
	const now = ctx.now();
	return db.transaction().execute(async (trx) => {
		const row = await trx
			.insertInto('table_evaluations')
			.values({ case_table_id: tableId, period: parsed.data.period, text: parsed.data.text, author_id: actor.userId, created_at: now.toISOString() })
			.returning('id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'table.evaluation',
			detail: { tableId, evaluationId: row.id, period: parsed.data.period },
			ip: meta.ip
		});
		return row.id;
	});
}
