import { sql, type Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// Invitations and password resets by e-mail (issue 14 item 7): a one-time link per purpose.
// Only the SHA-256 of the link's token is stored (the id), never the token itself. A row is
// used once (used_at) and expires (expires_at). users.invited_at marks an account that was
// invited and has no password of its own yet.

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('account_tokens')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
		.addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('invite', 'reset')`))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('expires_at', 'text', (c) => c.notNull())
		.addColumn('used_at', 'text')
		.execute();
	await db.schema.createIndex('account_tokens_user_idx').on('account_tokens').column('user_id').execute();
	await db.schema.alterTable('users').addColumn('invited_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('users').dropColumn('invited_at').execute();
	await db.schema.dropIndex('account_tokens_user_idx').execute();
	await db.schema.dropTable('account_tokens').execute();
}
