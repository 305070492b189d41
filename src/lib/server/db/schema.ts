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
	totp_secret: string | null;
	totp_enabled_at: Timestamp | null;
	/** the last TOTP time step a code was accepted for; older and equal steps are refused */
	totp_last_step: number | null;
	/** set when a beheerder invited the user; cleared once they chose their password (0020) */
	invited_at: Timestamp | null;
}

/** A one-time link to set a password (migration 0020); only the token's SHA-256 is stored. */
export interface AccountTokenTable {
	/** hex SHA-256 of the token */
	id: string;
	user_id: number;
	purpose: 'invite' | 'reset';
	created_at: Timestamp;
	expires_at: Timestamp;
	used_at: Timestamp | null;
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
	second_factor_at: Timestamp | null;
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
	/** JSON array of organisation types that may submit; [] = every organisation */
	submitter_org_types: Generated<string>;
	min_age: number | null;
	max_age: number | null;
	required_indication: string | null;
	caseload_cap: number | null;
	client_participation: Generated<string>;
	child_min_age: number | null;
	output_template: Generated<string>;
	subject_kind: Generated<string>;
	followup_months: number | null;
	retention_months: Generated<number>;
	/** months an aanmelding that never became a case (afgewezen, ingetrokken) is kept (0011) */
	request_retention_months: Generated<number>;
	updated_at: Timestamp | null;
	/** JSON array of IdentityRole: who sees the subject's name and birthdate (migration 0014) */
	identity_roles: Generated<string>;
	/** where the type's rules come from, in words (migration 0022) */
	rule_basis: Generated<string>;
}

/** A rule where a beheerder's saved type differs from a later correction of the seed (0022). */
export interface TableTypeReviewTable {
	id: Generated<number>;
	table_type_id: number;
	migration: string;
	field: string;
	/** JSON */
	current_value: string;
	/** JSON */
	proposed_value: string;
	reason: string;
	created_at: Timestamp;
}

/** A setting of the region as a whole (0023), e.g. 'relapse_months'. */
export interface RegionSettingTable {
	key: string;
	value: string;
	updated_at: Timestamp;
	updated_by: number | null;
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
	legal_frame: string | null;
	/** YYYY-MM-DD: the next interim review (tussentijds toetsen) */
	review_date: string | null;
	/** YYYY-MM-DD: monitoring lasts at least until then (table type's follow-up period) */
	followup_until: string | null;
	outcome: string | null;
	nazorg: string | null;
	/** the earlier case of the same person when this one came back (terugval) */
	previous_case_id: number | null;
	purged_at: Timestamp | null;
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
	/** migration 0015: end time, online link, cancellation, series and iCalendar SEQUENCE */
	ends_at: Generated<Timestamp | null>;
	online_url: Generated<string | null>;
	cancelled_at: Generated<Timestamp | null>;
	cancel_reason: Generated<string | null>;
	series_id: Generated<string | null>;
	sequence: Generated<number>;
}

export interface DocUpdateTable {
	id: Generated<number>;
	doc_name: string;
	data: Uint8Array;
	created_at: Timestamp;
}

/** Stored updates that did not apply, set aside when their document loaded (migration 0008). */
export interface DocUpdateQuarantineTable {
	id: number;
	doc_name: string;
	data: Uint8Array;
	created_at: Timestamp;
	quarantined_at: Timestamp;
	reason: string;
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
	prev_hash: string | null;
	hash: string | null;
	role: string | null;
}

/** How many attempts one aggregated audit row stands for (failed and throttled logins). */
export interface AuditCountTable {
	/** action|user id or -|address|reason|window start */
	key: string;
	audit_id: number;
	window_start: Timestamp;
	count: number;
	last_at: Timestamp;
}

export interface RequestTable {
	id: Generated<number>;
	case_table_id: number;
	organisation_id: number;
	submitted_by: number;
	subject_kind: string;
	subject_name: string;
	subject_birthdate: string | null;
	has_indication: number;
	reason: string;
	question: string;
	/** JSON array of organisation ids */
	invite_org_ids: string;
	legal_frame: string;
	consent_note: string;
	status: string;
	triage_note: string | null;
	decided_by: number | null;
	decided_at: Timestamp | null;
	case_id: number | null;
	meeting_id: number | null;
	relapse_case_id: number | null;
	created_at: Timestamp;
	updated_at: Timestamp;
	/** when the retention job removed its personal data (a request that never became a case) */
	purged_at: Generated<Timestamp | null>;
}

export interface RegieAssignmentTable {
	id: Generated<number>;
	case_id: number;
	kind: string;
	user_id: number | null;
	assigned_at: Timestamp;
	ended_at: Timestamp | null;
	decided_by: number;
	meeting_id: number | null;
	note: string | null;
}

export interface ItemClosureTable {
	id: Generated<number>;
	meeting_id: number;
	item_id: string;
	case_id: number | null;
	closed_by: number;
	closed_at: Timestamp;
	/** JSON array of what the template missed; [] = met */
	template_missing: string;
	template_reason: string | null;
	regie_reason: string | null;
	/** JSON array of the case's action ids when the item was rounded off (0022); null for a general item */
	action_ids: string | null;
}

export interface AttendanceTable {
	id: Generated<number>;
	meeting_id: number;
	case_id: number;
	kind: string;
	name: string;
	age: number | null;
	added_by: number;
	created_at: Timestamp;
}

/** The attendance register of a meeting: one row per member whose attendance was recorded. */
export interface MeetingAttendanceTable {
	id: Generated<number>;
	meeting_id: number;
	user_id: number;
	status: 'aanwezig' | 'afgemeld' | 'afwezig';
	reason: string | null;
	updated_by: number;
	updated_at: Timestamp;
}

/** Who joined ('in') or left ('uit') the room for one agenda item: inschuiven per casus. */
export interface MeetingItemPresenceTable {
	id: Generated<number>;
	meeting_id: number;
	item_id: string;
	user_id: number;
	presence: 'in' | 'uit';
	updated_by: number;
	updated_at: Timestamp;
}

export interface EscalationTable {
	id: Generated<number>;
	case_id: number;
	reason: string;
	escalated_to: string;
	raised_by: number;
	raised_at: Timestamp;
	outcome: string | null;
	resolved_by: number | null;
	resolved_at: Timestamp | null;
}

export interface ActionRowTable {
	case_id: number;
	action_id: string;
	position: number;
	text: string;
	actiehouder_id: number | null;
	organisation_id: number | null;
	/** YYYY-MM-DD or '' */
	deadline: string;
	status: string;
	leefgebied: string;
	note: Generated<string>;
	projected_at: Timestamp;
}

export interface AgendaRowTable {
	meeting_id: number;
	item_id: string;
	position: number;
	case_id: number | null;
	title: string;
	planned_minutes: number;
	status: string;
	projected_at: Timestamp;
}

export interface NotificationTable {
	id: Generated<number>;
	user_id: number;
	kind: string;
	dedupe_key: string;
	case_id: number | null;
	meeting_id: number | null;
	/** the action (its id in the case document) an `action.*` notice is about */
	action_id: Generated<string | null>;
	/** the aanmelding a `request.outcome` notice is about */
	request_id: Generated<number | null>;
	text: string;
	link: string;
	created_at: Timestamp;
	read_at: Timestamp | null;
	email_sent_at: Timestamp | null;
}

export interface CalendarFeedTable {
	id: Generated<number>;
	user_id: number;
	token_hash: string;
	created_at: Timestamp;
	revoked_at: Timestamp | null;
}

export interface TableEvaluationTable {
	id: Generated<number>;
	case_table_id: number;
	period: string;
	text: string;
	author_id: number;
	created_at: Timestamp;
}

export interface RecoveryCodeTable {
	id: Generated<number>;
	user_id: number;
	code_hash: string;
	used_at: Timestamp | null;
	created_at: Timestamp;
}

export interface PurgeTable {
	id: Generated<number>;
	case_id: number;
	case_table_id: number;
	closed_at: Timestamp;
	purged_at: Timestamp;
	detail: string;
}

export interface DB {
	organisations: OrganisationTable;
	users: UserTable;
	sessions: SessionTable;
	login_throttle: LoginThrottleTable;
	account_tokens: AccountTokenTable;
	table_types: TableTypeTable;
	table_type_reviews: TableTypeReviewTable;
	region_settings: RegionSettingTable;
	case_tables: CaseTableTable;
	memberships: MembershipTable;
	cases: CaseRowTable;
	case_access: CaseAccessTable;
	meetings: MeetingTable;
	audit_log: AuditLogTable;
	audit_counts: AuditCountTable;
	doc_updates: DocUpdateTable;
	doc_snapshots: DocSnapshotTable;
	doc_update_quarantine: DocUpdateQuarantineTable;
	requests: RequestTable;
	regie_assignments: RegieAssignmentTable;
	item_closures: ItemClosureTable;
	attendance: AttendanceTable;
	meeting_attendance: MeetingAttendanceTable;
	meeting_item_presence: MeetingItemPresenceTable;
	escalations: EscalationTable;
	action_rows: ActionRowTable;
	agenda_rows: AgendaRowTable;
	notifications: NotificationTable;
	calendar_feeds: CalendarFeedTable;
	table_evaluations: TableEvaluationTable;
	recovery_codes: RecoveryCodeTable;
	purges: PurgeTable;
}

export type UserRow = Selectable<UserTable>;
export type NewUser = Insertable<UserTable>;
export type CaseRow = Selectable<CaseRowTable>;
export type MeetingRow = Selectable<MeetingTable>;
export type OrganisationRow = Selectable<OrganisationTable>;
export type TableTypeRow = Selectable<TableTypeTable>;
export type RequestRow = Selectable<RequestTable>;
