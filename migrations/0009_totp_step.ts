import type { Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// The last TOTP time step a user's code was accepted for: a code (of that step or an earlier
// one) is refused the second time, as RFC 6238 section 5.2 asks.

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('users').addColumn('totp_last_step', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('users').dropColumn('totp_last_step').execute();
}
