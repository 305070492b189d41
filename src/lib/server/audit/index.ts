import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Executor } from '../db/index';
import type { DB } from '../db/schema';
import { auditRowHash, GENESIS_HASH } from './chain';

export { verifyAuditChain, type ChainResult } from './chain';

/** Audit actions; the log is append-only: nothing in the code updates or deletes a row. */
export type AuditAction =
	| 'login.success'
	| 'login.failure'
	| 'login.throttled'
	| 'logout'
	| 'session.end'
	| 'case.view'
	| 'case.document.open'
	| 'case.document.edit'
	| 'bespreking.document.open'
	| 'bespreking.document.edit'
	| 'meeting.document.open'
	| 'meeting.document.edit'
	| 'case.access.grant'
	| 'case.access.withdraw'
	| 'user.create'
	| 'user.disable'
	| 'user.enable'
	| 'user.password_reset'
	| 'user.invite'
	| 'password.reset_request'
	| 'password.reset_throttled'
	| 'password.link_refused'
	| 'password.set'
	| 'organisation.create'
	| 'table.create'
	| 'membership.add'
	| 'membership.change'
	| 'membership.remove'
	| 'tabletype.update'
	| 'tabletype.create'
	| 'region.update'
	| 'request.submit'
	| 'request.update'
	| 'request.accept'
	| 'request.decline'
	| 'request.ask_more'
	| 'request.withdraw'
	| 'case.create'
	| 'case.regie'
	| 'case.phase'
	| 'case.close'
	| 'case.escalate'
	| 'case.escalation_resolve'
	| 'case.purge'
	| 'request.purge'
	| 'meeting.item_close'
	| 'meeting.item_carry'
	| 'meeting.attendance'
	| 'meeting.schedule'
	| 'meeting.update'
	| 'meeting.cancel'
	| 'meeting.verslag.view'
	| 'meeting.verslag.export'
	| 'action.update'
	| 'actions.export'
	| 'case.search'
	| 'table.decisions.view'
	| 'table.evaluation'
	| 'calendar.feed.create'
	| 'calendar.feed.revoke'
	| 'totp.enable'
	| 'totp.disable'
	| 'totp.verify_failure'
	| 'totp.recovery_used';

export interface AuditEntry {
	at: Date;
	userId: number | null;
	/** The organisation the user acted for. */
	organisationId: number | null;
	action: AuditAction;
	caseId?: number | null;
	meetingId?: number | null;
	/** Small structured detail; never passwords, tokens or case content. */
	detail?: Record<string, unknown>;
	ip?: string | null;
	/** On whose behalf: the user's role at the table; looked up from the case or meeting when absent. */
	role?: string | null;
}

/**
 * Appends one row to the hash chain: prev_hash is the last row's hash (or 64 zeros), hash
 * covers the row and prev_hash (see chain.ts). Reading the last row and inserting must not
 * interleave with another insert, or the chain forks (the unique index on prev_hash would then
 * refuse the second one). Inside a caller's transaction the connection is already exclusive to
 * it (better-sqlite3 is one connection; Kysely holds it for the transaction, and SQLite lets one
 * writer at a time); on its own, the row is written in a BEGIN IMMEDIATE transaction that takes
 * the write lock before reading, which also serialises against other processes on the file.
 */
export async function recordAudit(db: Executor, entry: AuditEntry): Promise<number> {
	return withAuditLock(db, (locked) => appendChained(locked, entry));
}

/**
 * Runs `fn` holding the audit chain's write lock: inside the caller's transaction as it is,
 * else in a transaction of its own that takes the lock before reading (BEGIN IMMEDIATE).
 */
export async function withAuditLock<T>(db: Executor, fn: (locked: Executor) => Promise<T>): Promise<T> {
	if (db.isTransaction) return fn(db);
	if (db.getExecutor().adapter instanceof PostgresAdapter) {
		return (db as Kysely<DB>).transaction().execute((trx) => fn(trx));
	}
	return (db as Kysely<DB>).connection().execute(async (conn) => {
		await sql`begin immediate`.execute(conn);
		try {
			const result = await fn(conn);
			await sql`commit`.execute(conn);
			return result;
		} catch (error) {
			await sql`rollback`.execute(conn).catch(() => undefined);
			throw error;
		}
	});
}

async function roleFor(db: Executor, entry: AuditEntry): Promise<string | null> {
	if (entry.role !== undefined) return entry.role;
	if (!entry.userId || (!entry.caseId && !entry.meetingId)) return null;
	const tableId = entry.caseId
		? (await db.selectFrom('cases').select('case_table_id').where('id', '=', entry.caseId).executeTakeFirst())?.case_table_id
		: (await db.selectFrom('meetings').select('case_table_id').where('id', '=', entry.meetingId!).executeTakeFirst())?.case_table_id;
	if (!tableId) return null;
	const membership = await db
		.selectFrom('memberships')
		.select('role')
		.where('case_table_id', '=', tableId)
		.where('user_id', '=', entry.userId)
		.executeTakeFirst();
	return membership?.role ?? null;
}

/** Appends the row and returns its id; only inside withAuditLock (or the caller's transaction). */
export async function appendChained(db: Executor, entry: AuditEntry): Promise<number> {
	if (db.getExecutor().adapter instanceof PostgresAdapter) {
		// Postgres (planned, untested): one chain writer at a time until this transaction ends
		await sql`lock table audit_log in share row exclusive mode`.execute(db);
	}
	const role = await roleFor(db, entry);
	const last = await db.selectFrom('audit_log').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
	const prevHash = last?.hash ?? GENESIS_HASH;
	const row = {
		id: (last?.id ?? 0) + 1,
		at: entry.at.toISOString(),
		user_id: entry.userId,
		organisation_id: entry.organisationId,
		action: entry.action,
		case_id: entry.caseId ?? null,
		meeting_id: entry.meetingId ?? null,
		detail: entry.detail ? JSON.stringify(entry.detail) : null,
		ip: entry.ip ?? null,
		role
	};
	await db
		.insertInto('audit_log')
		.values({ ...row, prev_hash: prevHash, hash: auditRowHash(row, prevHash) })
		.execute();
	return row.id;
}
