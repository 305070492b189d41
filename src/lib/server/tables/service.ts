import type { AppContext } from '../context';
import { authorize, roleAt, type Actor } from '../policy/index';
import { decide } from '../policy/decide';
import type { TableRole } from '../../shared/roles';

export interface MyTable {
	id: number;
	name: string;
	typeName: string;
	role: TableRole;
}

/** The tables the actor is a member of, with their role there. */
export async function listMyTables(ctx: AppContext, actor: Actor): Promise<MyTable[]> {
	const rows = await ctx.db
		.selectFrom('memberships')
		.innerJoin('case_tables', 'case_tables.id', 'memberships.case_table_id')
		.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
		.select([
			'case_tables.id',
			'case_tables.name',
			'table_types.name as typeName',
			'memberships.role'
		])
		.where('memberships.user_id', '=', actor.userId)
		.orderBy('case_tables.name')
		.execute();
	return rows.map((r) => ({ ...r, role: r.role as TableRole }));
}

export async function upcomingMeetingsFor(ctx: AppContext, actor: Actor, limit = 10) {
	return ctx.db
		.selectFrom('meetings')
		.innerJoin('memberships', 'memberships.case_table_id', 'meetings.case_table_id')
		.innerJoin('case_tables', 'case_tables.id', 'meetings.case_table_id')
		.select([
			'meetings.id',
			'meetings.starts_at',
			'meetings.location',
			'meetings.status',
			'case_tables.id as tableId',
			'case_tables.name as tableName'
		])
		.where('memberships.user_id', '=', actor.userId)
		.where('meetings.starts_at', '>=', startOfDay(ctx.now()).toISOString())
		.orderBy('meetings.starts_at')
		.limit(limit)
		.execute();
}

function startOfDay(d: Date): Date {
	const copy = new Date(d);
	copy.setUTCHours(0, 0, 0, 0);
	return copy;
}

/**
 * A table as its member sees it: its cases filtered by need to know (chair and secretary see
 * all, others only cases their organisation has access to), its meetings and its members.
 */
export async function getTableForMember(ctx: AppContext, actor: Actor, tableId: number) {
	const { db } = ctx;
	await authorize(db, actor, 'table.view', { kind: 'table', tableId });
	const table = await db
		.selectFrom('case_tables')
		.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
		.select([
			'case_tables.id',
			'case_tables.name',
			'case_tables.code_prefix',
			'table_types.name as typeName',
			'table_types.purpose',
			'table_types.leefgebieden'
		])
		.where('case_tables.id', '=', tableId)
		.executeTakeFirstOrThrow();
	// authorize() above guarantees membership
	const role = (await roleAt(db, actor.userId, tableId))!;
	const chair = decide(actor, 'case.manageAccess', {
		tableRole: role,
		organisationHasCaseAccess: false
	});

	let casesQuery = db
		.selectFrom('cases')
		.select(['cases.id', 'cases.code', 'cases.title', 'cases.status'])
		.where('cases.case_table_id', '=', tableId)
		.orderBy('cases.code');
	if (!chair) {
		casesQuery = casesQuery.where((eb) =>
			eb.exists(
				eb
					.selectFrom('case_access')
					.select('case_access.id')
					.whereRef('case_access.case_id', '=', 'cases.id')
					.where('case_access.organisation_id', '=', actor.organisationId)
					.where('case_access.withdrawn_at', 'is', null)
			)
		);
	}
	const [cases, meetings, members] = await Promise.all([
		casesQuery.execute(),
		db
			.selectFrom('meetings')
			.select(['id', 'starts_at', 'ends_at', 'location', 'online_url', 'status', 'cancel_reason', 'series_id'])
			.where('case_table_id', '=', tableId)
			.orderBy('starts_at')
			.execute(),
		db
			.selectFrom('memberships')
			.innerJoin('users', 'users.id', 'memberships.user_id')
			.innerJoin('organisations', 'organisations.id', 'users.organisation_id')
			.select([
				'users.id',
				'users.name',
				'organisations.name as organisationName',
				'organisations.type as organisationType',
				'memberships.role'
			])
			.where('memberships.case_table_id', '=', tableId)
			.where('users.disabled_at', 'is', null)
			.orderBy('users.name')
			.execute()
	]);
	return {
		table: { ...table, leefgebieden: JSON.parse(table.leefgebieden) as string[] },
		role,
		cases,
		meetings,
		members
	};
}

/** Whether the user is voorzitter or secretaris of any table: the menu then offers Monitoring. */
export async function chairsAnyTable(ctx: AppContext, userId: number): Promise<boolean> {
	const row = await ctx.db
		.selectFrom('memberships')
		.select('id')
		.where('user_id', '=', userId)
		.where('role', 'in', ['voorzitter', 'secretaris'])
		.executeTakeFirst();
	return row !== undefined;
}
