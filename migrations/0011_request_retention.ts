import type { Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// Aanmeldingen that never became a case (declined or withdrawn) get a retention term of their
// own per table type, short by default (3 months after the decision); the retention job then
// removes their personal data and marks them purged, keeping a stub for the counts.

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('table_types')
		.addColumn('request_retention_months', 'integer', (c) => c.notNull().defaultTo(3))
		.execute();
	await db.schema.alterTable('requests').addColumn('purged_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('requests').dropColumn('purged_at').execute();
	await db.schema.alterTable('table_types').dropColumn('request_retention_months').execute();
}
