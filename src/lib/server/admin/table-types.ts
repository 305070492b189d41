import { z } from 'zod';
import type { AppContext } from '../context';
import type { Executor } from '../db/index';
import { recordAudit } from '../audit/index';
import { conflict, invalidInput, notFound } from '../errors';
import { authorize, type Actor } from '../policy/index';
import { toColumns, toConfig } from '../tables/types';
import { IDENTITY_ROLES, OUTPUT_TEMPLATES, normaliseIdentityRoles, type TableTypeConfig } from '../../shared/tables';
import { ORGANISATION_TYPES, SUBJECT_KINDS } from '../../shared/roles';
import type { RequestMeta } from './service';

/**
 * Table types as configuration a beheerder edits (issue 4, DOMAIN.md §1: the list of
 * overlegtafels is "already out of date when distributed", so it cannot be hard-coded).
 * Every function checks 'admin.manage' first; a type a beheerder saved gets `updated_at`, so the
 * demo seed never puts its own rules back over it.
 */

const REGION = { kind: 'region' } as const;

/** The configuration without its identity: what a beheerder edits. */
export type TableTypeSettings = Omit<TableTypeConfig, 'id' | 'slug'>;

export interface TableTypeListItem extends TableTypeConfig {
	/** overlegtafels of this type */
	tableCount: number;
	/** null: the type still has the rules it was seeded with */
	updatedAt: string | null;
	/** corrections of the seed an upgrade did not apply because a beheerder had saved the type */
	reviews: TableTypeReview[];
}

export interface TableTypeReview {
	/** the form field, as in TableTypeConfig */
	field: keyof TableTypeSettings;
	current: unknown;
	proposed: unknown;
	reason: string;
	since: string;
}

const REVIEW_FIELDS: Record<string, keyof TableTypeSettings> = {
	min_age: 'minAge',
	max_age: 'maxAge',
	caseload_cap: 'caseloadCap',
	child_min_age: 'childMinAge',
	client_participation: 'clientParticipation',
	rule_basis: 'ruleBasis'
};

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return null;
	}
}

/**
 * The open reviews per type: those written after the type was last saved (saving it again is
 * the beheerder's answer, whatever they chose).
 */
async function openReviews(db: Executor, typeIds: number[]): Promise<Map<number, TableTypeReview[]>> {
	const out = new Map<number, TableTypeReview[]>();
	if (typeIds.length === 0) return out;
	const rows = await db
		.selectFrom('table_type_reviews')
		.innerJoin('table_types', 'table_types.id', 'table_type_reviews.table_type_id')
		.select([
			'table_type_reviews.table_type_id as typeId',
			'table_type_reviews.field',
			'table_type_reviews.current_value',
			'table_type_reviews.proposed_value',
			'table_type_reviews.reason',
			'table_type_reviews.created_at',
			'table_types.updated_at'
		])
		.where('table_type_reviews.table_type_id', 'in', typeIds)
		.orderBy('table_type_reviews.id')
		.execute();
	for (const r of rows) {
		const field = REVIEW_FIELDS[r.field];
		if (!field) continue;
		if (r.updated_at !== null && r.updated_at > r.created_at) continue;
		const list = out.get(r.typeId) ?? [];
		list.push({ field, current: parseJson(r.current_value), proposed: parseJson(r.proposed_value), reason: r.reason, since: r.created_at });
		out.set(r.typeId, list);
	}
	return out;
}

// ---- validation ----

/** '' and absent are "not filled in"; a string is trimmed; anything else is left to zod. */
const blankToNull = (v: unknown) => {
	if (v === undefined || v === null) return null;
	if (typeof v === 'string') {
		const t = v.trim();
		return t === '' ? null : t;
	}
	return v;
};

/** A whole number from a form field ("12", " 12 ") or from code (12); '' means not filled in. */
const toNumber = (v: unknown) => {
	const b = blankToNull(v);
	if (typeof b !== 'string') return b;
	return /^-?\d+$/.test(b) ? Number(b) : Number.NaN;
};

function wholeNumber(min: number, max: number, message: string) {
	return z.number({ error: message }).int(message).min(min, message).max(max, message);
}

/** An optional whole number: empty is null, anything else must lie in [min, max]. */
function optionalWhole(min: number, max: number, message: string) {
	return z.preprocess(toNumber, wholeNumber(min, max, message).nullable());
}

/** A required whole number in [min, max]. */
function requiredWhole(min: number, max: number, message: string, missing: string) {
	return z.preprocess(
		toNumber,
		z
			.number({ error: (issue) => (issue.input === null ? missing : message) })
			.int(message)
			.min(min, message)
			.max(max, message)
	);
}

/** Optional text up to `max` characters; empty is null. */
function optionalText(max: number, message: string) {
	return z.preprocess(blankToNull, z.string({ error: message }).max(max, message).nullable());
}

const MAX_LEEFGEBIEDEN = 12;
const MAX_LEEFGEBIED_LENGTH = 60;

/**
 * Leefgebieden typed one per line (or given as a list): trimmed, empty lines dropped. They name
 * the goals in every case document of the type, so each must be unique (case does not count).
 */
const Leefgebieden = z
	.preprocess(
		(v) => {
			const lines = typeof v === 'string' ? v.split(/\r?\n/) : Array.isArray(v) ? v : [];
			return lines.map((l) => (typeof l === 'string' ? l.trim() : l)).filter((l) => l !== '');
		},
		z.array(z.string({ error: 'Elk leefgebied is een stuk tekst.' }), { error: 'Vul de leefgebieden in, één per regel.' })
	)
	.superRefine((list, ctx) => {
		if (list.length === 0) {
			ctx.addIssue({ code: 'custom', message: 'Vul minstens één leefgebied in, één per regel.' });
			return;
		}
		if (list.length > MAX_LEEFGEBIEDEN) {
			ctx.addIssue({ code: 'custom', message: `Gebruik hoogstens ${MAX_LEEFGEBIEDEN} leefgebieden; nu zijn het er ${list.length}.` });
			return;
		}
		const long = list.find((l) => l.length > MAX_LEEFGEBIED_LENGTH);
		if (long) {
			ctx.addIssue({
				code: 'custom',
				message: `Houd elk leefgebied korter dan ${MAX_LEEFGEBIED_LENGTH + 1} tekens; “${long.slice(0, 30)}…” is te lang.`
			});
			return;
		}
		const seen = new Set<string>();
		for (const l of list) {
			const key = l.toLocaleLowerCase('nl');
			if (seen.has(key)) {
				ctx.addIssue({ code: 'custom', message: `Het leefgebied “${l}” staat er twee keer in; elk leefgebied mag maar één keer voorkomen.` });
				return;
			}
			seen.add(key);
		}
	});

const AGE_MESSAGE = 'Vul een hele leeftijd in van 0 tot en met 120 jaar, of laat het veld leeg.';

/**
 * What a beheerder may set on a table type, with a Dutch message per field. Accepts the strings
 * of a form (numbers as text, leefgebieden one per line, organisation types as repeated fields)
 * as well as the values of a TableTypeConfig. The age range across two fields is checked in
 * `parseTableTypeSettings`, so it is reported together with the other fields' problems (zod
 * skips an object's refinements once a field has failed).
 */
const TableTypeForm = z.object({
	name: z
		.string({ error: 'Vul een naam in.' })
		.trim()
		.min(3, 'Vul een naam in van minstens 3 tekens.')
		.max(120, 'Gebruik voor de naam hoogstens 120 tekens.'),
	purpose: z
		.string({ error: 'Beschrijf de doelbinding.' })
		.trim()
		.min(10, 'Beschrijf de doelbinding in minstens 10 tekens: waarvoor bespreekt deze tafel casussen?')
		.max(2000, 'Houd de doelbinding korter dan 2000 tekens.'),
	submitterOrgTypes: z.preprocess(
		(v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]),
		z
			.array(z.enum(ORGANISATION_TYPES, { error: 'Kies alleen soorten organisaties uit de lijst.' }))
			.transform((list) => ORGANISATION_TYPES.filter((t) => list.includes(t)))
	),
	minAge: optionalWhole(0, 120, AGE_MESSAGE),
	maxAge: optionalWhole(0, 120, AGE_MESSAGE),
	requiredIndication: optionalText(60, 'Gebruik voor de vereiste indicatie hoogstens 60 tekens, zoals “BW-indicatie”.'),
	caseloadCap: optionalWhole(1, 10_000, 'Vul een heel getal in van 1 tot en met 10.000, of laat het veld leeg als er geen maximum is.'),
	clientParticipation: z.preprocess(
		(v) => (v === undefined || v === null ? '' : v),
		z.string({ error: 'Beschrijf in woorden wie er aan tafel mag.' }).trim().max(500, 'Houd deze beschrijving korter dan 500 tekens.')
	),
	childMinAge: optionalWhole(0, 25, 'Vul een hele leeftijd in van 0 tot en met 25 jaar, of laat het veld leeg als er geen leeftijdsregel is.'),
	outputTemplate: z.enum(OUTPUT_TEMPLATES, { error: 'Kies een uitkomst uit de lijst.' }),
	subjectKind: z.enum(SUBJECT_KINDS, { error: 'Kies wie er besproken wordt.' }),
	leefgebieden: Leefgebieden,
	followupMonths: optionalWhole(1, 240, 'Vul een heel aantal maanden in van 1 tot en met 240, of laat het veld leeg.'),
	retentionMonths: requiredWhole(
		1,
		600,
		'Vul een heel aantal maanden in van 1 tot en met 600 (50 jaar).',
		'Vul de bewaartermijn in, in maanden.'
	),
	ruleBasis: z.preprocess(
		(v) => (v === undefined || v === null ? '' : v),
		z.string({ error: 'Schrijf op waar de regels op rusten.' }).trim().max(2000, 'Houd deze toelichting korter dan 2000 tekens.')
	),
	/** who sees the subject's name and birthdate; the voorzitter always does, so it is added */
	identityRoles: z.preprocess(
		(v) => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]),
		z
			.array(z.enum(IDENTITY_ROLES, { error: 'Kies alleen rollen uit de lijst.' }))
			.transform((list) => normaliseIdentityRoles(list))
	)
});

const AgeRange = z.object({ minAge: optionalWhole(0, 120, AGE_MESSAGE), maxAge: optionalWhole(0, 120, AGE_MESSAGE) });

/** The form's fields; the names of the inputs and of the fields in an INVALID_INPUT error. */
export type TableTypeField = keyof TableTypeSettings;

const INVALID = 'Het soort overleg is niet opgeslagen. Wat er mis is, staat bij het veld.';

/** Validates input as TableTypeSettings, or throws INVALID_INPUT with one Dutch message per field. */
export function parseTableTypeSettings(input: unknown): TableTypeSettings {
	const parsed = TableTypeForm.safeParse(input);
	const fields: Record<string, string> = {};
	for (const issue of parsed.error?.issues ?? []) {
		const key = String(issue.path[0] ?? 'form');
		fields[key] ??= issue.message;
	}
	const ages = AgeRange.safeParse(input);
	if (ages.success) {
		const { minAge, maxAge } = ages.data;
		if (minAge !== null && maxAge !== null && minAge > maxAge) {
			fields.maxAge ??= `De hoogste leeftijd (${maxAge}) is lager dan de laagste leeftijd (${minAge}).`;
		}
	}
	if (parsed.success && Object.keys(fields).length === 0) return parsed.data;
	throw invalidInput(fields, INVALID);
}

// ---- reading ----

const dutch = new Intl.Collator('nl', { sensitivity: 'base' });

/** Every table type with its rules and the number of overlegtafels that use it, by name. */
export async function listTableTypes(ctx: AppContext, actor: Actor): Promise<TableTypeListItem[]> {
	const { db } = ctx;
	await authorize(db, actor, 'admin.manage', REGION);
	const rows = await db
		.selectFrom('table_types')
		.selectAll('table_types')
		.select((eb) =>
			eb
				.selectFrom('case_tables')
				.select(eb.fn.countAll<number>().as('n'))
				.whereRef('case_tables.table_type_id', '=', 'table_types.id')
				.as('tableCount')
		)
		.execute();
	const reviews = await openReviews(
		db,
		rows.map((r) => r.id)
	);
	return rows
		.map((row) => ({ ...toConfig(row), tableCount: Number(row.tableCount ?? 0), updatedAt: row.updated_at, reviews: reviews.get(row.id) ?? [] }))
		.sort((a, b) => dutch.compare(a.name, b.name));
}

/** One table type with its rules and the overlegtafels that use it; NOT_FOUND when missing. */
export async function getTableType(ctx: AppContext, actor: Actor, id: number) {
	const { db } = ctx;
	await authorize(db, actor, 'admin.manage', REGION);
	const row = await db.selectFrom('table_types').selectAll().where('id', '=', id).executeTakeFirst();
	if (!row) throw notFound();
	const tables = await db
		.selectFrom('case_tables')
		.select(['id', 'name'])
		.where('table_type_id', '=', id)
		.execute();
	const reviews = await openReviews(db, [row.id]);
	return {
		type: { ...toConfig(row), updatedAt: row.updated_at, reviews: reviews.get(row.id) ?? [] },
		tables: tables.sort((a, b) => dutch.compare(a.name, b.name))
	};
}

// ---- writing ----

function sameValue(a: unknown, b: unknown): boolean {
	return JSON.stringify(a) === JSON.stringify(b);
}

/** The names of the settings that differ; never their values (the audit log holds no free text). */
function changedFields(before: TableTypeSettings, after: TableTypeSettings): TableTypeField[] {
	return (Object.keys(after) as TableTypeField[]).filter((key) => !sameValue(before[key], after[key]));
}

async function assertNameFree(db: Executor, name: string, exceptId: number | null) {
	const rows = await db.selectFrom('table_types').select(['id', 'name']).execute();
	const clash = rows.find((r) => r.id !== exceptId && dutch.compare(r.name, name) === 0);
	if (clash) {
		throw conflict('Er bestaat al een soort overleg met deze naam.', {
			name: 'Deze naam is al in gebruik bij een ander soort overleg.'
		});
	}
}

/**
 * Saves a beheerder's edit of a table type. Returns the names of the fields that changed; when
 * nothing changed, nothing is written and nothing is logged. The audit row names the changed
 * fields only.
 */
export async function updateTableType(
	ctx: AppContext,
	actor: Actor,
	id: number,
	input: unknown,
	meta: RequestMeta = { ip: null }
): Promise<{ changed: TableTypeField[] }> {
	const { db } = ctx;
	await authorize(db, actor, 'admin.manage', REGION);
	const settings = parseTableTypeSettings(input);
	return db.transaction().execute(async (trx) => {
		const row = await trx.selectFrom('table_types').selectAll().where('id', '=', id).executeTakeFirst();
		if (!row) throw notFound();
		const { id: _id, slug: _slug, ...before } = toConfig(row);
		const changed = changedFields(before, settings);
		if (changed.length === 0) return { changed };
		if (changed.includes('name')) await assertNameFree(trx, settings.name, id);
		const at = ctx.now();
		await trx
			.updateTable('table_types')
			.set({ ...toColumns(settings), updated_at: at.toISOString() })
			.where('id', '=', id)
			.execute();
		await recordAudit(trx, {
			at,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'tabletype.update',
			detail: { tableTypeId: id, fields: changed },
			ip: meta.ip
		});
		return { changed };
	});
}

/** A URL- and code-friendly name: "Top X Plus" → "top-x-plus", "Vroeghulp (0–7)" → "vroeghulp-0-7". */
export function slugify(name: string): string {
	const slug = name
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/&/g, ' en ')
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 40)
		.replace(/-+$/g, '');
	return slug === '' ? 'tafeltype' : slug;
}

/**
 * Adds a table type, for the tables a region configures next. The slug is derived from the
 * name and made unique with a number ("top-150-2"). A created type counts as edited
 * (`updated_at` set), so a seed with the same slug never overwrites it.
 */
export async function createTableType(
	ctx: AppContext,
	actor: Actor,
	input: unknown,
	meta: RequestMeta = { ip: null }
): Promise<{ id: number; slug: string }> {
	const { db } = ctx;
	await authorize(db, actor, 'admin.manage', REGION);
	const settings = parseTableTypeSettings(input);
	return db.transaction().execute(async (trx) => {
		await assertNameFree(trx, settings.name, null);
		const base = slugify(settings.name);
		const taken = new Set(
			(await trx.selectFrom('table_types').select('slug').where('slug', 'like', `${base}%`).execute()).map((r) => r.slug)
		);
		let slug = base;
		for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
		const at = ctx.now();
		const row = await trx
			.insertInto('table_types')
			.values({ slug, ...toColumns(settings), created_at: at.toISOString(), updated_at: at.toISOString() })
			.returning('id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, {
			at,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'tabletype.create',
			detail: { tableTypeId: row.id, slug },
			ip: meta.ip
		});
		return { id: row.id, slug };
	});
}
