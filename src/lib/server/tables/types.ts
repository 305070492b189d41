import type { Executor } from '../db/index';
import type { TableTypeRow } from '../db/schema';
import { notFound } from '../errors';
import { DEFAULT_IDENTITY_ROLES, OUTPUT_TEMPLATES, normaliseIdentityRoles, type OutputTemplate, type TableTypeConfig } from '../../shared/tables';
import { ORGANISATION_TYPES, SUBJECT_KINDS, type OrganisationType, type SubjectKind } from '../../shared/roles';

function jsonArray(text: string): unknown[] {
	try {
		const v: unknown = JSON.parse(text);
		return Array.isArray(v) ? v : [];
	} catch {
		return [];
	}
}

/**
 * The stored list of who sees identifying data. Unlike the other fields, an unreadable value
 * falls back to the strictest reading (the default), never to "everyone".
 */
function identityRolesOf(text: string | undefined): TableTypeConfig['identityRoles'] {
	if (text === undefined) return [...DEFAULT_IDENTITY_ROLES];
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return [...DEFAULT_IDENTITY_ROLES];
	}
	if (!Array.isArray(parsed)) return [...DEFAULT_IDENTITY_ROLES];
	return normaliseIdentityRoles(parsed.filter((x): x is string => typeof x === 'string'));
}

/** A table_types row as configuration; unknown values fall back to the most permissive reading. */
export function toConfig(row: TableTypeRow): TableTypeConfig {
	return {
		id: row.id,
		slug: row.slug,
		name: row.name,
		purpose: row.purpose,
		submitterOrgTypes: jsonArray(row.submitter_org_types).filter((t): t is OrganisationType =>
			ORGANISATION_TYPES.includes(t as OrganisationType)
		),
		minAge: row.min_age,
		maxAge: row.max_age,
		requiredIndication: row.required_indication,
		caseloadCap: row.caseload_cap,
		clientParticipation: row.client_participation,
		childMinAge: row.child_min_age,
		outputTemplate: OUTPUT_TEMPLATES.includes(row.output_template as OutputTemplate)
			? (row.output_template as OutputTemplate)
			: 'algemeen',
		subjectKind: SUBJECT_KINDS.includes(row.subject_kind as SubjectKind) ? (row.subject_kind as SubjectKind) : 'persoon',
		leefgebieden: jsonArray(row.leefgebieden).filter((x): x is string => typeof x === 'string'),
		followupMonths: row.followup_months,
		retentionMonths: row.retention_months,
		identityRoles: identityRolesOf(row.identity_roles),
		ruleBasis: row.rule_basis ?? ''
	};
}

/** The columns of a configuration, for insert and update. */
export function toColumns(config: Omit<TableTypeConfig, 'id' | 'slug'>) {
	return {
		name: config.name,
		purpose: config.purpose,
		submitter_org_types: JSON.stringify(config.submitterOrgTypes),
		min_age: config.minAge,
		max_age: config.maxAge,
		required_indication: config.requiredIndication,
		caseload_cap: config.caseloadCap,
		client_participation: config.clientParticipation,
		child_min_age: config.childMinAge,
		output_template: config.outputTemplate,
		subject_kind: config.subjectKind,
		leefgebieden: JSON.stringify(config.leefgebieden),
		followup_months: config.followupMonths,
		retention_months: config.retentionMonths,
		identity_roles: JSON.stringify(normaliseIdentityRoles(config.identityRoles)),
		rule_basis: config.ruleBasis
	};
}

export async function tableTypeById(db: Executor, id: number): Promise<TableTypeConfig> {
	const row = await db.selectFrom('table_types').selectAll().where('id', '=', id).executeTakeFirst();
	if (!row) throw notFound();
	return toConfig(row);
}

/** The type of an overlegtafel: its rules, template and leefgebieden. */
export async function tableTypeOfTable(db: Executor, tableId: number): Promise<TableTypeConfig> {
	const row = await db
		.selectFrom('case_tables')
		.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
		.selectAll('table_types')
		.where('case_tables.id', '=', tableId)
		.executeTakeFirst();
	if (!row) throw notFound();
	return toConfig(row);
}

/** Cases that count against a table's cap: everything not closed. */
export async function openCaseload(db: Executor, tableId: number): Promise<number> {
	const row = await db
		.selectFrom('cases')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('case_table_id', '=', tableId)
		.where('status', '!=', 'afgesloten')
		.executeTakeFirstOrThrow();
	return Number(row.n);
}
