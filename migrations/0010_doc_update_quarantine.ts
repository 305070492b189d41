import { PostgresAdapter, type Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// Document updates that were stored but do not apply (written before the server proved every
// update applies, issue 12) are moved here when a document loads: kept for inspection, never
// retried, so the document opens with everything else.

export async function up(db: Kysely<any>): Promise<void> {
	const pg = db.getExecutor().adapter instanceof PostgresAdapter;
	await db.schema
		.createTable('doc_update_quarantine')
		.addColumn('id', 'integer', (c) => c.primaryKey())
		.addColumn('doc_name', 'text', (c) => c.notNull())
		.addColumn('data', pg ? 'bytea' : 'blob', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('quarantined_at', 'text', (c) => c.notNull())
		.addColumn('reason', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('doc_update_quarantine_doc_idx').on('doc_update_quarantine').column('doc_name').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('doc_update_quarantine').execute();
}
