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
