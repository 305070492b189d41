import type { AppContext } from '../context';
import { recordAudit } from '../audit/index';
import { conflict, invalidInput, notFound } from '../errors';
import { authorize, can, subjectFor, type Actor } from '../policy/index';

const dutch = new Intl.Collator('nl');

export interface RequestMeta {
	ip: string | null;
}

/**
 * A case's details for someone who may see it. Every view writes an audit row naming the user
 * and the organisation they act for.
 */
export async function viewCase(ctx: AppContext, actor: Actor, caseId: number, meta: RequestMeta) {
	const { db } = ctx;
	await authorize(db, actor, 'case.view', { kind: 'case', caseId });
	const row = await db
		.selectFrom('cases')
		.innerJoin('case_tables', 'case_tables.id', 'cases.case_table_id')
		.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
		.select([
			'cases.id',
			'cases.code',
			'cases.title',
			'cases.subject_kind',
			'cases.subject_name',
			'cases.subject_birthdate',
			'cases.status',
			'cases.created_at',
			'cases.closed_at',
			'case_tables.id as tableId',
			'case_tables.name as tableName',
			'table_types.leefgebieden'
		])
		.where('cases.id', '=', caseId)
		.executeTakeFirstOrThrow();
	await recordAudit(db, {
		at: ctx.now(),
		userId: actor.userId,
		organisationId: actor.organisationId,
		action: 'case.view',
		caseId,
		ip: meta.ip
	});
	const canManageAccess = await can(db, actor, 'case.manageAccess', { kind: 'case', caseId });
	const canEdit = await can(db, actor, 'case.edit', { kind: 'case', caseId });
	const { subject_name, subject_birthdate, ...rest } = row;
	const subject = await subjectFor(db, actor, { kind: 'case', caseId }, { name: subject_name, birthdate: subject_birthdate });
	return {
		case: {
			...rest,
			// the name and birthdate, or the initials: as the table type decides for this viewer
			subject_name: subject.name,
			subject_birthdate: subject.birthdate,
			subjectIdentified: subject.identified,
			identityRoles: subject.rule,
			leefgebieden: JSON.parse(row.leefgebieden) as string[]
		},
		access: await listCaseAccess(ctx, caseId),
		organisations: canManageAccess ? await listOrganisationsForGrant(ctx) : [],
		canManageAccess,
		canEdit
	};
}

async function listCaseAccess(ctx: AppContext, caseId: number) {
	return ctx.db
		.selectFrom('case_access')
		.innerJoin('organisations', 'organisations.id', 'case_access.organisation_id')
		.leftJoin('users as granter', 'granter.id', 'case_access.granted_by')
		.select([
			'case_access.id',
			'case_access.organisation_id',
			'organisations.name as organisationName',
			'organisations.type as organisationType',
			'case_access.granted_at',
			'granter.name as grantedByName',
			'case_access.withdrawn_at'
		])
		.where('case_access.case_id', '=', caseId)
		.orderBy('case_access.granted_at', 'desc')
		.execute();
}

async function listOrganisationsForGrant(ctx: AppContext) {
	const rows = await ctx.db.selectFrom('organisations').select(['id', 'name', 'type']).execute();
	return rows.sort((a, b) => dutch.compare(a.name, b.name));
}

/** Grants an organisation access to a case (voorzitter, secretaris). */
export async function grantCaseAccess(
	ctx: AppContext,
	actor: Actor,
	caseId: number,
	organisationId: number,
	meta: RequestMeta
): Promise<void> {
	const { db } = ctx;
	await authorize(db, actor, 'case.manageAccess', { kind: 'case', caseId });
	await db.transaction().execute(async (trx) => {
		const org = await trx
			.selectFrom('organisations')
			.select('id')
			.where('id', '=', organisationId)
			.executeTakeFirst();
		if (!org) throw invalidInput({ organisationId: 'Kies een bestaande organisatie.' });
		const active = await trx
			.selectFrom('case_access')
			.select('id')
			.where('case_id', '=', caseId)
			.where('organisation_id', '=', organisationId)
			.where('withdrawn_at', 'is', null)
			.executeTakeFirst();
		if (active) throw conflict('Deze organisatie heeft al toegang tot deze casus.');
		const now = ctx.now();
		await trx
			.insertInto('case_access')
			.values({
				case_id: caseId,
				organisation_id: organisationId,
				granted_by: actor.userId,
				granted_at: now.toISOString()
			})
			.execute();
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'case.access.grant',
			caseId,
			detail: { organisationId },
			ip: meta.ip
		});
	});
	// the organisation's people in a meeting room may now see the case on the shared screen
	await ctx.realtime?.refreshRooms();
}

/** Withdraws an organisation's active access; the grant stays in the history. */
export async function withdrawCaseAccess(
	ctx: AppContext,
	actor: Actor,
	caseId: number,
	organisationId: number,
	meta: RequestMeta
): Promise<void> {
	const { db } = ctx;
	await authorize(db, actor, 'case.manageAccess', { kind: 'case', caseId });
	await db.transaction().execute(async (trx) => {
		const now = ctx.now();
		const result = await trx
			.updateTable('case_access')
			.set({ withdrawn_at: now.toISOString(), withdrawn_by: actor.userId })
			.where('case_id', '=', caseId)
			.where('organisation_id', '=', organisationId)
			.where('withdrawn_at', 'is', null)
			.executeTakeFirst();
		if (Number(result.numUpdatedRows) === 0) throw notFound();
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'case.access.withdraw',
			caseId,
			detail: { organisationId },
			ip: meta.ip
		});
	});
	// Open connections of that organisation's people lose the case and every document derived
	// from it (the minutes of its besprekingen) at once.
	await ctx.realtime?.reauthorize({ caseId });
}
