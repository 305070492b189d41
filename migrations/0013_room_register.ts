import { PostgresAdapter, sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// The room (issue 13, item 2; issue 14, item 3): the attendance register of a meeting, kept by
// its chair or secretaris, per member of the table (aanwezig, afgemeld with an optional reason,
// afwezig), and per agenda item who joined or left the room (inschuiven per casus).

export async function up(db: Kysely<any>): Promise<void> {
	const pg = db.getExecutor().adapter instanceof PostgresAdapter;
	const id = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey());

	await db.schema
		.createTable('meeting_attendance')
		.addColumn('id', 'integer', id)
		.addColumn('meeting_id', 'integer', (c) => c.notNull().references('meetings.id'))
		.addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
		.addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('aanwezig', 'afgemeld', 'afwezig')`))
		.addColumn('reason', 'text')
		.addColumn('updated_by', 'integer', (c) => c.notNull().references('users.id'))
		.addColumn('updated_at', 'text', (c) => c.notNull())
		.addUniqueConstraint('meeting_attendance_meeting_user', ['meeting_id', 'user_id'])
		.execute();

	await db.schema
		.createTable('meeting_item_presence')
		.addColumn('id', 'integer', id)
		.addColumn('meeting_id', 'integer', (c) => c.notNull().references('meetings.id'))
		.addColumn('item_id', 'text', (c) => c.notNull())
		.addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
		/** 'in': joined the room for this item (schuift in); 'uit': left the room for it */
		.addColumn('presence', 'text', (c) => c.notNull().check(sql`presence in ('in', 'uit')`))
		.addColumn('updated_by', 'integer', (c) => c.notNull().references('users.id'))
		.addColumn('updated_at', 'text', (c) => c.notNull())
		.addUniqueConstraint('meeting_item_presence_item_user', ['meeting_id', 'item_id', 'user_id'])
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('meeting_item_presence').execute();
	await db.schema.dropTable('meeting_attendance').execute();
}
