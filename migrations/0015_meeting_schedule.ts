import type { Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// Planning meetings (issue 14 item 1): a meeting gets an end time, an online-meeting link, a
// cancellation (when and why; the status becomes 'afgezegd'), the series it was planned in, and
// a sequence number that grows with every change: the iCalendar SEQUENCE of its invitation.

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('meetings').addColumn('ends_at', 'text').execute();
	await db.schema.alterTable('meetings').addColumn('online_url', 'text').execute();
	await db.schema.alterTable('meetings').addColumn('cancelled_at', 'text').execute();
	await db.schema.alterTable('meetings').addColumn('cancel_reason', 'text').execute();
	await db.schema.alterTable('meetings').addColumn('series_id', 'text').execute();
	await db.schema
		.alterTable('meetings')
		.addColumn('sequence', 'integer', (c) => c.notNull().defaultTo(0))
		.execute();
	await db.schema.createIndex('meetings_series_idx').on('meetings').column('series_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('meetings_series_idx').execute();
	for (const column of ['sequence', 'series_id', 'cancel_reason', 'cancelled_at', 'online_url', 'ends_at']) {
		await db.schema.alterTable('meetings').dropColumn(column).execute();
	}
}
