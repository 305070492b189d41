import { dateInNetherlands } from '../../shared/format';
import { z } from 'zod';
import type { AppContext } from '../context';
import type { Executor } from '../db/index';
import { recordAudit } from '../audit/index';
import { notifyRequestOutcome } from '../notifications/index';
import { AppError, conflict, invalidInput, notFound } from '../errors';
import { authorize, can, subjectFor, type Actor } from '../policy/index';
import { openCaseload, tableTypeOfTable, toConfig } from '../tables/types';
import { relapseMonths } from '../admin/region-settings';
import { addAgendaItem } from '../../shared/documents';
import {
	LEGAL_FRAMES,
	eligibilityProblems,
	identityNotice,
	type LegalFrame,
	type RequestStatus,
	type TableTypeConfig
} from '../../shared/tables';
import { SUBJECT_KINDS, type OrganisationType, type SubjectKind } from '../../shared/roles';

/**
 * Aanmelding and triage (issue 4 items 3 and 4, DOMAIN.md §1.4, §6): a user of an organisation
 * type the table accepts submits a verzoek tot bespreking; the voorzitter or secretaris of the
 * table accepts it onto a meeting's agenda (creating or reopening the case and granting access),
 * declines it with a reason, or asks the aanmelder for more.
 *
 * Every function goes through the policy: 'request.submit' on the table, 'request.view' and
 * 'request.triage' on the request or table. The one deliberate exception to "forbidden looks like
 * not found" is submitting to a table that does not accept the actor's organisation type: the
 * aanmelder must understand why, so that refusal is a CONFLICT with a Dutch reason. It still comes
 * from the policy's decision (`can`), not from a second copy of the rule.
 */

export interface RequestMeta {
	ip: string | null;
}

const OPEN_STATUSES: RequestStatus[] = ['ingediend', 'aanvulling_gevraagd'];

// ---- small helpers ----

/** zod issues to Dutch field messages, the first per field (as http.ts does for routes). */
function fieldErrors(issues: { path: PropertyKey[]; message: string }[]): Record<string, string> {
	const out: Record<string, string> = {};
	for (const issue of issues) out[String(issue.path[0] ?? 'form')] ??= issue.message;
	return out;
}

function jsonIds(text: string): number[] {
	try {
		const v: unknown = JSON.parse(text);
		return Array.isArray(v) ? v.filter((x): x is number => Number.isInteger(x) && x > 0) : [];
	} catch {
		return [];
	}
}

/** "a", "a en b", "a, b en c" */
export function dutchList(items: string[]): string {
	if (items.length <= 1) return items.join('');
	return `${items.slice(0, -1).join(', ')} en ${items[items.length - 1]}`;
}

/** "De Jeugdbeschermingstafel", "Het Overleg Passende Hulp", "Top 150": a name as a subject. */
function withArticle(name: string): string {
	if (/tafel$/i.test(name)) return `De ${name}`;
	if (/^(overleg|ketenoverleg|regionaal team)/i.test(name)) return `Het ${name}`;
	return name;
}

/** The calendar date in the Netherlands, YYYY-MM-DD. */
const dutchToday = dateInNetherlands;

function relapseCutoff(now: Date, months: number): string {
	const d = new Date(now);
	d.setUTCMonth(d.getUTCMonth() - months);
	return d.toISOString();
}

const normaliseName = (name: string) => name.trim().replace(/\s+/g, ' ').toLocaleLowerCase('nl');

/** Why an organisation type may not submit to a table type, in words an aanmelder understands. */
export function submitRefusal(type: Pick<TableTypeConfig, 'name' | 'submitterOrgTypes'>, organisationType: string): string {
	return (
		`${withArticle(type.name)} neemt alleen verzoeken aan van ${dutchList(type.submitterOrgTypes)}. ` +
		`Uw organisatie (${organisationType}) kan hier geen verzoek indienen.`
	);
}

/** Who a table type discusses, in one line per rule; empty when it has no entry rules. */
export function eligibilitySummary(type: TableTypeConfig): string[] {
	const lines: string[] = [];
	if (type.minAge !== null && type.maxAge !== null) lines.push(`Leeftijd ${type.minAge} tot en met ${type.maxAge} jaar.`);
	else if (type.minAge !== null) lines.push(`Vanaf ${type.minAge} jaar.`);
	else if (type.maxAge !== null) lines.push(`Tot en met ${type.maxAge} jaar.`);
	if (type.requiredIndication) lines.push(`Alleen met een ${type.requiredIndication}.`);
	if (type.caseloadCap !== null) lines.push(`Ten hoogste ${type.caseloadCap} lopende casussen.`);
	return lines;
}

// ---- the tables one can submit to ----

export interface SubmittableTable {
	id: number;
	name: string;
	typeName: string;
	purpose: string;
	subjectKind: SubjectKind;
	requiredIndication: string | null;
	/** organisation types the table accepts; empty = every organisation */
	submitterOrgTypes: OrganisationType[];
	eligibility: string[];
	/** who will see the subject's name and birthdate, in words (the type's setting) */
	identityNotice: string;
	/** where the rules come from (seed passage or law), in words; '' when the type says nothing */
	ruleBasis: string;
	maySubmit: boolean;
	/** the Dutch reason when the actor may not submit */
	refusal: string | null;
}

async function organisationTypeOf(db: Executor, organisationId: number): Promise<string> {
	const org = await db.selectFrom('organisations').select('type').where('id', '=', organisationId).executeTakeFirst();
	return org?.type ?? 'onbekend';
}

/**
 * Every overlegtafel of the region with its type's rules, marked whether the actor's
 * organisation type may submit there (the policy's 'request.submit'), so the form can explain.
 */
export async function submittableTables(ctx: AppContext, actor: Actor): Promise<SubmittableTable[]> {
	const { db } = ctx;
	const rows = await db
		.selectFrom('case_tables')
		.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
		.selectAll('table_types')
		.select(['case_tables.id as tableId', 'case_tables.name as tableName'])
		.orderBy('case_tables.name')
		.execute();
	const orgType = await organisationTypeOf(db, actor.organisationId);
	const out: SubmittableTable[] = [];
	for (const row of rows) {
		const type = toConfig(row);
		const maySubmit = await can(db, actor, 'request.submit', { kind: 'table', tableId: row.tableId });
		out.push({
			id: row.tableId,
			name: row.tableName,
			typeName: type.name,
			purpose: type.purpose,
			subjectKind: type.subjectKind,
			requiredIndication: type.requiredIndication,
			submitterOrgTypes: type.submitterOrgTypes,
			eligibility: eligibilitySummary(type),
			identityNotice: identityNotice(type.identityRoles),
			ruleBasis: type.ruleBasis,
			maySubmit,
			refusal: maySubmit ? null : submitRefusal(type, orgType)
		});
	}
	return out;
}

/** Every organisation, for the "who should be invited" checkboxes. */
export async function invitableOrganisations(ctx: AppContext) {
	const rows = await ctx.db.selectFrom('organisations').select(['id', 'name', 'type']).execute();
	const dutch = new Intl.Collator('nl');
	return rows.sort((a, b) => dutch.compare(a.name, b.name));
}

// ---- validation ----

/** What the aanmeldformulier sends, as the route reads it from the form. */
export interface RequestInput {
	subjectKind?: unknown;
	subjectName?: unknown;
	birthdate?: unknown;
	hasIndication?: unknown;
	reason?: unknown;
	question?: unknown;
	inviteOrgIds?: unknown;
	legalFrame?: unknown;
	consentNote?: unknown;
}

export interface ValidRequest {
	subjectKind: SubjectKind;
	subjectName: string;
	birthdate: string | null;
	hasIndication: boolean;
	reason: string;
	question: string;
	inviteOrgIds: number[];
	legalFrame: LegalFrame;
	consentNote: string;
}

const text = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : v);

const NAME = 'Vul de naam in van wie besproken wordt (2 tot 120 tekens).';
const REASON = 'Beschrijf in minstens 10 tekens waarom u deze casus aanmeldt.';
const QUESTION = 'Schrijf in minstens 10 tekens welke vraag u aan de tafel stelt.';
const CONSENT = 'Vul in of de betrokkenen van de aanmelding weten; bij een vrijwillig kader is dat verplicht.';
const BIRTHDATE = 'Vul een geldige geboortedatum in, zoals 2012-05-31.';

function isRealDate(s: string): boolean {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
	const d = new Date(`${s}T00:00:00Z`);
	return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && d.getUTCFullYear() >= 1900;
}

function requestSchema(today: string) {
	return z.object({
		subjectKind: z.enum(SUBJECT_KINDS, { error: 'Kies wie er besproken wordt: een jeugdige, gezin, huishouden of persoon.' }),
		subjectName: z.string({ error: NAME }).trim().min(2, NAME).max(120, NAME),
		birthdate: z
			.string({ error: BIRTHDATE })
			.trim()
			.refine((s) => s === '' || isRealDate(s), BIRTHDATE)
			.refine((s) => s === '' || s <= today, 'De geboortedatum ligt in de toekomst.')
			.transform((s) => (s === '' ? null : s)),
		hasIndication: z.boolean(),
		reason: z.string({ error: REASON }).trim().min(10, REASON).max(4000, 'Gebruik voor "waarom" hoogstens 4000 tekens.'),
		question: z.string({ error: QUESTION }).trim().min(10, QUESTION).max(2000, 'Gebruik voor de vraag aan de tafel hoogstens 2000 tekens.'),
		inviteOrgIds: z
			.array(z.coerce.number({ error: 'Kies bestaande organisaties.' }).int('Kies bestaande organisaties.').positive('Kies bestaande organisaties.'))
			.max(40, 'Kies hoogstens 40 organisaties.'),
		legalFrame: z.enum(LEGAL_FRAMES, { error: 'Kies het kader: vrijwillig, gedwongen kader, Wvggz of strafrecht.' }),
		consentNote: z.string({ error: CONSENT }).trim().max(1000, 'Gebruik voor de toestemming hoogstens 1000 tekens.')
	});
}

function normaliseInput(input: RequestInput) {
	const ids = input.inviteOrgIds;
	return {
		subjectKind: input.subjectKind,
		subjectName: text(input.subjectName),
		birthdate: text(input.birthdate),
		hasIndication: input.hasIndication === true || input.hasIndication === 'on' || input.hasIndication === 'ja',
		reason: text(input.reason),
		question: text(input.question),
		inviteOrgIds: Array.isArray(ids) ? ids : ids === undefined || ids === null || ids === '' ? [] : [ids],
		legalFrame: input.legalFrame,
		consentNote: text(input.consentNote)
	};
}

/** Field checks, organisation ids and the table's eligibility rules; throws INVALID_INPUT. */
async function validateRequest(db: Executor, type: TableTypeConfig, input: RequestInput, now: Date): Promise<ValidRequest> {
	const raw = normaliseInput(input);
	const parsed = requestSchema(dutchToday(now)).safeParse(raw);
	const fields = parsed.success ? {} : fieldErrors(parsed.error.issues);
	if (raw.legalFrame === 'vrijwillig' && typeof raw.consentNote === 'string' && raw.consentNote.trim() === '') {
		fields.consentNote ??= CONSENT;
	}
	if (!parsed.success || Object.keys(fields).length > 0) {
		throw invalidInput(fields, 'Het verzoek is niet ingediend. Wat er mis is, staat bij het veld.');
	}
	const data = parsed.data;
	const inviteOrgIds = [...new Set(data.inviteOrgIds)];
	if (inviteOrgIds.length > 0) {
		const found = await db.selectFrom('organisations').select('id').where('id', 'in', inviteOrgIds).execute();
		if (found.length !== inviteOrgIds.length) {
			throw invalidInput({ inviteOrgIds: 'Kies alleen organisaties uit de lijst.' }, 'Het verzoek is niet ingediend. Wat er mis is, staat bij het veld.');
		}
	}
	// the table's entry rules, each attached to the field it is about
	const subject = { birthdate: data.birthdate, hasIndication: data.hasIndication, kind: data.subjectKind };
	const ageProblems = eligibilityProblems({ ...type, requiredIndication: null }, subject, now);
	const indicationProblems = eligibilityProblems({ ...type, minAge: null, maxAge: null }, subject, now);
	if (ageProblems.length > 0 || indicationProblems.length > 0) {
		const eligibility: Record<string, string> = {};
		if (ageProblems.length > 0) eligibility.birthdate = ageProblems.join(' ');
		if (indicationProblems.length > 0) eligibility.hasIndication = indicationProblems.join(' ');
		throw invalidInput(eligibility, `Deze persoon past niet bij ${type.name}. ${[...ageProblems, ...indicationProblems].join(' ')}`);
	}
	return { ...data, inviteOrgIds };
}

// ---- terugval ----

export interface RelapseMatch {
	caseId: number;
	code: string;
	tableId: number;
	tableName: string;
	/** when it was last discussed or closed */
	at: string;
}

/**
 * An earlier case of the same person (name case- and space-insensitive and the same birthdate)
 * that was closed or discussed within the region's terugval period: possible terugval. The most
 * recent one wins. Without a birthdate on both sides there is no match: a name alone is not the
 * same person, and flagging a stranger's history is itself a leak (issue 15 item 7).
 */
export async function findRelapse(db: Executor, subject: { name: string; birthdate: string | null }, now: Date): Promise<RelapseMatch | null> {
	if (!subject.birthdate) return null;
	const cutoff = relapseCutoff(now, await relapseMonths(db));
	const rows = await db
		.selectFrom('cases')
		.innerJoin('case_tables', 'case_tables.id', 'cases.case_table_id')
		.select((eb) => [
			'cases.id',
			'cases.code',
			'cases.subject_name',
			'cases.subject_birthdate',
			'cases.status',
			'cases.closed_at',
			'case_tables.id as tableId',
			'case_tables.name as tableName',
			eb
				.selectFrom('item_closures')
				.select((e) => e.fn.max('item_closures.closed_at').as('last'))
				.whereRef('item_closures.case_id', '=', 'cases.id')
				.as('discussedAt')
		])
		.where((eb) =>
			eb.or([
				eb.and([eb('cases.status', '=', 'afgesloten'), eb('cases.closed_at', '>=', cutoff)]),
				eb.exists(
					eb
						.selectFrom('item_closures')
						.select('item_closures.id')
						.whereRef('item_closures.case_id', '=', 'cases.id')
						.where('item_closures.closed_at', '>=', cutoff)
				)
			])
		)
		.execute();
	const name = normaliseName(subject.name);
	let best: RelapseMatch | null = null;
	for (const row of rows) {
		if (normaliseName(row.subject_name) !== name) continue;
		if (row.subject_birthdate !== subject.birthdate) continue;
		const closed = row.status === 'afgesloten' && row.closed_at && row.closed_at >= cutoff ? row.closed_at : null;
		const discussed = row.discussedAt && row.discussedAt >= cutoff ? row.discussedAt : null;
		const at = [closed, discussed].filter((x): x is string => x !== null).sort().pop();
		if (!at) continue;
		if (!best || at > best.at) best = { caseId: row.id, code: row.code, tableId: row.tableId, tableName: row.tableName, at };
	}
	return best;
}

// ---- aanmelden ----

export interface SubmitResult {
	requestId: number;
	/** a possible terugval was flagged for the triage; the aanmelder is told only that */
	relapse: boolean;
}

/**
 * Submits a verzoek tot bespreking. A table that does not accept the actor's organisation type
 * is refused with a Dutch reason (CONFLICT on field tableId), decided by the policy.
 */
/** At most this many requests per user in a rolling hour: a safeguard against scripts and floods. */
export const SUBMIT_LIMIT = { count: 10, windowMs: 60 * 60 * 1000 };

async function refuseFlood(db: AppContext['db'], actor: Actor, now: Date): Promise<void> {
	const since = new Date(now.getTime() - SUBMIT_LIMIT.windowMs).toISOString();
	const row = await db
		.selectFrom('requests')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('submitted_by', '=', actor.userId)
		.where('created_at', '>', since)
		.executeTakeFirstOrThrow();
	if (Number(row.n) >= SUBMIT_LIMIT.count) {
		throw new AppError(
			'THROTTLED',
			`U hebt het afgelopen uur al ${SUBMIT_LIMIT.count} verzoeken ingediend. Probeer het over een uur opnieuw, of neem contact op met de voorzitter van de tafel.`
		);
	}
}

export async function submitRequest(
	ctx: AppContext,
	actor: Actor,
	tableId: number,
	input: RequestInput,
	meta: RequestMeta = { ip: null }
): Promise<SubmitResult> {
	const { db } = ctx;
	const now = ctx.now();
	const table = Number.isInteger(tableId) && tableId > 0
		? await db.selectFrom('case_tables').select(['id', 'name']).where('id', '=', tableId).executeTakeFirst()
		: undefined;
	if (!table) throw invalidInput({ tableId: 'Kies een overlegtafel.' }, 'Kies aan welke overlegtafel u het verzoek richt.');
	const type = await tableTypeOfTable(db, table.id);
	if (!(await can(db, actor, 'request.submit', { kind: 'table', tableId: table.id }))) {
		const reason = submitRefusal(type, await organisationTypeOf(db, actor.organisationId));
		throw conflict(reason, { tableId: reason });
	}
	await refuseFlood(db, actor, now);
	const valid = await validateRequest(db, type, input, now);
	const relapse = await findRelapse(db, { name: valid.subjectName, birthdate: valid.birthdate }, now);
	const at = now.toISOString();
	const requestId = await db.transaction().execute(async (trx) => {
		const row = await trx
			.insertInto('requests')
			.values({
				case_table_id: table.id,
				organisation_id: actor.organisationId,
				submitted_by: actor.userId,
				subject_kind: valid.subjectKind,
				subject_name: valid.subjectName,
				subject_birthdate: valid.birthdate,
				has_indication: valid.hasIndication ? 1 : 0,
				reason: valid.reason,
				question: valid.question,
				invite_org_ids: JSON.stringify(valid.inviteOrgIds),
				legal_frame: valid.legalFrame,
				consent_note: valid.consentNote,
				status: 'ingediend',
				relapse_case_id: relapse?.caseId ?? null,
				created_at: at,
				updated_at: at
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'request.submit',
			detail: { requestId: row.id, tableId: table.id, relapse: relapse !== null },
			ip: meta.ip
		});
		return row.id;
	});
	return { requestId, relapse: relapse !== null };
}

// ---- the aanmelder's own requests ----

export interface MyRequest {
	id: number;
	tableId: number;
	tableName: string;
	subjectName: string;
	status: RequestStatus;
	triageNote: string | null;
	createdAt: string;
	decidedAt: string | null;
	caseCode: string | null;
	meetingStartsAt: string | null;
}

/** The requests the actor submitted, newest first, with their outcome. */
export async function myRequests(ctx: AppContext, actor: Actor, limit = 100): Promise<MyRequest[]> {
	const rows = await ctx.db
		.selectFrom('requests')
		.innerJoin('case_tables', 'case_tables.id', 'requests.case_table_id')
		.leftJoin('cases', 'cases.id', 'requests.case_id')
		.leftJoin('meetings', 'meetings.id', 'requests.meeting_id')
		.select([
			'requests.id',
			'requests.case_table_id as tableId',
			'case_tables.name as tableName',
			'requests.subject_name as subjectName',
			'requests.status',
			'requests.triage_note as triageNote',
			'requests.created_at as createdAt',
			'requests.decided_at as decidedAt',
			'cases.code as caseCode',
			'meetings.starts_at as meetingStartsAt'
		])
		.where('requests.submitted_by', '=', actor.userId)
		.orderBy('requests.created_at', 'desc')
		.orderBy('requests.id', 'desc')
		.select('requests.subject_birthdate as birthdate')
		.limit(limit)
		.execute();
	const out: MyRequest[] = [];
	for (const { birthdate, ...r } of rows) {
		// the aanmelder's own requests: shown as they typed them, through the same policy function
		const subject = await subjectFor(ctx.db, actor, { kind: 'request', requestId: r.id }, { name: r.subjectName, birthdate });
		out.push({ ...r, subjectName: subject.name, status: r.status as RequestStatus });
	}
	return out;
}

// ---- one request ----

async function loadRequest(db: Executor, requestId: number) {
	const row = await db.selectFrom('requests').selectAll().where('id', '=', requestId).executeTakeFirst();
	if (!row) throw notFound();
	return row;
}

/** What the triage may see of an earlier case: its code and table only when the viewer may see the case. */
export interface RelapseView {
	caseId: number | null;
	code: string | null;
	tableId: number | null;
	tableName: string | null;
	at: string;
}

/**
 * Need to know holds for the terugval notice too: that a person was discussed at Top 150 is
 * itself sensitive, so a chair who may not see the earlier case learns only that there was one
 * and when, enough to ask the aanmelder, not where.
 */
async function relapseFor(db: Executor, actor: Actor, caseId: number | null, now: Date): Promise<RelapseView | null> {
	const info = await relapseInfo(db, caseId, now);
	if (!info) return null;
	if (await can(db, actor, 'case.view', { kind: 'case', caseId: info.caseId })) return info;
	return { caseId: null, code: null, tableId: null, tableName: null, at: info.at };
}

async function relapseInfo(db: Executor, caseId: number | null, now: Date): Promise<RelapseMatch | null> {
	if (caseId === null) return null;
	const row = await db
		.selectFrom('cases')
		.innerJoin('case_tables', 'case_tables.id', 'cases.case_table_id')
		.select((eb) => [
			'cases.id',
			'cases.code',
			'cases.closed_at',
			'cases.status',
			'case_tables.id as tableId',
			'case_tables.name as tableName',
			eb
				.selectFrom('item_closures')
				.select((e) => e.fn.max('item_closures.closed_at').as('last'))
				.whereRef('item_closures.case_id', '=', 'cases.id')
				.as('discussedAt')
		])
		.where('cases.id', '=', caseId)
		.executeTakeFirst();
	if (!row) return null;
	const at = [row.status === 'afgesloten' ? row.closed_at : null, row.discussedAt].filter((x): x is string => !!x).sort().pop();
	return { caseId: row.id, code: row.code, tableId: row.tableId, tableName: row.tableName, at: at ?? now.toISOString() };
}

async function organisationNames(db: Executor, ids: number[]): Promise<{ id: number; name: string }[]> {
	if (ids.length === 0) return [];
	const rows = await db.selectFrom('organisations').select(['id', 'name']).where('id', 'in', ids).execute();
	const dutch = new Intl.Collator('nl');
	return rows.sort((a, b) => dutch.compare(a.name, b.name));
}

/**
 * A request for its submitter or the chair of its table ('request.view'). Whether it was flagged
 * as terugval, and with which earlier case, is shown to the chair only: the earlier case may sit
 * at a table the aanmelder has no part in.
 */
export async function requestDetail(ctx: AppContext, actor: Actor, requestId: number) {
	const { db } = ctx;
	await authorize(db, actor, 'request.view', { kind: 'request', requestId });
	const r = await loadRequest(db, requestId);
	const [table, submitter, decider, caseRow, meeting] = await Promise.all([
		db
			.selectFrom('case_tables')
			.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
			.select(['case_tables.id', 'case_tables.name', 'table_types.name as typeName'])
			.where('case_tables.id', '=', r.case_table_id)
			.executeTakeFirstOrThrow(),
		db
			.selectFrom('users')
			.innerJoin('organisations', 'organisations.id', 'users.organisation_id')
			.select(['users.name', 'organisations.name as organisationName'])
			.where('users.id', '=', r.submitted_by)
			.executeTakeFirstOrThrow(),
		r.decided_by === null ? undefined : db.selectFrom('users').select('name').where('id', '=', r.decided_by).executeTakeFirst(),
		r.case_id === null ? undefined : db.selectFrom('cases').select(['id', 'code']).where('id', '=', r.case_id).executeTakeFirst(),
		r.meeting_id === null ? undefined : db.selectFrom('meetings').select(['id', 'starts_at', 'location']).where('id', '=', r.meeting_id).executeTakeFirst()
	]);
	const isSubmitter = r.submitted_by === actor.userId;
	const canTriage = await can(db, actor, 'request.triage', { kind: 'request', requestId });
	const status = r.status as RequestStatus;
	const inviteOrgIds = jsonIds(r.invite_org_ids);
	const subject = await subjectFor(db, actor, { kind: 'request', requestId }, { name: r.subject_name, birthdate: r.subject_birthdate });
	return {
		request: {
			id: r.id,
			status,
			subjectKind: r.subject_kind as SubjectKind,
			subjectName: subject.name,
			birthdate: subject.birthdate,
			subjectIdentified: subject.identified,
			hasIndication: r.has_indication === 1,
			reason: r.reason,
			question: r.question,
			inviteOrgIds,
			legalFrame: r.legal_frame as LegalFrame,
			consentNote: r.consent_note,
			triageNote: r.triage_note,
			createdAt: r.created_at,
			updatedAt: r.updated_at,
			decidedAt: r.decided_at,
			decidedByName: decider?.name ?? null
		},
		invited: await organisationNames(db, inviteOrgIds),
		table: { id: table.id, name: table.name, typeName: table.typeName, identityNotice: identityNotice(subject.rule) },
		submitter,
		outcome: {
			caseCode: caseRow?.code ?? null,
			meetingStartsAt: meeting?.starts_at ?? null,
			meetingLocation: meeting?.location ?? null
		},
		relapse: canTriage ? await relapseFor(db, actor, r.relapse_case_id, ctx.now()) : null,
		isSubmitter,
		canTriage,
		canUpdate: isSubmitter && status === 'aanvulling_gevraagd',
		canWithdraw: isSubmitter && OPEN_STATUSES.includes(status)
	};
}

/**
 * The aanmelder supplements a request the triage asked more about; it goes back to
 * 'ingediend'. The table's rules and the terugval check are applied again.
 */
export async function updateRequest(ctx: AppContext, actor: Actor, requestId: number, input: RequestInput, meta: RequestMeta = { ip: null }) {
	const { db } = ctx;
	await authorize(db, actor, 'request.view', { kind: 'request', requestId });
	const r = await loadRequest(db, requestId);
	if (r.submitted_by !== actor.userId) throw notFound();
	if (r.status !== 'aanvulling_gevraagd') throw conflict('Dit verzoek kunt u alleen aanvullen als de tafel om een aanvulling vraagt.');
	if (!(await can(db, actor, 'request.submit', { kind: 'table', tableId: r.case_table_id }))) {
		const type = await tableTypeOfTable(db, r.case_table_id);
		const reason = submitRefusal(type, await organisationTypeOf(db, actor.organisationId));
		throw conflict(reason, { tableId: reason });
	}
	const now = ctx.now();
	const type = await tableTypeOfTable(db, r.case_table_id);
	const valid = await validateRequest(db, type, input, now);
	const relapse = await findRelapse(db, { name: valid.subjectName, birthdate: valid.birthdate }, now);
	await db.transaction().execute(async (trx) => {
		const result = await trx
			.updateTable('requests')
			.set({
				subject_kind: valid.subjectKind,
				subject_name: valid.subjectName,
				subject_birthdate: valid.birthdate,
				has_indication: valid.hasIndication ? 1 : 0,
				reason: valid.reason,
				question: valid.question,
				invite_org_ids: JSON.stringify(valid.inviteOrgIds),
				legal_frame: valid.legalFrame,
				consent_note: valid.consentNote,
				relapse_case_id: relapse?.caseId ?? null,
				status: 'ingediend',
				updated_at: now.toISOString()
			})
			.where('id', '=', requestId)
			.where('status', '=', 'aanvulling_gevraagd')
			.executeTakeFirst();
		if (Number(result.numUpdatedRows) === 0) throw conflict('Dit verzoek is intussen veranderd. Laad de pagina opnieuw.');
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'request.update',
			detail: { requestId, relapse: relapse !== null },
			ip: meta.ip
		});
	});
	return { relapse: relapse !== null };
}

/** The aanmelder withdraws a request that has not been decided yet. */
export async function withdrawRequest(ctx: AppContext, actor: Actor, requestId: number, meta: RequestMeta = { ip: null }): Promise<void> {
	const { db } = ctx;
	await authorize(db, actor, 'request.view', { kind: 'request', requestId });
	const r = await loadRequest(db, requestId);
	if (r.submitted_by !== actor.userId) throw notFound();
	const now = ctx.now();
	await db.transaction().execute(async (trx) => {
		const result = await trx
			.updateTable('requests')
			.set({ status: 'ingetrokken', updated_at: now.toISOString() })
			.where('id', '=', requestId)
			.where('status', 'in', OPEN_STATUSES)
			.executeTakeFirst();
		if (Number(result.numUpdatedRows) === 0) throw conflict('Over dit verzoek is al besloten; intrekken kan niet meer.');
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'request.withdraw',
			detail: { requestId },
			ip: meta.ip
		});
	});
}

// ---- triage ----

/** Caseload against the cap, and how many requests wait, for the table page. */
export async function tableCaseload(ctx: AppContext, actor: Actor, tableId: number) {
	const { db } = ctx;
	await authorize(db, actor, 'table.view', { kind: 'table', tableId });
	const type = await tableTypeOfTable(db, tableId);
	const canTriage = await can(db, actor, 'request.triage', { kind: 'table', tableId });
	const waiting = canTriage ? await countOpen(db, tableId, ['ingediend']) : null;
	return {
		caseloadCap: type.caseloadCap,
		openCaseload: await openCaseload(db, tableId),
		purpose: type.purpose,
		canTriage,
		maySubmit: await can(db, actor, 'request.submit', { kind: 'table', tableId }),
		/** requests waiting for the triage; null for members who do not triage */
		waitingRequests: waiting
	};
}

async function countOpen(db: Executor, tableId: number, statuses: RequestStatus[]): Promise<number> {
	const row = await db
		.selectFrom('requests')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('case_table_id', '=', tableId)
		.where('status', 'in', statuses)
		.executeTakeFirstOrThrow();
	return Number(row.n);
}

export interface QueueItem {
	id: number;
	status: RequestStatus;
	subjectKind: SubjectKind;
	subjectName: string;
	birthdate: string | null;
	/** false: subjectName holds the initials and birthdate is hidden (the table type's setting) */
	subjectIdentified: boolean;
	hasIndication: boolean;
	reason: string;
	question: string;
	legalFrame: LegalFrame;
	consentNote: string;
	triageNote: string | null;
	inviteOrgIds: number[];
	invited: { id: number; name: string }[];
	submitterName: string;
	submitterOrganisationId: number;
	submitterOrganisation: string;
	createdAt: string;
	updatedAt: string;
	relapse: RelapseView | null;
	/** the table's entry rules checked again today (an age may have changed) */
	eligibility: string[];
}

/**
 * The triage of a table for its voorzitter and secretaris: open requests oldest first, the
 * caseload against the cap, the meetings a case can be planned on, and what was decided lately.
 */
export async function triageQueue(ctx: AppContext, actor: Actor, tableId: number) {
	const { db } = ctx;
	await authorize(db, actor, 'request.triage', { kind: 'table', tableId });
	const now = ctx.now();
	const type = await tableTypeOfTable(db, tableId);
	const table = await db.selectFrom('case_tables').select(['id', 'name', 'code_prefix']).where('id', '=', tableId).executeTakeFirstOrThrow();
	const base = () =>
		db
			.selectFrom('requests')
			.innerJoin('users', 'users.id', 'requests.submitted_by')
			.innerJoin('organisations', 'organisations.id', 'requests.organisation_id')
			.selectAll('requests')
			.select(['users.name as submitterName', 'organisations.name as submitterOrganisation'])
			.where('requests.case_table_id', '=', tableId);
	const [open, decided, meetings, caseload, organisations] = await Promise.all([
		base().where('requests.status', 'in', OPEN_STATUSES).orderBy('requests.created_at').orderBy('requests.id').execute(),
		base()
			.leftJoin('cases', 'cases.id', 'requests.case_id')
			.leftJoin('meetings', 'meetings.id', 'requests.meeting_id')
			.leftJoin('users as decider', 'decider.id', 'requests.decided_by')
			.select(['cases.code as caseCode', 'cases.id as caseId', 'meetings.starts_at as meetingStartsAt', 'decider.name as decidedByName'])
			.where('requests.status', 'in', ['geaccepteerd', 'afgewezen'])
			.orderBy('requests.decided_at', 'desc')
			.limit(10)
			.execute(),
		db
			.selectFrom('meetings')
			.select(['id', 'starts_at', 'location', 'status'])
			.where('case_table_id', '=', tableId)
			.where('status', 'in', ['gepland', 'geopend'])
			.orderBy('starts_at')
			.execute(),
		openCaseload(db, tableId),
		invitableOrganisations(ctx)
	]);
	const orgName = new Map(organisations.map((o) => [o.id, o.name]));
	const queue: QueueItem[] = [];
	for (const r of open) {
		const inviteOrgIds = jsonIds(r.invite_org_ids);
		const subject = await subjectFor(db, actor, { kind: 'request', requestId: r.id }, { name: r.subject_name, birthdate: r.subject_birthdate });
		queue.push({
			id: r.id,
			status: r.status as RequestStatus,
			subjectKind: r.subject_kind as SubjectKind,
			subjectName: subject.name,
			birthdate: subject.birthdate,
			subjectIdentified: subject.identified,
			hasIndication: r.has_indication === 1,
			reason: r.reason,
			question: r.question,
			legalFrame: r.legal_frame as LegalFrame,
			consentNote: r.consent_note,
			triageNote: r.triage_note,
			inviteOrgIds,
			invited: inviteOrgIds.map((id) => ({ id, name: orgName.get(id) ?? 'Onbekende organisatie' })),
			submitterName: r.submitterName,
			submitterOrganisationId: r.organisation_id,
			submitterOrganisation: r.submitterOrganisation,
			createdAt: r.created_at,
			updatedAt: r.updated_at,
			relapse: await relapseFor(db, actor, r.relapse_case_id, now),
			// a missing birthdate was either accepted at submission or predates the rule: only an
			// age that no longer fits, or a missing indication, is worth a warning here
			eligibility: eligibilityProblems(
				r.subject_birthdate ? type : { ...type, minAge: null, maxAge: null },
				{ birthdate: r.subject_birthdate, hasIndication: r.has_indication === 1, kind: r.subject_kind as SubjectKind },
				now
			)
		});
	}
	return {
		table: { id: table.id, name: table.name, typeName: type.name, purpose: type.purpose },
		caseloadCap: type.caseloadCap,
		openCaseload: caseload,
		atCap: type.caseloadCap !== null && caseload >= type.caseloadCap,
		queue,
		meetings,
		organisations,
		decided: await Promise.all(decided.map(async (r) => ({
			id: r.id,
			status: r.status as RequestStatus,
			subjectName: (await subjectFor(db, actor, { kind: 'request', requestId: r.id }, { name: r.subject_name, birthdate: null })).name,
			submitterName: r.submitterName,
			submitterOrganisation: r.submitterOrganisation,
			triageNote: r.triage_note,
			decidedAt: r.decided_at,
			decidedByName: r.decidedByName,
			caseId: r.caseId,
			caseCode: r.caseCode,
			meetingStartsAt: r.meetingStartsAt
		})))
	};
}

/**
 * 'request.triage' on the request; with `tableId`, the request must also belong to that table
 * (the triage page of one table cannot act on another table's request), else NOT_FOUND.
 */
async function authorizeTriage(db: Executor, actor: Actor, requestId: number, tableId?: number): Promise<void> {
	await authorize(db, actor, 'request.triage', { kind: 'request', requestId });
	if (tableId !== undefined) {
		const r = await db.selectFrom('requests').select('case_table_id').where('id', '=', requestId).executeTakeFirst();
		if (!r || r.case_table_id !== tableId) throw notFound();
	}
}

export interface AcceptInput {
	meetingId?: unknown;
	inviteOrgIds?: unknown;
	plannedMinutes?: unknown;
	title?: unknown;
}

export interface AcceptResult {
	caseId: number;
	caseCode: string;
	/** true when the request named an earlier case of this table, which was reopened */
	reopened: boolean;
	meetingId: number | null;
	/** false when the agenda could not be updated after the commit (the case exists anyway) */
	onAgenda: boolean;
}

const TITLE = 'Typ een korte omschrijving zonder namen (3 tot 120 tekens).';
const MINUTES = 'Kies een spreektijd van 5 tot 120 minuten.';

const AcceptSchema = z.object({
	meetingId: z.preprocess(
		(v) => (v === '' || v === undefined || v === null ? null : v),
		z.coerce.number({ error: 'Kies een overleg uit de lijst.' }).int('Kies een overleg uit de lijst.').positive('Kies een overleg uit de lijst.').nullable()
	),
	inviteOrgIds: z.preprocess(
		(v) => (Array.isArray(v) ? v : v === undefined || v === null || v === '' ? [] : [v]),
		z.array(z.coerce.number({ error: 'Kies bestaande organisaties.' }).int('Kies bestaande organisaties.').positive('Kies bestaande organisaties.')).max(40, 'Kies hoogstens 40 organisaties.')
	),
	plannedMinutes: z.preprocess(
		(v) => (v === '' || v === undefined || v === null ? 15 : v),
		z.coerce.number({ error: MINUTES }).int(MINUTES).min(5, MINUTES).max(120, MINUTES)
	),
	title: z.string({ error: TITLE }).trim().min(3, TITLE).max(120, TITLE)
});

/** Words of the subject's name that must not appear in a title everyone at the table sees. */
const GENERIC_WORDS = new Set(['gezin', 'huishouden', 'familie', 'de', 'van', 'der', 'den', 'het', 'ter', 'ten', 'la', 'le', 'el', 'al', 'bin', 'op']);
function titleNamesSubject(title: string, subjectName: string): boolean {
	const words = (s: string) => s.toLocaleLowerCase('nl').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
	const titleWords = new Set(words(title));
	return words(subjectName).some((w) => w.length >= 3 && !GENERIC_WORDS.has(w) && titleWords.has(w));
}

/** "JBT-2026-008": the next number after the highest for that prefix and year. */
async function nextCaseCode(db: Executor, prefix: string, now: Date): Promise<string> {
	const year = dutchToday(now).slice(0, 4);
	const stem = `${prefix}-${year}-`;
	const rows = await db.selectFrom('cases').select('code').where('code', 'like', `${stem}%`).execute();
	let max = 0;
	for (const { code } of rows) {
		const rest = code.slice(stem.length);
		if (/^\d+$/.test(rest)) max = Math.max(max, Number(rest));
	}
	return `${stem}${String(max + 1).padStart(3, '0')}`;
}

/**
 * Accepts a request ('request.triage'): within one transaction the case is created (code
 * PREFIX-YEAR-NNN, the chair's non-identifying title, the subject from the request,
 * previous_case_id when the person was recently at another table) or, when the terugval was at
 * this same table, the earlier case is reopened as a terugkomcasus; the submitter's organisation
 * and every invited organisation get access; the request is marked 'geaccepteerd'. Refused with
 * CONFLICT when the table's caseload is at its cap. After the commit the case is added to the
 * chosen meeting's agenda document through the hub, so anyone with the meeting open sees it.
 */
export async function acceptRequest(
	ctx: AppContext,
	actor: Actor,
	requestId: number,
	input: AcceptInput,
	meta: RequestMeta = { ip: null },
	tableId?: number
): Promise<AcceptResult> {
	const { db } = ctx;
	await authorizeTriage(db, actor, requestId, tableId);
	const parsed = AcceptSchema.safeParse(input);
	if (!parsed.success) throw invalidInput(fieldErrors(parsed.error.issues), 'Het verzoek is niet geaccepteerd. Wat er mis is, staat bij het veld.');
	const { meetingId, plannedMinutes, title } = parsed.data;
	const now = ctx.now();
	const at = now.toISOString();

	const result = await db.transaction().execute(async (trx) => {
		const r = await loadRequest(trx, requestId);
		if (!OPEN_STATUSES.includes(r.status as RequestStatus)) throw conflict('Over dit verzoek is al besloten.');
		if (titleNamesSubject(title, r.subject_name)) {
			throw invalidInput(
				{ title: 'De omschrijving lijkt een naam te bevatten. Iedereen met toegang tot de casus ziet de omschrijving: gebruik geen namen.' },
				'Het verzoek is niet geaccepteerd. Wat er mis is, staat bij het veld.'
			);
		}
		const tableId = r.case_table_id;
		const table = await trx.selectFrom('case_tables').select(['id', 'code_prefix']).where('id', '=', tableId).executeTakeFirstOrThrow();
		const type = await tableTypeOfTable(trx, tableId);

		if (meetingId !== null) {
			const meeting = await trx.selectFrom('meetings').select(['case_table_id', 'status']).where('id', '=', meetingId).executeTakeFirst();
			if (!meeting || meeting.case_table_id !== tableId) throw invalidInput({ meetingId: 'Kies een overleg van deze tafel.' }, 'Kies een overleg van deze tafel.');
			if (meeting.status === 'gesloten') throw invalidInput({ meetingId: 'Dit overleg is al gesloten; kies een later overleg.' }, 'Dit overleg is al gesloten; kies een later overleg.');
			if (meeting.status === 'afgezegd') throw invalidInput({ meetingId: 'Dit overleg is afgezegd; kies een ander overleg.' }, 'Dit overleg is afgezegd; kies een ander overleg.');
		}
		const inviteOrgIds = [...new Set(parsed.data.inviteOrgIds)];
		if (inviteOrgIds.length > 0) {
			const found = await trx.selectFrom('organisations').select('id').where('id', 'in', inviteOrgIds).execute();
			if (found.length !== inviteOrgIds.length) throw invalidInput({ inviteOrgIds: 'Kies alleen organisaties uit de lijst.' });
		}

		// terugkomcasus at this table, or a new case
		const earlier = r.relapse_case_id === null
			? undefined
			: await trx.selectFrom('cases').select(['id', 'code', 'case_table_id', 'status']).where('id', '=', r.relapse_case_id).executeTakeFirst();
		const reopen = earlier !== undefined && earlier.case_table_id === tableId;
		const addsToCaseload = !(reopen && earlier.status !== 'afgesloten');
		if (addsToCaseload && type.caseloadCap !== null) {
			const open = await openCaseload(trx, tableId);
			if (open >= type.caseloadCap) {
				throw conflict(
					`Het plafond van ${type.caseloadCap} casussen is bereikt: er lopen nu ${open} casussen aan deze tafel. ` +
						'Sluit eerst een casus af, of wijs het verzoek af of houd het aan.'
				);
			}
		}
		const caseStatus = meetingId !== null ? 'gepland' : 'aangemeld';
		let caseId: number;
		let caseCode: string;
		if (reopen) {
			caseId = earlier.id;
			caseCode = earlier.code;
			await trx
				.updateTable('cases')
				.set({ status: caseStatus, closed_at: null, title, legal_frame: r.legal_frame })
				.where('id', '=', caseId)
				.execute();
			await recordAudit(trx, {
				at: now,
				userId: actor.userId,
				organisationId: actor.organisationId,
				action: 'case.phase',
				caseId,
				meetingId,
				detail: { from: earlier.status, to: caseStatus, terugkomcasus: true, requestId },
				ip: meta.ip
			});
		} else {
			caseCode = await nextCaseCode(trx, table.code_prefix, now);
			const row = await trx
				.insertInto('cases')
				.values({
					case_table_id: tableId,
					code: caseCode,
					title,
					subject_kind: r.subject_kind,
					subject_name: r.subject_name,
					subject_birthdate: r.subject_birthdate,
					status: caseStatus,
					created_at: at,
					legal_frame: r.legal_frame,
					previous_case_id: earlier?.id ?? null
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			caseId = row.id;
			await recordAudit(trx, {
				at: now,
				userId: actor.userId,
				organisationId: actor.organisationId,
				action: 'case.create',
				caseId,
				meetingId,
				detail: { requestId, previousCaseId: earlier?.id ?? null },
				ip: meta.ip
			});
		}

		// need to know: the aanmelder's organisation and the invited ones
		for (const organisationId of [...new Set([r.organisation_id, ...inviteOrgIds])]) {
			const active = await trx
				.selectFrom('case_access')
				.select('id')
				.where('case_id', '=', caseId)
				.where('organisation_id', '=', organisationId)
				.where('withdrawn_at', 'is', null)
				.executeTakeFirst();
			if (active) continue;
			await trx.insertInto('case_access').values({ case_id: caseId, organisation_id: organisationId, granted_by: actor.userId, granted_at: at }).execute();
			await recordAudit(trx, {
				at: now,
				userId: actor.userId,
				organisationId: actor.organisationId,
				action: 'case.access.grant',
				caseId,
				detail: { organisationId, requestId },
				ip: meta.ip
			});
		}

		await trx
			.updateTable('requests')
			.set({ status: 'geaccepteerd', decided_by: actor.userId, decided_at: at, case_id: caseId, meeting_id: meetingId, updated_at: at })
			.where('id', '=', requestId)
			.execute();
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'request.accept',
			caseId,
			meetingId,
			detail: { requestId, reopened: reopen },
			ip: meta.ip
		});
		return { caseId, caseCode, reopened: reopen };
	});

	await notifyRequestOutcome(ctx, actor.userId, requestId, 'geaccepteerd').catch((err) =>
		ctx.log.error({ err, requestId }, 'notifying the aanmelder failed')
	);

	let onAgenda = false;
	if (meetingId !== null && ctx.realtime) {
		try {
			await ctx.realtime.hub.change(`meeting:${meetingId}`, 'triage', (doc) =>
				// the meeting document holds no case content: the item's title stays empty
				addAgendaItem(doc, { caseId: result.caseId, caseCode: result.caseCode, title: '', plannedMinutes, status: 'gepland' })
			);
			onAgenda = true;
		} catch (err) {
			ctx.log.error({ err, requestId, meetingId }, 'accepted request could not be added to the agenda');
		}
	}
	return { ...result, meetingId, onAgenda };
}

async function closeWithNote(
	ctx: AppContext,
	actor: Actor,
	requestId: number,
	note: string,
	status: 'afgewezen' | 'aanvulling_gevraagd',
	meta: RequestMeta
): Promise<void> {
	const { db } = ctx;
	const now = ctx.now();
	const at = now.toISOString();
	await db.transaction().execute(async (trx) => {
		const decided = status === 'afgewezen' ? { decided_by: actor.userId, decided_at: at } : {};
		const result = await trx
			.updateTable('requests')
			.set({ status, triage_note: note, updated_at: at, ...decided })
			.where('id', '=', requestId)
			.where('status', 'in', status === 'afgewezen' ? OPEN_STATUSES : ['ingediend'])
			.executeTakeFirst();
		if (Number(result.numUpdatedRows) === 0) {
			const r = await loadRequest(trx, requestId);
			throw conflict(
				r.status === 'aanvulling_gevraagd'
					? 'De aanmelder is al om een aanvulling gevraagd; wacht op het antwoord.'
					: 'Over dit verzoek is al besloten.'
			);
		}
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: status === 'afgewezen' ? 'request.decline' : 'request.ask_more',
			detail: { requestId },
			ip: meta.ip
		});
	});
	await notifyRequestOutcome(ctx, actor.userId, requestId, status === 'afgewezen' ? 'afgewezen' : 'vraag').catch((err) =>
		ctx.log.error({ err, requestId }, 'notifying the aanmelder failed')
	);
}

const DECLINE = 'Geef de reden van de afwijzing in 10 tot 1000 tekens; de aanmelder leest hem.';
const ASK = 'Schrijf in 10 tot 1000 tekens wat u de aanmelder vraagt.';

/** Declines a request with a reason the aanmelder reads ('request.triage'). */
export async function declineRequest(
	ctx: AppContext,
	actor: Actor,
	requestId: number,
	input: { reason?: unknown },
	meta: RequestMeta = { ip: null },
	tableId?: number
) {
	await authorizeTriage(ctx.db, actor, requestId, tableId);
	const parsed = z.object({ reason: z.string({ error: DECLINE }).trim().min(10, DECLINE).max(1000, DECLINE) }).safeParse(input);
	if (!parsed.success) throw invalidInput(fieldErrors(parsed.error.issues), 'Het verzoek is niet afgewezen. Wat er mis is, staat bij het veld.');
	await closeWithNote(ctx, actor, requestId, parsed.data.reason, 'afgewezen', meta);
}

/** Asks the aanmelder for more ('request.triage'); they supplement and it returns to the queue. */
export async function askMore(
	ctx: AppContext,
	actor: Actor,
	requestId: number,
	input: { question?: unknown },
	meta: RequestMeta = { ip: null },
	tableId?: number
) {
	await authorizeTriage(ctx.db, actor, requestId, tableId);
	const parsed = z.object({ question: z.string({ error: ASK }).trim().min(10, ASK).max(1000, ASK) }).safeParse(input);
	if (!parsed.success) throw invalidInput(fieldErrors(parsed.error.issues), 'De vraag is niet verstuurd. Wat er mis is, staat bij het veld.');
	await closeWithNote(ctx, actor, requestId, parsed.data.question, 'aanvulling_gevraagd', meta);
}

