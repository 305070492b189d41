import { dateInNetherlands } from '../../shared/format';
import { z } from 'zod';
import type { AppContext } from '../context';
import type { Executor } from '../db/index';
import { recordAudit } from '../audit/index';
import { conflict, invalidInput, notFound } from '../errors';
import { authorize, can, type Actor } from '../policy/index';
import { tableTypeOfTable } from '../tables/types';
import { regieState } from './regie';
import { TEMPLATES, type OutputTemplate, type RegieState } from '../../shared/tables';
import type { CaseStatus } from '../../shared/roles';

/**
 * The case after its bespreking (issue 4 item 6): besproken → in uitvoering / monitoring (with
 * a review date and the table type's follow-up period) → afgesloten (outcome, nazorg), and
 * escalation when help stagnates. Reading needs 'case.view'; every change needs
 * 'case.lifecycle' (the chair, or the active regisseur whose organisation has access), checked
 * before any input is read, so a refusal looks the same whatever was posted.
 */

export const PHASES = ['in_uitvoering', 'monitoring'] as const;
export type Phase = (typeof PHASES)[number];

/** Where an escalation can go (doorzettingsmacht); the field is free text, these are suggestions. */
export const ESCALATION_TARGETS = [
	'Regiehouder met doorzettingsmacht',
	'Lokale taskforce gemeente',
	'Toetsingscommissie',
	'Directeur Zorg- en Veiligheidshuis'
] as const;

/** A case must have been discussed before it moves on; a closed case is reopened by a new aanmelding. */
const PHASE_FROM: readonly string[] = ['besproken', 'in_uitvoering', 'monitoring'];

// ---- calendar dates (YYYY-MM-DD) ----

/** Today's date in the Netherlands, as YYYY-MM-DD. */
export const todayIn = dateInNetherlands;

/** `date` plus whole months; the day is clamped to the month's last day (31 jan + 1 = 28/29 feb). */
export function addMonths(date: string, months: number): string {
	const [y, m, d] = date.split('-').map(Number) as [number, number, number];
	const index = y * 12 + (m - 1) + months;
	const year = Math.floor(index / 12);
	const month = (index % 12) + 1;
	const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
	const pad = (n: number, w = 2) => String(n).padStart(w, '0');
	return `${pad(year, 4)}-${pad(month)}-${pad(Math.min(d, last))}`;
}

/** Whether a string is a real calendar date in YYYY-MM-DD. */
export function isCalendarDate(value: string): boolean {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
	const d = new Date(`${value}T00:00:00Z`);
	return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

const DUTCH_NUMBERS = ['nul', 'één', 'twee', 'drie', 'vier', 'vijf', 'zes', 'zeven', 'acht', 'negen', 'tien'];

/** 36 → "drie jaar", 6 → "zes maanden", 18 → "18 maanden". */
export function periodInWords(months: number): string {
	const word = (n: number) => DUTCH_NUMBERS[n] ?? String(n);
	if (months % 12 === 0) return `${word(months / 12)} jaar`;
	return months === 1 ? 'één maand' : `${word(months)} maanden`;
}

const dutchDate = new Intl.DateTimeFormat('nl-NL', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const inWords = (date: string) => dutchDate.format(new Date(`${date}T00:00:00Z`));

// ---- reading ----

export interface EscalationView {
	id: number;
	reason: string;
	escalatedTo: string;
	raisedByName: string;
	raisedAt: string;
	outcome: string | null;
	resolvedByName: string | null;
	resolvedAt: string | null;
}

export interface BesprekingView {
	meetingId: number;
	meetingStartsAt: string;
	closedAt: string;
	closedByName: string;
	templateMissing: string[];
	templateReason: string | null;
	regieReason: string | null;
}

export interface CaseFollowUp {
	caseId: number;
	status: CaseStatus;
	legalFrame: string | null;
	reviewDate: string | null;
	followupUntil: string | null;
	outcome: string | null;
	nazorg: string | null;
	closedAt: string | null;
	/** the earlier case of the same person; null when none, or when the viewer may not see it */
	previousCase: { id: number; code: string; status: string; closedAt: string | null } | null;
	tableType: {
		name: string;
		outputTemplate: OutputTemplate;
		templateLabel: string;
		followupMonths: number | null;
		/** the follow-up period in words ("drie jaar"); null when the table has none */
		followupPeriod: string | null;
	};
	regie: RegieState;
	escalations: EscalationView[];
	besprekingen: BesprekingView[];
	/** the verzoek tot bespreking the case came from, if any */
	request: { organisationName: string; submittedByName: string; submittedAt: string; question: string } | null;
	/** today in the Netherlands, YYYY-MM-DD, so the page and the server agree on "the future" */
	today: string;
	/** what monitoring would run until when started today (or the current end while in monitoring) */
	defaultFollowupUntil: string | null;
	/** closing now needs a reason: the follow-up period of the table type has not ended yet */
	closeNeedsReason: boolean;
	canChange: boolean;
}

async function loadCaseRow(db: Executor, caseId: number) {
	const row = await db
		.selectFrom('cases')
		.select([
			'id',
			'case_table_id',
			'status',
			'legal_frame',
			'review_date',
			'followup_until',
			'outcome',
			'nazorg',
			'closed_at',
			'previous_case_id'
		])
		.where('id', '=', caseId)
		.executeTakeFirst();
	if (!row) throw notFound();
	return row;
}

function parseList(text: string): string[] {
	try {
		const v: unknown = JSON.parse(text);
		return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
	} catch {
		return [];
	}
}

/** The follow-up end that applies to entering or staying in monitoring today. */
function followupDefault(status: string, current: string | null, months: number | null, today: string): string | null {
	if (status === 'monitoring' && current) return current;
	return months === null ? null : addMonths(today, months);
}

/** Whether closing needs an explicit reason: the table follows cases and the period has not ended. */
function needsEarlyReason(status: string, followupUntil: string | null, months: number | null, today: string): boolean {
	return status !== 'afgesloten' && months !== null && followupUntil !== null && followupUntil > today;
}

/** Everything about a case after its bespreking, for someone who may see the case. */
export async function caseFollowUp(ctx: AppContext, actor: Actor, caseId: number): Promise<CaseFollowUp> {
	const { db } = ctx;
	await authorize(db, actor, 'case.view', { kind: 'case', caseId });
	const row = await loadCaseRow(db, caseId);
	const type = await tableTypeOfTable(db, row.case_table_id);
	const today = todayIn(ctx.now());

	let previousCase: CaseFollowUp['previousCase'] = null;
	if (row.previous_case_id !== null && (await can(db, actor, 'case.view', { kind: 'case', caseId: row.previous_case_id }))) {
		const prev = await db
			.selectFrom('cases')
			.select(['id', 'code', 'status', 'closed_at'])
			.where('id', '=', row.previous_case_id)
			.executeTakeFirst();
		if (prev) previousCase = { id: prev.id, code: prev.code, status: prev.status, closedAt: prev.closed_at };
	}

	const escalations = await db
		.selectFrom('escalations as e')
		.innerJoin('users as r', 'r.id', 'e.raised_by')
		.leftJoin('users as s', 's.id', 'e.resolved_by')
		.select([
			'e.id',
			'e.reason',
			'e.escalated_to',
			'r.name as raisedByName',
			'e.raised_at',
			'e.outcome',
			's.name as resolvedByName',
			'e.resolved_at'
		])
		.where('e.case_id', '=', caseId)
		.orderBy('e.raised_at', 'desc')
		.orderBy('e.id', 'desc')
		.execute();

	const closures = await db
		.selectFrom('item_closures as c')
		.innerJoin('meetings as m', 'm.id', 'c.meeting_id')
		.innerJoin('users as u', 'u.id', 'c.closed_by')
		.select([
			'c.meeting_id',
			'm.starts_at',
			'c.closed_at',
			'u.name as closedByName',
			'c.template_missing',
			'c.template_reason',
			'c.regie_reason'
		])
		.where('c.case_id', '=', caseId)
		.orderBy('m.starts_at', 'desc')
		.orderBy('c.id', 'desc')
		.execute();

	const request = await db
		.selectFrom('requests as q')
		.innerJoin('organisations as o', 'o.id', 'q.organisation_id')
		.innerJoin('users as u', 'u.id', 'q.submitted_by')
		.select(['o.name as organisationName', 'u.name as submittedByName', 'q.created_at', 'q.question'])
		.where('q.case_id', '=', caseId)
		.orderBy('q.created_at', 'desc')
		.executeTakeFirst();

	return {
		caseId,
		status: row.status as CaseStatus,
		legalFrame: row.legal_frame,
		reviewDate: row.review_date,
		followupUntil: row.followup_until,
		outcome: row.outcome,
		nazorg: row.nazorg,
		closedAt: row.closed_at,
		previousCase,
		tableType: {
			name: type.name,
			outputTemplate: type.outputTemplate,
			templateLabel: TEMPLATES[type.outputTemplate].label,
			followupMonths: type.followupMonths,
			followupPeriod: type.followupMonths === null ? null : periodInWords(type.followupMonths)
		},
		regie: await regieState(db, caseId),
		escalations: escalations.map((e) => ({
			id: e.id,
			reason: e.reason,
			escalatedTo: e.escalated_to,
			raisedByName: e.raisedByName,
			raisedAt: e.raised_at,
			outcome: e.outcome,
			resolvedByName: e.resolvedByName,
			resolvedAt: e.resolved_at
		})),
		besprekingen: closures.map((c) => ({
			meetingId: c.meeting_id,
			meetingStartsAt: c.starts_at,
			closedAt: c.closed_at,
			closedByName: c.closedByName,
			templateMissing: parseList(c.template_missing),
			templateReason: c.template_reason,
			regieReason: c.regie_reason
		})),
		request: request
			? {
					organisationName: request.organisationName,
					submittedByName: request.submittedByName,
					submittedAt: request.created_at,
					question: request.question
				}
			: null,
		today,
		defaultFollowupUntil: followupDefault(row.status, row.followup_until, type.followupMonths, today),
		closeNeedsReason: needsEarlyReason(row.status, row.followup_until, type.followupMonths, today),
		canChange: await can(db, actor, 'case.lifecycle', { kind: 'case', caseId })
	};
}

// ---- input ----

/** Form input arrives as strings; empty optional fields count as not given. */
const optionalText = (max: number, message: string) =>
	z
		.string()
		.trim()
		.max(max, message)
		.optional()
		.transform((v) => (v ? v : undefined));

const dateField = (required: string) =>
	z
		.string({ error: required })
		.trim()
		.min(1, required)
		.refine(isCalendarDate, 'Vul een geldige datum in, zoals 2026-09-30.');

const optionalDate = z
	.string()
	.trim()
	.optional()
	.transform((v) => (v ? v : undefined))
	.refine((v) => v === undefined || isCalendarDate(v), 'Vul een geldige datum in, zoals 2026-09-30.');

const PhaseInput = z.object({
	phase: z.enum(PHASES, { error: 'Kies in uitvoering of monitoring.' }),
	reviewDate: optionalDate,
	followupUntil: optionalDate
});

const CloseInput = z.object({
	outcome: z
		.string({ error: 'Beschrijf de uitkomst.' })
		.trim()
		.min(10, 'Beschrijf de uitkomst in minstens 10 tekens.')
		.max(2000, 'Gebruik voor de uitkomst hoogstens 2000 tekens.'),
	nazorg: optionalText(2000, 'Gebruik voor de nazorgafspraken hoogstens 2000 tekens.'),
	earlyReason: optionalText(1000, 'Gebruik voor de reden hoogstens 1000 tekens.')
});

const EscalationInput = z.object({
	reason: z
		.string({ error: 'Beschrijf waarom de hulp stagneert.' })
		.trim()
		.min(10, 'Beschrijf in minstens 10 tekens waarom de hulp stagneert.')
		.max(1000, 'Gebruik voor de reden hoogstens 1000 tekens.'),
	escalatedTo: z
		.string({ error: 'Vul in naar wie de escalatie gaat.' })
		.trim()
		.min(1, 'Vul in naar wie de escalatie gaat, bijvoorbeeld de lokale taskforce.')
		.max(200, 'Gebruik hoogstens 200 tekens voor naar wie de escalatie gaat.')
});

const ResolveInput = z.object({
	outcome: z
		.string({ error: 'Beschrijf de uitkomst van de escalatie.' })
		.trim()
		.min(10, 'Beschrijf de uitkomst van de escalatie in minstens 10 tekens.')
		.max(2000, 'Gebruik voor de uitkomst hoogstens 2000 tekens.')
});

const CHECK_FIELDS = 'Controleer de invoer. Wat er mis is, staat bij het veld.';

/** Validates service input; the first Dutch message per field, as the forms show them. */
function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
	const parsed = schema.safeParse(input);
	if (!parsed.success) {
		const fields: Record<string, string> = {};
		for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? 'form')] ??= issue.message;
		throw invalidInput(fields, CHECK_FIELDS);
	}
	return parsed.data;
}

const NOT_DISCUSSED = 'Deze casus is nog niet besproken. Een casus gaat pas in uitvoering of monitoring nadat de tafel hem heeft besproken.';
const CLOSED = 'Deze casus is afgesloten. Een nieuwe aanmelding opent hem opnieuw.';

// ---- changes ----

export interface SetPhaseInput {
	phase: string;
	reviewDate?: string;
	followupUntil?: string;
}

/**
 * Moves a discussed case to in uitvoering or monitoring. Monitoring needs a review date in the
 * future (tussentijds toetsen) and runs at least the table type's follow-up period: the end
 * defaults to today plus that period (or stays where it is while the case is in monitoring) and
 * may be later, never earlier. Back to in uitvoering ends the follow-up period (a follow-up
 * date sent along is ignored); the next monitoring starts a new one.
 */
export async function setPhase(ctx: AppContext, actor: Actor, caseId: number, input: SetPhaseInput): Promise<void> {
	const { db } = ctx;
	await authorize(db, actor, 'case.lifecycle', { kind: 'case', caseId });
	const data = parse(PhaseInput, input);
	const now = ctx.now();
	const today = todayIn(now);
	await db.transaction().execute(async (trx) => {
		const row = await loadCaseRow(trx, caseId);
		if (row.status === 'afgesloten') throw conflict(CLOSED);
		if (!PHASE_FROM.includes(row.status)) throw conflict(NOT_DISCUSSED);
		const type = await tableTypeOfTable(trx, row.case_table_id);

		const fields: Record<string, string> = {};
		if (data.phase === 'monitoring' && !data.reviewDate) {
			fields.reviewDate = 'Vul de datum in waarop de tafel de voortgang tussentijds toetst.';
		} else if (data.reviewDate && data.reviewDate <= today) {
			fields.reviewDate = 'Kies voor het tussentijds toetsen een datum na vandaag.';
		}

		let followupUntil: string | null = null;
		if (data.phase === 'monitoring') {
			const minimum = followupDefault(row.status, row.followup_until, type.followupMonths, today);
			followupUntil = data.followupUntil ?? minimum;
			if (data.followupUntil && minimum && data.followupUntil < minimum) {
				fields.followupUntil =
					type.followupMonths !== null && !(row.status === 'monitoring' && row.followup_until)
						? `${type.name} volgt een casus minimaal ${periodInWords(type.followupMonths)}: kies ${inWords(minimum)} of later.`
						: `De opvolging loopt al tot ${inWords(minimum)}; kies die datum of later.`;
			} else if (data.followupUntil && data.followupUntil <= today) {
				fields.followupUntil = 'Kies voor het einde van de opvolging een datum na vandaag.';
			} else if (!fields.reviewDate && followupUntil && data.reviewDate && data.reviewDate > followupUntil) {
				fields.reviewDate = `Het tussentijds toetsen valt binnen de opvolging: kies een datum tot en met ${inWords(followupUntil)}.`;
			}
		}
		if (Object.keys(fields).length > 0) throw invalidInput(fields, CHECK_FIELDS);

		await trx
			.updateTable('cases')
			.set({ status: data.phase, review_date: data.reviewDate ?? null, followup_until: followupUntil })
			.where('id', '=', caseId)
			.execute();
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'case.phase',
			caseId,
			detail: { from: row.status, to: data.phase, reviewDate: data.reviewDate ?? null, followupUntil }
		});
	});
}

export interface CloseCaseInput {
	outcome: string;
	nazorg?: string;
	/** why the case closes before the table type's follow-up period has ended */
	earlyReason?: string;
}

/**
 * Closes a case with its outcome and nazorg agreements. Refused while an escalation is open,
 * and before the follow-up period ends unless a reason is given; the reason is kept with the
 * outcome ("Eerder afgesloten: …").
 */
export async function closeCase(ctx: AppContext, actor: Actor, caseId: number, input: CloseCaseInput): Promise<void> {
	const { db } = ctx;
	await authorize(db, actor, 'case.lifecycle', { kind: 'case', caseId });
	const data = parse(CloseInput, input);
	const now = ctx.now();
	const today = todayIn(now);
	await db.transaction().execute(async (trx) => {
		const row = await loadCaseRow(trx, caseId);
		if (row.status === 'afgesloten') throw conflict('Deze casus is al afgesloten.');
		if (!PHASE_FROM.includes(row.status)) {
			throw conflict('Deze casus is nog niet besproken. Sluit een casus af nadat de tafel hem heeft besproken.');
		}
		const open = await trx
			.selectFrom('escalations')
			.select('id')
			.where('case_id', '=', caseId)
			.where('resolved_at', 'is', null)
			.executeTakeFirst();
		if (open) {
			throw conflict('Er loopt nog een escalatie. Leg eerst de uitkomst van de escalatie vast en sluit de casus daarna af.');
		}
		const type = await tableTypeOfTable(trx, row.case_table_id);
		const early = needsEarlyReason(row.status, row.followup_until, type.followupMonths, today);
		if (early && (!data.earlyReason || data.earlyReason.length < 10)) {
			const message = `${type.name} volgt deze casus tot ${inWords(row.followup_until!)}. Wie eerder afsluit, schrijft op waarom (minstens 10 tekens).`;
			throw invalidInput({ earlyReason: message }, CHECK_FIELDS);
		}
		const outcome = early ? `${data.outcome}\n\nEerder afgesloten: ${data.earlyReason}` : data.outcome;
		await trx
			.updateTable('cases')
			.set({ status: 'afgesloten', closed_at: now.toISOString(), outcome, nazorg: data.nazorg ?? null })
			.where('id', '=', caseId)
			.execute();
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'case.close',
			caseId,
			detail: { from: row.status, early, nazorg: data.nazorg !== undefined }
		});
	});
}

export interface RaiseEscalationInput {
	reason: string;
	escalatedTo: string;
}

/** Marks that help stagnates and says to whom it goes (doorzettingsmacht). */
export async function raiseEscalation(ctx: AppContext, actor: Actor, caseId: number, input: RaiseEscalationInput): Promise<number> {
	const { db } = ctx;
	await authorize(db, actor, 'case.lifecycle', { kind: 'case', caseId });
	const data = parse(EscalationInput, input);
	const now = ctx.now();
	return db.transaction().execute(async (trx) => {
		const row = await loadCaseRow(trx, caseId);
		if (row.status === 'afgesloten') throw conflict(CLOSED);
		const inserted = await trx
			.insertInto('escalations')
			.values({ case_id: caseId, reason: data.reason, escalated_to: data.escalatedTo, raised_by: actor.userId, raised_at: now.toISOString() })
			.returning('id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'case.escalate',
			caseId,
			detail: { escalationId: inserted.id }
		});
		return inserted.id;
	});
}

export interface ResolveEscalationInput {
	outcome: string;
	/** when given, the escalation must belong to this case (a route's own case) */
	caseId?: number;
}

/** Records the outcome of an open escalation. */
export async function resolveEscalation(ctx: AppContext, actor: Actor, escalationId: number, input: ResolveEscalationInput): Promise<void> {
	const { db } = ctx;
	const escalation = await db
		.selectFrom('escalations')
		.select(['id', 'case_id', 'resolved_at'])
		.where('id', '=', escalationId)
		.executeTakeFirst();
	if (!escalation || (input.caseId !== undefined && escalation.case_id !== input.caseId)) throw notFound();
	await authorize(db, actor, 'case.lifecycle', { kind: 'case', caseId: escalation.case_id });
	const data = parse(ResolveInput, { outcome: input.outcome });
	const now = ctx.now();
	await db.transaction().execute(async (trx) => {
		const result = await trx
			.updateTable('escalations')
			.set({ outcome: data.outcome, resolved_by: actor.userId, resolved_at: now.toISOString() })
			.where('id', '=', escalationId)
			.where('resolved_at', 'is', null)
			.executeTakeFirst();
		if (Number(result.numUpdatedRows) === 0) throw conflict('De uitkomst van deze escalatie is al vastgelegd.');
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'case.escalation_resolve',
			caseId: escalation.case_id,
			detail: { escalationId }
		});
	});
}
