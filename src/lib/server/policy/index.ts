import type { Executor } from '../db/index';
import { notFound } from '../errors';
import type { TableRole } from '../../shared/roles';
import { decide, type Actor, type Facts, type Operation } from './decide';

export type { Actor, Operation } from './decide';

export type Target =
	| { kind: 'region' }
	| { kind: 'table'; tableId: number }
	| { kind: 'meeting'; meetingId: number }
	| { kind: 'case'; caseId: number }
	| { kind: 'user'; userId: number };

const NO_FACTS: Facts = { tableRole: null, organisationHasCaseAccess: false };

async function roleAt(db: Executor, userId: number, tableId: number): Promise<TableRole | null> {
	const row = await db
		.selectFrom('memberships')
		.select('role')
		.where('user_id', '=', userId)
		.where('case_table_id', '=', tableId)
		.executeTakeFirst();
	return (row?.role as TableRole | undefined) ?? null;
}

/** Loads what `decide` needs about a target; `null` when the target does not exist. */
export async function loadFacts(db: Executor, actor: Actor, target: Target): Promise<Facts | null> {
	switch (target.kind) {
		case 'region':
			return NO_FACTS;
		case 'table': {
			const table = await db
				.selectFrom('case_tables')
				.select('id')
				.where('id', '=', target.tableId)
				.executeTakeFirst();
			return table ? { ...NO_FACTS, tableRole: await roleAt(db, actor.userId, table.id) } : null;
		}
		case 'meeting': {
			const meeting = await db
				.selectFrom('meetings')
				.select('case_table_id')
				.where('id', '=', target.meetingId)
				.executeTakeFirst();
			if (!meeting) return null;
			return { ...NO_FACTS, tableRole: await roleAt(db, actor.userId, meeting.case_table_id) };
		}
		case 'case': {
			const row = await db
				.selectFrom('cases')
				.leftJoin('memberships', (j) =>
					j
						.onRef('memberships.case_table_id', '=', 'cases.case_table_id')
						.on('memberships.user_id', '=', actor.userId)
				)
				.leftJoin('case_access', (j) =>
					j
						.onRef('case_access.case_id', '=', 'cases.id')
						.on('case_access.organisation_id', '=', actor.organisationId)
						.on('case_access.withdrawn_at', 'is', null)
				)
				.select(['memberships.role', 'case_access.id as access_id'])
				.where('cases.id', '=', target.caseId)
				.executeTakeFirst();
			if (!row) return null;
			return {
				tableRole: (row.role as TableRole | null) ?? null,
				organisationHasCaseAccess: row.access_id !== null
			};
		}
		case 'user': {
			const user = await db
				.selectFrom('users')
				.select('id')
				.where('id', '=', target.userId)
				.executeTakeFirst();
			return user ? { ...NO_FACTS, targetUserId: user.id } : null;
		}
	}
}

/** Whether the actor may perform the operation; a missing target is simply "no". */
export async function can(
	db: Executor,
	actor: Actor,
	operation: Operation,
	target: Target
): Promise<boolean> {
	const facts = await loadFacts(db, actor, target);
	return facts !== null && decide(actor, operation, facts);
}

/**
 * Throws the same NOT_FOUND for "forbidden" and "does not exist", so a caller cannot learn
 * whether a case exists by probing ids.
 */
export async function authorize(
	db: Executor,
	actor: Actor,
	operation: Operation,
	target: Target
): Promise<void> {
	if (!(await can(db, actor, operation, target))) throw notFound();
}

/** The documents a connection can open: `case:<id>` and `meeting:<id>`. */
export type DocumentRef = { kind: 'case'; caseId: number } | { kind: 'meeting'; meetingId: number };

export function parseDocumentName(name: string): DocumentRef | null {
	const match = /^(case|meeting):([1-9][0-9]{0,15})$/.exec(name);
	if (!match) return null;
	const id = Number(match[2]);
	return match[1] === 'case' ? { kind: 'case', caseId: id } : { kind: 'meeting', meetingId: id };
}

/**
 * Read-write, read-only or nothing, for the whole document; the same policy as the pages.
 * A closed meeting's document is read-only for everyone: what was agreed stays as agreed.
 */
export async function documentAccess(
	db: Executor,
	actor: Actor,
	ref: DocumentRef
): Promise<'write' | 'read' | null> {
	if (ref.kind === 'case') {
		const target: Target = { kind: 'case', caseId: ref.caseId };
		const facts = await loadFacts(db, actor, target);
		if (!facts) return null;
		if (decide(actor, 'case.edit', facts)) return 'write';
		return decide(actor, 'case.view', facts) ? 'read' : null;
	}
	const target: Target = { kind: 'meeting', meetingId: ref.meetingId };
	const facts = await loadFacts(db, actor, target);
	if (!facts || !decide(actor, 'meeting.view', facts)) return null;
	const meeting = await db
		.selectFrom('meetings')
		.select('status')
		.where('id', '=', ref.meetingId)
		.executeTakeFirstOrThrow();
	if (meeting.status === 'gesloten') return 'read';
	return decide(actor, 'meeting.run', facts) ? 'write' : 'read';
}
