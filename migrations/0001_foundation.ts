import { PostgresAdapter, sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// Written with the schema builder so the same migration runs on SQLite and Postgres.

export async function up(db: Kysely<any>): Promise<void> {
	// SQLite's INTEGER PRIMARY KEY is already an auto-assigned rowid; Postgres needs an identity.
	const pg = db.getExecutor().adapter instanceof PostgresAdapter;
	const id = (c: ColumnDefinitionBuilder) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey());

	await db.schema
		.createTable('organisations')
		.addColumn('id', 'integer', id)
		.addColumn('name', 'text', (c) => c.notNull().unique())
		.addColumn('type', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();

	await db.schema
		.createTable('users')
		.addColumn('id', 'integer', id)
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('email', 'text', (c) => c.notNull().unique())
		.addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
		.addColumn('password_hash', 'text', (c) => c.notNull())
		.addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('disabled_at', 'text')
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();

	await db.schema
		.createTable('sessions')
		.addColumn('id', 'text', (c) => c.primaryKey())
		.addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('last_seen_at', 'text', (c) => c.notNull())
		.addColumn('expires_at', 'text', (c) => c.notNull())
		.addColumn('user_agent', 'text')
		.addColumn('ip', 'text')
		.execute();
	await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

	await db.schema
		.createTable('login_throttle')
		.addColumn('key', 'text', (c) => c.primaryKey())
		.addColumn('failures', 'integer', (c) => c.notNull())
		.addColumn('last_failure_at', 'text', (c) => c.notNull())
		.addColumn('locked_until', 'text')
		.execute();

	await db.schema
		.createTable('table_types')
		.addColumn('id', 'integer', id)
		.addColumn('slug', 'text', (c) => c.notNull().unique())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('purpose', 'text', (c) => c.notNull())
		.addColumn('leefgebieden', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();

	await db.schema
		.createTable('case_tables')
		.addColumn('id', 'integer', id)
		.addColumn('table_type_id', 'integer', (c) => c.notNull().references('table_types.id'))
		.addColumn('name', 'text', (c) => c.notNull().unique())
		.addColumn('code_prefix', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();

	await db.schema
		.createTable('memberships')
		.addColumn('id', 'integer', id)
		.addColumn('case_table_id', 'integer', (c) =>
			c.notNull().references('case_tables.id').onDelete('cascade')
		)
		.addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('role', 'text', (c) =>
			c.notNull().check(sql`role in ('voorzitter', 'secretaris', 'deelnemer', 'waarnemer')`)
		)
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addUniqueConstraint('memberships_table_user_uq', ['case_table_id', 'user_id'])
		.execute();
	await db.schema.createIndex('memberships_user_idx').on('memberships').column('user_id').execute();

	await db.schema
		.createTable('cases')
		.addColumn('id', 'integer', id)
		.addColumn('case_table_id', 'integer', (c) => c.notNull().references('case_tables.id'))
		.addColumn('code', 'text', (c) => c.notNull().unique())
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('subject_kind', 'text', (c) => c.notNull())
		.addColumn('subject_name', 'text', (c) => c.notNull())
		.addColumn('subject_birthdate', 'text')
		.addColumn('status', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('closed_at', 'text')
		.execute();
	await db.schema.createIndex('cases_table_idx').on('cases').column('case_table_id').execute();

	await db.schema
		.createTable('case_access')
		.addColumn('id', 'integer', id)
		.addColumn('case_id', 'integer', (c) => c.notNull().references('cases.id').onDelete('cascade'))
		.addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id'))
		.addColumn('granted_by', 'integer', (c) => c.references('users.id'))
		.addColumn('granted_at', 'text', (c) => c.notNull())
		.addColumn('withdrawn_by', 'integer', (c) => c.references('users.id'))
		.addColumn('withdrawn_at', 'text')
		.execute();
	// at most one active grant per case and organisation; history rows stay
	await db.schema
		.createIndex('case_access_active_uq')
		.on('case_access')
		.columns(['case_id', 'organisation_id'])
		.unique()
		.where(sql.ref('withdrawn_at'), 'is', null)
		.execute();

	await db.schema
		.createTable('meetings')
		.addColumn('id', 'integer', id)
		.addColumn('case_table_id', 'integer', (c) =>
			c.notNull().references('case_tables.id').onDelete('cascade')
		)
		.addColumn('starts_at', 'text', (c) => c.notNull())
		.addColumn('location', 'text', (c) => c.notNull())
		.addColumn('status', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('meetings_table_idx').on('meetings').column('case_table_id').execute();

	await db.schema
		.createTable('audit_log')
		.addColumn('id', 'integer', id)
		.addColumn('at', 'text', (c) => c.notNull())
		.addColumn('user_id', 'integer')
		.addColumn('organisation_id', 'integer')
		.addColumn('action', 'text', (c) => c.notNull())
		.addColumn('case_id', 'integer')
		.addColumn('meeting_id', 'integer')
		.addColumn('detail', 'text')
		.addColumn('ip', 'text')
		.execute();
	await db.schema.createIndex('audit_case_idx').on('audit_log').column('case_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of [
		'audit_log',
		'meetings',
		'case_access',
		'cases',
		'memberships',
		'case_tables',
		'table_types',
		'login_throttle',
		'sessions',
		'users',
		'organisations'
	]) {
		await db.schema.dropTable(table).execute();
	}
}
