import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// Trust: the audit log's hash chain, a second factor (TOTP) with recovery codes, and the
// retention purge's own record. The append-only triggers are added by a later migration of the
// audit work, once the chain fills the new columns.

export async function up(db: Kysely<any>): Promise<void> {
	const pg = db.getExecutor().adapter instanceof PostgresAdapter;
	const id = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey());

	// each row: a hash over its content and the previous row's hash (hex SHA-256)
	await db.schema.alterTable('audit_log').addColumn('prev_hash', 'text').execute();
	await db.schema.alterTable('audit_log').addColumn('hash', 'text').execute();
	// on whose behalf (NEN 7513): the role at the table the user acted in, when known
	await db.schema.alterTable('audit_log').addColumn('role', 'text').execute();

	// TOTP: the secret (base32), when it was confirmed; recovery codes as hashes
	await db.schema.alterTable('users').addColumn('totp_secret', 'text').execute();
	await db.schema.alterTable('users').addColumn('totp_enabled_at', 'text').execute();
	// a session that passed the second factor
	await db.schema.alterTable('sessions').addColumn('second_factor_at', 'text').execute();
	await db.schema
		.createTable('recovery_codes')
		.addColumn('id', 'integer', id)
		.addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('code_hash', 'text', (c) => c.notNull())
		.addColumn('used_at', 'text')
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('recovery_codes_user_idx').on('recovery_codes').column('user_id').execute();

	// retention: when a closed case's personal data was removed
	await db.schema.alterTable('cases').addColumn('purged_at', 'text').execute();
	await db.schema
		.createTable('purges')
		.addColumn('id', 'integer', id)
		.addColumn('case_id', 'integer', (c) => c.notNull())
		.addColumn('case_table_id', 'integer', (c) => c.notNull())
		.addColumn('closed_at', 'text', (c) => c.notNull())
		.addColumn('purged_at', 'text', (c) => c.notNull())
		/** JSON: what was removed, as counts */
		.addColumn('detail', 'text', (c) => c.notNull())
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('purges').execute();
	await db.schema.alterTable('cases').dropColumn('purged_at').execute();
	await db.schema.dropTable('recovery_codes').execute();
	await db.schema.alterTable('sessions').dropColumn('second_factor_at').execute();
	await db.schema.alterTable('users').dropColumn('totp_enabled_at').execute();
	await db.schema.alterTable('users').dropColumn('totp_secret').execute();
	await db.schema.alterTable('audit_log').dropColumn('role').execute();
	await db.schema.alterTable('audit_log').dropColumn('hash').execute();
	await db.schema.alterTable('audit_log').dropColumn('prev_hash').execute();
}
