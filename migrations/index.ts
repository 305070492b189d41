import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_foundation';
import * as m0002 from './0002_documents_and_meeting_control';
import * as m0003 from './0003_tables_requests_regie';
import * as m0004 from './0004_follow_up';
import * as m0005 from './0005_trust';
import * as m0006 from './0006_audit_append_only';
import * as m0007 from './0007_regie_user_index';
import * as m0008 from './0008_audit_counts';
import * as m0009 from './0009_totp_step';
import * as m0010 from './0010_doc_update_quarantine';
import * as m0011 from './0011_request_retention';
import * as m0012 from './0012_case_decisions_to_bespreking';
import * as m0013 from './0013_room_register';
import * as m0014 from './0014_identity_roles';
import * as m0015 from './0015_meeting_schedule';
import * as m0019 from './0019_notice_subjects';
import * as m0020 from './0020_account_tokens';
import * as m0022 from './0022_table_rules_from_seeds';
import * as m0023 from './0023_region_settings';

/** Static list so the migrations bundle and run the same under tsx, Vite and Vitest. */
const migrations: Record<string, Migration> = {
	'0001_foundation': m0001,
	'0002_documents_and_meeting_control': m0002,
	'0003_tables_requests_regie': m0003,
	'0004_follow_up': m0004,
	'0005_trust': m0005,
	'0006_audit_append_only': m0006,
	'0007_regie_user_index': m0007,
	'0008_audit_counts': m0008,
	'0009_totp_step': m0009,
	'0010_doc_update_quarantine': m0010,
	'0011_request_retention': m0011,
	'0012_case_decisions_to_bespreking': m0012,
	'0013_room_register': m0013,
	'0014_identity_roles': m0014,
	'0015_meeting_schedule': m0015,
	'0019_notice_subjects': m0019,
	'0020_account_tokens': m0020,
	'0022_table_rules_from_seeds': m0022,
	'0023_region_settings': m0023
};

export const migrationProvider: MigrationProvider = {
	async getMigrations() {
		return migrations;
	}
};
