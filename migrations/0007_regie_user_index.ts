import { sql, type Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// Mijn acties asks for the cases a user directs now (regie_assignments by user_id, not ended) on
// every page load; without this index that is a scan of every assignment in the region.

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createIndex('regie_user_active_idx')
		.on('regie_assignments')
		.columns(['user_id', 'case_id'])
		.where(sql.ref('ended_at'), 'is', null)
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('regie_user_active_idx').execute();
}
