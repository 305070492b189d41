import { PostgresAdapter, sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// Table types as configuration, aanmelding and triage, regie, case lifecycle, escalation,
// agenda items closed by the server, and the family's attendance per bespreking.

export async function up(db: Kysely<any>): Promise<void> {
	const pg = db.getExecutor().adapter instanceof PostgresAdapter;
	const id = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey());

	// ---- table types: the rules of each overlegtafel ----
	const tt = () => db.schema.alterTable('table_types');
	/** JSON array of organisation types that may submit; [] = every organisation */
	await tt().addColumn('submitter_org_types', 'text', (c) => c.notNull().defaultTo('[]')).execute();
	await tt().addColumn('min_age', 'integer').execute();
	await tt().addColumn('max_age', 'integer').execute();
	/** e.g. 'BW-indicatie'; null = none required */
	await tt().addColumn('required_indication', 'text').execute();
	await tt().addColumn('caseload_cap', 'integer').execute();
	/** who from the client's side may sit at the table, in words */
	await tt().addColumn('client_participation', 'text', (c) => c.notNull().defaultTo('')).execute();
	/** a child may attend from this age (JBT: "ouder dan 12" → 13); null = no age rule */
	await tt().addColumn('child_min_age', 'integer').execute();
	await tt().addColumn('output_template', 'text', (c) => c.notNull().defaultTo('algemeen')).execute();
	await tt().addColumn('subject_kind', 'text', (c) => c.notNull().defaultTo('jeugdige')).execute();
	await tt().addColumn('followup_months', 'integer').execute();
	await tt().addColumn('retention_months', 'integer', (c) => c.notNull().defaultTo(60)).execute();
	await tt().addColumn('updated_at', 'text').execute();

	// ---- cases: legal frame and lifecycle ----
	const cs = () => db.schema.alterTable('cases');
	await cs().addColumn('legal_frame', 'text').execute();
	await cs().addColumn('review_date', 'text').execute();
	await cs().addColumn('followup_until', 'text').execute();
	await cs().addColumn('outcome', 'text').execute();
	await cs().addColumn('nazorg', 'text').execute();
	// no REFERENCES: SQLite cannot drop a column that has one, and down() must work
	await cs().addColumn('previous_case_id', 'integer').execute();

	// ---- aanmelding: verzoek tot bespreking ----
	await db.schema
		.createTable('requests')
		.addColumn('id', 'integer', id)
		.addColumn('case_table_id', 'integer', (c) => c.notNull().references('case_tables.id'))
		.addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
		.addColumn('submitted_by', 'integer', (c) => c.notNull().references('users.id'))
		.addColumn('subject_kind', 'text', (c) => c.notNull())
		.addColumn('subject_name', 'text', (c) => c.notNull())
		.addColumn('subject_birthdate', 'text')
		.addColumn('has_indication', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('reason', 'text', (c) => c.notNull())
		.addColumn('question', 'text', (c) => c.notNull())
		/** JSON array of organisation ids */
		.addColumn('invite_org_ids', 'text', (c) => c.notNull().defaultTo('[]'))
		.addColumn('legal_frame', 'text', (c) => c.notNull())
		.addColumn('consent_note', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('status', 'text', (c) =>
			c.notNull().check(sql`status in ('ingediend', 'aanvulling_gevraagd', 'geaccepteerd', 'afgewezen', 'ingetrokken')`)
		)
		.addColumn('triage_note', 'text')
		.addColumn('decided_by', 'integer', (c) => c.references('users.id'))
		.addColumn('decided_at', 'text')
		.addColumn('case_id', 'integer', (c) => c.references('cases.id'))
		.addColumn('meeting_id', 'integer', (c) => c.references('meetings.id'))
		/** an earlier case of the same person, discussed or closed recently: possible terugval */
		.addColumn('relapse_case_id', 'integer', (c) => c.references('cases.id'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('updated_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('requests_table_idx').on('requests').columns(['case_table_id', 'status']).execute();
	await db.schema.createIndex('requests_submitter_idx').on('requests').column('submitted_by').execute();

	// ---- regie: procesregisseur and casusregisseur, with history ----
	await db.schema
		.createTable('regie_assignments')
		.addColumn('id', 'integer', id)
		.addColumn('case_id', 'integer', (c) => c.notNull().references('cases.id').onDelete('cascade'))
		.addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('procesregisseur', 'casusregisseur')`))
		/** null: the role was explicitly left empty */
		.addColumn('user_id', 'integer', (c) => c.references('users.id'))
		.addColumn('assigned_at', 'text', (c) => c.notNull())
		.addColumn('ended_at', 'text')
		.addColumn('decided_by', 'integer', (c) => c.notNull().references('users.id'))
		.addColumn('meeting_id', 'integer', (c) => c.references('meetings.id'))
		.addColumn('note', 'text')
		.execute();
	await db.schema
		.createIndex('regie_active_uq')
		.on('regie_assignments')
		.columns(['case_id', 'kind'])
		.unique()
		.where(sql.ref('ended_at'), 'is', null)
		.execute();

	// ---- agenda items closed by the server, with the reasons recorded ----
	await db.schema
		.createTable('item_closures')
		.addColumn('id', 'integer', id)
		.addColumn('meeting_id', 'integer', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
		.addColumn('item_id', 'text', (c) => c.notNull())
		.addColumn('case_id', 'integer', (c) => c.references('cases.id'))
		.addColumn('closed_by', 'integer', (c) => c.notNull().references('users.id'))
		.addColumn('closed_at', 'text', (c) => c.notNull())
		/** JSON array of what the template missed at closing; [] = template met */
		.addColumn('template_missing', 'text', (c) => c.notNull().defaultTo('[]'))
		.addColumn('template_reason', 'text')
		.addColumn('regie_reason', 'text')
		.addUniqueConstraint('item_closures_uq', ['meeting_id', 'item_id'])
		.execute();
	await db.schema.createIndex('item_closures_case_idx').on('item_closures').column('case_id').execute();

	// ---- who was present at a bespreking from the client's side ----
	await db.schema
		.createTable('attendance')
		.addColumn('id', 'integer', id)
		.addColumn('meeting_id', 'integer', (c) => c.notNull().references('meetings.id').onDelete('cascade'))
		.addColumn('case_id', 'integer', (c) => c.notNull().references('cases.id').onDelete('cascade'))
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('age', 'integer')
		.addColumn('added_by', 'integer', (c) => c.notNull().references('users.id'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('attendance_bespreking_idx').on('attendance').columns(['meeting_id', 'case_id']).execute();

	// ---- escalation when help stagnates (doorzettingsmacht) ----
	await db.schema
		.createTable('escalations')
		.addColumn('id', 'integer', id)
		.addColumn('case_id', 'integer', (c) => c.notNull().references('cases.id').onDelete('cascade'))
		.addColumn('reason', 'text', (c) => c.notNull())
		.addColumn('escalated_to', 'text', (c) => c.notNull())
		.addColumn('raised_by', 'integer', (c) => c.notNull().references('users.id'))
		.addColumn('raised_at', 'text', (c) => c.notNull())
		.addColumn('outcome', 'text')
		.addColumn('resolved_by', 'integer', (c) => c.references('users.id'))
		.addColumn('resolved_at', 'text')
		.execute();
	await db.schema.createIndex('escalations_case_idx').on('escalations').column('case_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of ['escalations', 'attendance', 'item_closures', 'regie_assignments', 'requests']) {
		await db.schema.dropTable(table).execute();
	}
	for (const column of ['previous_case_id', 'nazorg', 'outcome', 'followup_until', 'review_date', 'legal_frame']) {
		await db.schema.alterTable('cases').dropColumn(column).execute();
	}
	for (const column of [
		'updated_at',
		'retention_months',
		'followup_months',
		'subject_kind',
		'output_template',
		'child_min_age',
		'client_participation',
		'caseload_cap',
		'required_indication',
		'max_age',
		'min_age',
		'submitter_org_types'
	]) {
		await db.schema.alterTable('table_types').dropColumn(column).execute();
	}
}
