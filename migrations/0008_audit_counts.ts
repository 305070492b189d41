import { type Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// Failed and throttled logins are audited once per key (action, account, address) and
// window: the chained audit_log row is written when the window opens, and how many attempts
// the window saw is counted here, outside the chain (audit_log refuses UPDATE). An anonymous
// flood then adds a bounded number of rows to the chain instead of one per request.

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('audit_counts')
		.addColumn('key', 'text', (c) => c.primaryKey())
		.addColumn('audit_id', 'integer', (c) => c.notNull().unique().references('audit_log.id'))
		.addColumn('window_start', 'text', (c) => c.notNull())
		.addColumn('count', 'integer', (c) => c.notNull())
		.addColumn('last_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('audit_counts_window_idx').on('audit_counts').column('window_start').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('audit_counts').execute();
}
