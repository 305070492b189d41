import { PostgresAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// Follow-up between meetings: the projection of the documents' actions and agenda items into
// rows, notifications, personal calendar feeds and the tables' evaluation notes.

export async function up(db: Kysely<any>): Promise<void> {
	const pg = db.getExecutor().adapter instanceof PostgresAdapter;
	const id = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey());

	// Rows of what lives in the case documents' `acties` arrays: rebuilt from the documents,
	// never edited on their own, so lists, reminders and reports are plain queries.
	await db.schema
		.createTable('action_rows')
		.addColumn('case_id', 'integer', (c) => c.notNull().references('cases.id').onDelete('cascade'))
		.addColumn('action_id', 'text', (c) => c.notNull())
		.addColumn('position', 'integer', (c) => c.notNull())
		.addColumn('text', 'text', (c) => c.notNull())
		.addColumn('actiehouder_id', 'integer')
		.addColumn('organisation_id', 'integer')
		/** YYYY-MM-DD or empty */
		.addColumn('deadline', 'text', (c) => c.notNull())
		.addColumn('status', 'text', (c) => c.notNull())
		.addColumn('leefgebied', 'text', (c) => c.notNull())
		.addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('projected_at', 'text', (c) => c.notNull())
		.addPrimaryKeyConstraint('action_rows_pk', ['case_id', 'action_id'])
		.execute();
	await db.schema.createIndex('action_rows_holder_idx').on('action_rows').columns(['actiehouder_id', 'status']).execute();

	// Rows of the meeting documents' agendas.
	await db.schema
		.createTable('agenda_rows')
		.addColumn('meeting_id', 'integer', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
		.addColumn('item_id', 'text', (c) => c.notNull())
		.addColumn('position', 'integer', (c) => c.notNull())
		.addColumn('case_id', 'integer')
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('planned_minutes', 'integer', (c) => c.notNull())
		.addColumn('status', 'text', (c) => c.notNull())
		.addColumn('projected_at', 'text', (c) => c.notNull())
		.addPrimaryKeyConstraint('agenda_rows_pk', ['meeting_id', 'item_id'])
		.execute();
	await db.schema.createIndex('agenda_rows_case_idx').on('agenda_rows').column('case_id').execute();

	// In-app notifications; e-mail goes out for the same row (no names, no case content).
	await db.schema
		.createTable('notifications')
		.addColumn('id', 'integer', id)
		.addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('kind', 'text', (c) => c.notNull())
		/** what it is about, to send it once: e.g. 'action:<caseId>:<actionId>:deadline' */
		.addColumn('dedupe_key', 'text', (c) => c.notNull())
		.addColumn('case_id', 'integer')
		.addColumn('meeting_id', 'integer')
		/** Dutch, with the case code only */
		.addColumn('text', 'text', (c) => c.notNull())
		.addColumn('link', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('read_at', 'text')
		.addColumn('email_sent_at', 'text')
		.addUniqueConstraint('notifications_dedupe_uq', ['user_id', 'dedupe_key'])
		.execute();
	await db.schema.createIndex('notifications_user_idx').on('notifications').columns(['user_id', 'read_at']).execute();

	// Personal calendar feeds behind a secret URL: only a hash of the secret is kept.
	await db.schema
		.createTable('calendar_feeds')
		.addColumn('id', 'integer', id)
		.addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('token_hash', 'text', (c) => c.notNull().unique())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('revoked_at', 'text')
		.execute();

	// Tellen en vertellen: the story beside the counts.
	await db.schema
		.createTable('table_evaluations')
		.addColumn('id', 'integer', id)
		.addColumn('case_table_id', 'integer', (c) => c.notNull().references('case_tables.id').onDelete('cascade'))
		.addColumn('period', 'text', (c) => c.notNull())
		.addColumn('text', 'text', (c) => c.notNull())
		.addColumn('author_id', 'integer', (c) => c.notNull().references('users.id'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of ['table_evaluations', 'calendar_feeds', 'notifications', 'agenda_rows', 'action_rows']) {
		await db.schema.dropTable(table).execute();
	}
}
