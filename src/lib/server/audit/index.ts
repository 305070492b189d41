import type { Executor } from '../db/index';

/** Audit actions; the log is append-only: nothing in the code updates or deletes a row. */
export type AuditAction =
	| 'login.success'
	| 'login.failure'
	| 'login.throttled'
	| 'logout'
	| 'session.end'
	| 'case.view'
	| 'case.document.open'
	| 'case.document.edit'
	| 'case.access.grant'
	| 'case.access.withdraw'
	| 'user.create'
	| 'user.disable'
	| 'user.enable'
	| 'user.password_reset'
	| 'organisation.create'
	| 'table.create'
	| 'membership.add'
	| 'membership.change'
	| 'membership.remove'
	| 'tabletype.update'
	| 'tabletype.create'
	| 'request.submit'
	| 'request.update'
	| 'request.accept'
	| 'request.decline'
	| 'request.ask_more'
	| 'request.withdraw'
	| 'case.create'
	| 'case.regie'
	| 'case.phase'
	| 'case.close'
	| 'case.escalate'
	| 'case.escalation_resolve'
	| 'meeting.item_close'
	| 'meeting.attendance'
	| 'meeting.verslag.view'
	| 'meeting.verslag.export'
	| 'action.update'
	| 'table.evaluation'
	| 'calendar.feed.create'
	| 'calendar.feed.revoke'
	| 'totp.enable'
	| 'totp.disable'
	| 'totp.verify_failure'
	| 'totp.recovery_used';

export interface AuditEntry {
	at: Date;
	userId: number | null;
	/** The organisation the user acted for. */
	organisationId: number | null;
	action: AuditAction;
	caseId?: number | null;
	meetingId?: number | null;
	/** Small structured detail; never passwords, tokens or case content. */
	detail?: Record<string, unknown>;
	ip?: string | null;
}

export async function recordAudit(db: Executor, entry: AuditEntry): Promise<void> {
	await db
		.insertInto('audit_log')
		.values({
			at: entry.at.toISOString(),
			user_id: entry.userId,
			organisation_id: entry.organisationId,
			action: entry.action,
			case_id: entry.caseId ?? null,
			meeting_id: entry.meetingId ?? null,
			detail: entry.detail ? JSON.stringify(entry.detail) : null,
			ip: entry.ip ?? null
		})
		.execute();
}
