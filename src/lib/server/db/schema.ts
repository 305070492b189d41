import type { Generated, Insertable, Selectable } from 'kysely';

/** Timestamps are ISO-8601 UTC strings: portable between SQLite and Postgres and sortable. */
type Timestamp = string;

export interface OrganisationTable {
	id: Generated<number>;
	name: string;
	type: string;
	created_at: Timestamp;
}

export interface UserTable {
	id: Generated<number>;
	name: string;
	email: string;
	organisation_id: number;
	password_hash: string;
	is_admin: number;
	disabled_at: Timestamp | null;
	created_at: Timestamp;
}

export interface SessionTable {
	/** hex SHA-256 of the token; the token itself is never stored */
	id: string;
	user_id: number;
	created_at: Timestamp;
	last_seen_at: Timestamp;
	expires_at: Timestamp;
	user_agent: string | null;
	ip: string | null;
}

export interface LoginThrottleTable {
	key: string;
	failures: number;
	last_failure_at: Timestamp;
	locked_until: Timestamp | null;
}

export interface TableTypeTable {
	id: Generated<number>;
	slug: string;
	name: string;
	purpose: string;
	/** JSON array of strings */
	leefgebieden: string;
	created_at: Timestamp;
}

export interface CaseTableTable {
	id: Generated<number>;
	table_type_id: number;
	name: string;
	code_prefix: string;
	created_at: Timestamp;
}

export interface MembershipTable {
	id: Generated<number>;
	case_table_id: number;
	user_id: number;
	role: string;
	created_at: Timestamp;
}

export interface CaseRowTable {
	id: Generated<number>;
	case_table_id: number;
	code: string;
	title: string;
	subject_kind: string;
	subject_name: string;
	subject_birthdate: string | null;
	status: string;
	created_at: Timestamp;
	closed_at: Timestamp | null;
}

export interface CaseAccessTable {
	id: Generated<number>;
	case_id: number;
	organisation_id: number;
	granted_by: number | null;
	granted_at: Timestamp;
	withdrawn_by: number | null;
	withdrawn_at: Timestamp | null;
}

export interface MeetingTable {
	id: Generated<number>;
	case_table_id: number;
	starts_at: Timestamp;
	location: string;
	status: string;
	created_at: Timestamp;
	current_item_id: Generated<string | null>;
	timer_item_id: Generated<string | null>;
	timer_started_at: Generated<Timestamp | null>;
	timer_elapsed_ms: Generated<number>;
	timer_extra_ms: Generated<number>;
	opened_at: Generated<Timestamp | null>;
	closed_at: Generated<Timestamp | null>;
}

export interface DocUpdateTable {
	id: Generated<number>;
	doc_name: string;
	data: Uint8Array;
	created_at: Timestamp;
}

export interface DocSnapshotTable {
	doc_name: string;
	state: Uint8Array;
	last_update_id: number;
	updated_at: Timestamp;
}

export interface AuditLogTable {
	id: Generated<number>;
	at: Timestamp;
	user_id: number | null;
	organisation_id: number | null;
	action: string;
	case_id: number | null;
	meeting_id: number | null;
	detail: string | null;
	ip: string | null;
}

export interface DB {
	organisations: OrganisationTable;
	users: UserTable;
	sessions: SessionTable;
	login_throttle: LoginThrottleTable;
	table_types: TableTypeTable;
	case_tables: CaseTableTable;
	memberships: MembershipTable;
	cases: CaseRowTable;
	case_access: CaseAccessTable;
	meetings: MeetingTable;
	audit_log: AuditLogTable;
	doc_updates: DocUpdateTable;
	doc_snapshots: DocSnapshotTable;
}

export type UserRow = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type CaseRow = Selectable<CaseRowTable>;
export type MeetingRow = Selectable<MeetingTable>;
export type OrganisationRow = Selectable<OrganisationTable>;
