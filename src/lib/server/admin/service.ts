import type { AppContext } from '../context';
import { recordAudit } from '../audit/index';
import { endUserEverywhere } from '../auth/revoke';
import { conflict, invalidInput, notFound } from '../errors';
import { authorize, type Actor } from '../policy/index';
import type { OrganisationType, TableRole } from '../../shared/roles';

export interface RequestMeta {
	ip: string | null;
}

const REGION = { kind: 'region' } as const;

function audit(ctx: AppContext, actor: Actor, meta: RequestMeta) {
	return (action: Parameters<typeof recordAudit>[1]['action'], detail: Record<string, unknown>) =>
		recordAudit(ctx.db, {
			at: ctx.now(),
			userId: actor.userId,
			organisationId: actor.organisationId,
			action,
			detail,
			ip: meta.ip
		});
}

/** Throws NOT_FOUND unless the actor is a beheerder; the beheer layout calls it for every page. */
export async function requireAdmin(ctx: AppContext, actor: Actor): Promise<void> {
	await authorize(ctx.db, actor, 'admin.manage', REGION);
}

/** Overview for the beheer pages: organisations, users, tables, table types. */
export async function adminOverview(ctx: AppContext, actor: Actor) {
	const { db } = ctx;
	await authorize(db, actor, 'admin.manage', REGION);
	const [organisations, users, tables, tableTypes] = await Promise.all([
		db
			.selectFrom('organisations')
			.select(['id', 'name', 'type'])
			.select((eb) =>
				eb
					.selectFrom('users')
					.select(eb.fn.countAll<number>().as('n'))
					.whereRef('users.organisation_id', '=', 'organisations.id')
					.as('userCount')
			)
			.orderBy('name')
			.execute(),
		db
			.selectFrom('users')
			.innerJoin('organisations', 'organisations.id', 'users.organisation_id')
			.select([
				'users.id',
				'users.name',
				'users.email',
				'users.is_admin',
				'users.disabled_at',
				'users.invited_at',
				'organisations.name as organisationName'
			])
			.orderBy('users.name')
			.execute(),
		db
			.selectFrom('case_tables')
			.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
			.select(['case_tables.id', 'case_tables.name', 'case_tables.code_prefix', 'table_types.name as typeName'])
			.select((eb) =>
				eb
					.selectFrom('memberships')
					.select(eb.fn.countAll<number>().as('n'))
					.whereRef('memberships.case_table_id', '=', 'case_tables.id')
					.as('memberCount')
			)
			.orderBy('case_tables.name')
			.execute(),
		db.selectFrom('table_types').select(['id', 'name', 'slug']).orderBy('name').execute()
	]);
	const byName = (a: { name: string }, b: { name: string }) => dutch.compare(a.name, b.name);
	return {
		organisations: organisations.sort(byName),
		users: users.sort(byName),
		tables: tables.sort(byName),
		tableTypes: tableTypes.sort(byName)
	};
}

/** Sorting as a Dutch reader expects ("Gemeente" before "GGZ"), not by byte value. */
const dutch = new Intl.Collator('nl', { sensitivity: 'base' });

export async function createOrganisation(
	ctx: AppContext,
	actor: Actor,
	input: { name: string; type: OrganisationType },
	meta: RequestMeta
): Promise<number> {
	await authorize(ctx.db, actor, 'admin.manage', REGION);
	const exists = await ctx.db
		.selectFrom('organisations')
		.select('id')
		.where('name', '=', input.name)
		.executeTakeFirst();
	if (exists) throw conflict('Er bestaat al een organisatie met deze naam.', { name: 'Deze naam is al in gebruik.' });
	const row = await ctx.db
		.insertInto('organisations')
		.values({ name: input.name, type: input.type, created_at: ctx.now().toISOString() })
		.returning('id')
		.executeTakeFirstOrThrow();
	await audit(ctx, actor, meta)('organisation.create', { organisationId: row.id });
	return row.id;
}

/** Disables a user and ends all their sessions at once; their next request is anonymous. */
export async function setUserDisabled(
	ctx: AppContext,
	actor: Actor,
	userId: number,
	disabled: boolean,
	meta: RequestMeta
): Promise<void> {
	const { db } = ctx;
	await authorize(db, actor, 'admin.manage', REGION);
	if (disabled && userId === actor.userId) {
		throw conflict('U kunt uw eigen account niet blokkeren.');
	}
	const result = await db
		.updateTable('users')
		.set({ disabled_at: disabled ? ctx.now().toISOString() : null })
		.where('id', '=', userId)
		.executeTakeFirst();
	if (Number(result.numUpdatedRows) === 0) throw notFound();
	const ended = disabled ? await endUserEverywhere(ctx, userId) : 0;
	await audit(ctx, actor, meta)(disabled ? 'user.disable' : 'user.enable', {
		targetUserId: userId,
		sessionsEnded: ended
	});
}

export async function createTable(
	ctx: AppContext,
	actor: Actor,
	input: { name: string; tableTypeId: number; codePrefix: string },
	meta: RequestMeta
): Promise<number> {
	const { db } = ctx;
	await authorize(db, actor, 'admin.manage', REGION);
	const type = await db.selectFrom('table_types').select('id').where('id', '=', input.tableTypeId).executeTakeFirst();
	if (!type) throw invalidInput({ tableTypeId: 'Kies een bestaand soort overleg.' });
	const taken = await db.selectFrom('case_tables').select('id').where('name', '=', input.name).executeTakeFirst();
	if (taken) throw conflict('Er bestaat al een overlegtafel met deze naam.', { name: 'Deze naam is al in gebruik.' });
	// Case codes are built from the prefix and are unique, so two tables cannot share one.
	const prefixTaken = await db
		.selectFrom('case_tables')
		.select('id')
		.where('code_prefix', '=', input.codePrefix)
		.executeTakeFirst();
	if (prefixTaken) {
		throw conflict('Er bestaat al een overlegtafel met deze codeletters.', {
			codePrefix: 'Deze codeletters zijn al in gebruik bij een andere overlegtafel.'
		});
	}
	const row = await db
		.insertInto('case_tables')
		.values({
			name: input.name,
			table_type_id: input.tableTypeId,
			code_prefix: input.codePrefix,
			created_at: ctx.now().toISOString()
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	await audit(ctx, actor, meta)('table.create', { tableId: row.id });
	return row.id;
}

export async function tableMembers(ctx: AppContext, actor: Actor, tableId: number) {
	const { db } = ctx;
	await authorize(db, actor, 'admin.manage', REGION);
	const table = await db
		.selectFrom('case_tables')
		.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
		.select(['case_tables.id', 'case_tables.name', 'case_tables.code_prefix', 'table_types.name as typeName'])
		.where('case_tables.id', '=', tableId)
		.executeTakeFirst();
	if (!table) throw notFound();
	const members = await db
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.innerJoin('organisations', 'organisations.id', 'users.organisation_id')
		.select(['users.id', 'users.name', 'users.email', 'organisations.name as organisationName', 'memberships.role'])
		.where('memberships.case_table_id', '=', tableId)
		.orderBy('users.name')
		.execute();
	const candidates = await db
		.selectFrom('users')
		.innerJoin('organisations', 'organisations.id', 'users.organisation_id')
		.select(['users.id', 'users.name', 'organisations.name as organisationName'])
		.where('users.disabled_at', 'is', null)
		.where((eb) =>
			eb.not(
				eb.exists(
					eb
						.selectFrom('memberships')
						.select('memberships.id')
						.whereRef('memberships.user_id', '=', 'users.id')
						.where('memberships.case_table_id', '=', tableId)
				)
			)
		)
		.orderBy('users.name')
		.execute();
	return { table, members, candidates };
}

/** Adds a member or changes their role; one role per person per table. */
export async function setMembership(
	ctx: AppContext,
	actor: Actor,
	input: { tableId: number; userId: number; role: TableRole },
	meta: RequestMeta
): Promise<void> {
	const { db } = ctx;
	await authorize(db, actor, 'admin.manage', REGION);
	const [table, user] = await Promise.all([
		db.selectFrom('case_tables').select('id').where('id', '=', input.tableId).executeTakeFirst(),
		db.selectFrom('users').select('id').where('id', '=', input.userId).executeTakeFirst()
	]);
	if (!table) throw notFound();
	if (!user) throw invalidInput({ userId: 'Kies een bestaande gebruiker.' });
	const existing = await db
		.selectFrom('memberships')
		.select(['id', 'role'])
		.where('case_table_id', '=', input.tableId)
		.where('user_id', '=', input.userId)
		.executeTakeFirst();
	if (existing) {
		await db.updateTable('memberships').set({ role: input.role }).where('id', '=', existing.id).execute();
	} else {
		await db
			.insertInto('memberships')
			.values({ case_table_id: input.tableId, user_id: input.userId, role: input.role, created_at: ctx.now().toISOString() })
			.execute();
	}
	await audit(ctx, actor, meta)(existing ? 'membership.change' : 'membership.add', {
		tableId: input.tableId,
		targetUserId: input.userId,
		role: input.role,
		previousRole: existing?.role ?? null
	});
	// A lower role takes effect on open documents at once.
	if (existing) await ctx.realtime?.reauthorize({ userId: input.userId });
}

export async function removeMembership(
	ctx: AppContext,
	actor: Actor,
	input: { tableId: number; userId: number },
	meta: RequestMeta
): Promise<void> {
	const { db } = ctx;
	await authorize(db, actor, 'admin.manage', REGION);
	const result = await db
		.deleteFrom('memberships')
		.where('case_table_id', '=', input.tableId)
		.where('user_id', '=', input.userId)
		.executeTakeFirst();
	if (Number(result.numDeletedRows) === 0) throw notFound();
	await audit(ctx, actor, meta)('membership.remove', { tableId: input.tableId, targetUserId: input.userId });
	// Their open meeting sockets and documents of this table close at once.
	await Promise.all([
		ctx.realtime?.reauthorize({ userId: input.userId }),
		ctx.realtime?.reauthorizeMeetings(input.userId)
	]);
}
