import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.

export async function up(db: Kysely<any>): Promise<void> {
	const pg = db.getExecutor().adapter instanceof PostgresAdapter;
	// Update ids must only ever grow: a snapshot covers every update up to `last_update_id`,
	// and compaction deletes the newest rows. SQLite's plain INTEGER PRIMARY KEY reuses
	// max(id) + 1 after such a delete, so it needs AUTOINCREMENT; Postgres identities never reuse.
	const id = (c: ColumnDefinitionBuilder) =>
		pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement();
	const bytes = pg ? 'bytea' : 'blob';

	// Accepted Yjs updates, appended before they are broadcast (group commit per tick).
	await db.schema
		.createTable('doc_updates')
		.addColumn('id', 'integer', id)
		.addColumn('doc_name', 'text', (c) => c.notNull())
		.addColumn('data', bytes, (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('doc_updates_doc_idx').on('doc_updates').columns(['doc_name', 'id']).execute();

	// The compacted state of a document: every update up to and including `last_update_id`.
	await db.schema
		.createTable('doc_snapshots')
		.addColumn('doc_name', 'text', (c) => c.primaryKey())
		.addColumn('state', bytes, (c) => c.notNull())
		.addColumn('last_update_id', 'integer', (c) => c.notNull())
		.addColumn('updated_at', 'text', (c) => c.notNull())
		.execute();

	// Meeting control kept by the server, so a restart loses neither the current item nor the timer.
	await db.schema.alterTable('meetings').addColumn('current_item_id', 'text').execute();
	await db.schema.alterTable('meetings').addColumn('timer_item_id', 'text').execute();
	await db.schema.alterTable('meetings').addColumn('timer_started_at', 'text').execute();
	await db.schema
		.alterTable('meetings')
		.addColumn('timer_elapsed_ms', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
	await db.schema
		.alterTable('meetings')
		.addColumn('timer_extra_ms', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
	await db.schema.alterTable('meetings').addColumn('opened_at', 'text').execute();
	await db.schema.alterTable('meetings').addColumn('closed_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const column of [
		'closed_at',
		'opened_at',
		'timer_extra_ms',
		'timer_elapsed_ms',
		'timer_started_at',
		'timer_item_id',
		'current_item_id'
	]) {
		await db.schema.alterTable('meetings').dropColumn(column).execute();
	}
	await db.schema.dropTable('doc_snapshots').execute();
	await db.schema.dropTable('doc_updates').execute();
}
