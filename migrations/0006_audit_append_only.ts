import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// The audit log after NEN 7513: chain the rows written before this release (in id order), then
// make the table append-only in the database itself: triggers refuse UPDATE and DELETE, and a
// unique index on prev_hash makes a fork in the chain impossible.

const GENESIS = '0'.repeat(64);

interface Row {
	id: number;
	at: string;
	user_id: number | null;
	organisation_id: number | null;
	action: string;
	case_id: number | null;
	meeting_id: number | null;
	detail: string | null;
	ip: string | null;
	role: string | null;
}

/** The same canonical serialisation as src/lib/server/audit/chain.ts at the time of writing. */
function rowHash(row: Row, prevHash: string): string {
	const canonical = JSON.stringify([
		Number(row.id),
		row.at,
		row.user_id ?? null,
		row.organisation_id ?? null,
		row.action,
		row.case_id ?? null,
		row.meeting_id ?? null,
		row.detail ?? null,
		row.ip ?? null,
		row.role ?? null,
		prevHash
	]);
	return encodeHexLowerCase(sha256(new TextEncoder().encode(canonical)));
}

export async function up(db: Kysely<any>): Promise<void> {
	const pg = db.getExecutor().adapter instanceof PostgresAdapter;

	// backfill: every row without a hash, in id order, chained onto the one before it
	let prev = GENESIS;
	let after = 0;
	for (;;) {
		const rows = (await db
			.selectFrom('audit_log')
			.select(['id', 'at', 'user_id', 'organisation_id', 'action', 'case_id', 'meeting_id', 'detail', 'ip', 'role', 'hash'])
			.where('id', '>', after)
			.orderBy('id')
			.limit(1000)
			.execute()) as (Row & { hash: string | null })[];
		if (rows.length === 0) break;
		for (const row of rows) {
			const hash = rowHash(row, prev);
			await db.updateTable('audit_log').set({ prev_hash: prev, hash }).where('id', '=', row.id).execute();
			prev = hash;
			after = Number(row.id);
		}
	}

	await db.schema.createIndex('audit_prev_hash_uq').on('audit_log').column('prev_hash').unique().execute();
	await db.schema.createIndex('audit_at_idx').on('audit_log').column('at').execute();

	if (pg) {
		// Postgres (planned, untested): the same refusal as a trigger function
		await sql`create or replace function audit_log_append_only() returns trigger language plpgsql as $$
			begin raise exception 'audit_log is append-only'; end; $$`.execute(db);
		await sql`create trigger audit_log_no_update before update on audit_log
			for each row execute function audit_log_append_only()`.execute(db);
		await sql`create trigger audit_log_no_delete before delete on audit_log
			for each row execute function audit_log_append_only()`.execute(db);
	} else {
		await sql`create trigger audit_log_no_update before update on audit_log
			begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
		await sql`create trigger audit_log_no_delete before delete on audit_log
			begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
	}
}

export async function down(db: Kysely<any>): Promise<void> {
	const pg = db.getExecutor().adapter instanceof PostgresAdapter;
	if (pg) {
		await sql`drop trigger if exists audit_log_no_delete on audit_log`.execute(db);
		await sql`drop trigger if exists audit_log_no_update on audit_log`.execute(db);
		await sql`drop function if exists audit_log_append_only()`.execute(db);
	} else {
		await sql`drop trigger if exists audit_log_no_delete`.execute(db);
		await sql`drop trigger if exists audit_log_no_update`.execute(db);
	}
	await db.schema.dropIndex('audit_at_idx').execute();
	await db.schema.dropIndex('audit_prev_hash_uq').execute();
	// the hashes stay: they are still correct, and 0005's down removes the columns
}
