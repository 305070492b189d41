import type { Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// Settings of the region as a whole, one row per key (issue 15 item 7). The first is how far
// back a new aanmelding is compared with earlier cases for a possible terugval; before, that was
// a fixed 12 months in the code. A missing row means the default.

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('region_settings')
		.addColumn('key', 'text', (c) => c.primaryKey())
		.addColumn('value', 'text', (c) => c.notNull())
		.addColumn('updated_at', 'text', (c) => c.notNull())
		.addColumn('updated_by', 'integer', (c) => c.references('users.id'))
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('region_settings').execute();
}
