import Database from 'better-sqlite3';

/**
 * Looks into a SQLite file that another process (the server) owns. Read-only by default; WAL
 * lets us read while the server writes, and every statement sees what the server committed.
 */
export function openShared(file: string, options: { writable?: boolean } = {}) {
	const db = new Database(file, { readonly: !options.writable, fileMustExist: true });
	db.pragma('busy_timeout = 5000');
	return db;
}

export type SharedDb = ReturnType<typeof openShared>;

export function caseId(db: SharedDb, code: string): number {
	const row = db.prepare('select id from cases where code = ?').get(code) as { id: number } | undefined;
	if (!row) throw new Error(`no case ${code}`);
	return row.id;
}

export function tableId(db: SharedDb, name: string): number {
	const row = db.prepare('select id from case_tables where name = ?').get(name) as { id: number } | undefined;
	if (!row) throw new Error(`no table ${name}`);
	return row.id;
}

export function organisationId(db: SharedDb, name: string): number {
	const row = db.prepare('select id from organisations where name = ?').get(name) as { id: number } | undefined;
	if (!row) throw new Error(`no organisation ${name}`);
	return row.id;
}

export function user(db: SharedDb, email: string): { id: number; organisationId: number } {
	const row = db
		.prepare('select id, organisation_id as organisationId from users where email = ?')
		.get(email) as { id: number; organisationId: number } | undefined;
	if (!row) throw new Error(`no user ${email}`);
	return row;
}

/** Whether the organisation currently holds (not withdrawn) access to the case. */
export function hasActiveAccess(db: SharedDb, caseIdValue: number, orgId: number): boolean {
	return (
		db
			.prepare('select 1 from case_access where case_id = ? and organisation_id = ? and withdrawn_at is null')
			.get(caseIdValue, orgId) !== undefined
	);
}

/** The meetings of a table with that status, soonest first. */
export function meetingsOf(db: SharedDb, tableName: string, status: 'gepland' | 'gesloten' = 'gepland'): number[] {
	const rows = db
		.prepare('select id from meetings where case_table_id = ? and status = ? order by starts_at')
		.all(tableId(db, tableName), status) as { id: number }[];
	return rows.map((r) => r.id);
}

/** The first meeting of a table with that status (by default the upcoming one). */
export function firstMeeting(db: SharedDb, tableName: string, status: 'gepland' | 'gesloten' = 'gepland'): number {
	const id = meetingsOf(db, tableName, status)[0];
	if (id === undefined) throw new Error(`no ${status} meeting of ${tableName}`);
	return id;
}

/** Writes to a database the server owns, while it runs, as an operator (or time) would. */
export function writeShared(file: string, sql: string, ...params: unknown[]): void {
	const writable = openShared(file, { writable: true });
	try {
		writable.prepare(sql).run(...params);
	} finally {
		writable.close();
	}
}
