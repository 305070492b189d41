import type { AppContext } from '../context';
import type { CollabConnection } from '../collab/hub';
import { parseDocumentName } from '../policy/index';
import { recordAudit } from './index';

/** Edits of a case document are logged once per user, case and window, not per keystroke. */
export const EDIT_WINDOW_MS = 5 * 60_000;

/**
 * The hub's onAccepted hook: the first accepted update of a user in a case document (or a
 * case's discussion in a meeting) in each five-minute window writes one 'case.document.edit'
 * row; later updates in that window write nothing. The window is fixed (floor of the time);
 * after a restart the database is asked whether the window already has its row.
 */
export function documentEditAudit(ctx: AppContext) {
	const logged = new Map<string, number>();

	async function record(userId: number, caseId: number, meetingId: number | null, docName: string, at: Date, windowStart: number) {
		const already = await ctx.db
			.selectFrom('audit_log')
			.select('id')
			.where('action', '=', 'case.document.edit')
			.where('user_id', '=', userId)
			.where('case_id', '=', caseId)
			.where('at', '>=', new Date(windowStart).toISOString())
			.limit(1)
			.executeTakeFirst();
		if (already) return;
		const user = await ctx.db.selectFrom('users').select('organisation_id').where('id', '=', userId).executeTakeFirst();
		await recordAudit(ctx.db, {
			at,
			userId,
			organisationId: user?.organisation_id ?? null,
			action: 'case.document.edit',
			caseId,
			meetingId,
			detail: { document: docName, window: new Date(windowStart).toISOString(), minutes: EDIT_WINDOW_MS / 60_000 }
		});
	}

	return (docName: string, connection: CollabConnection): void => {
		const ref = parseDocumentName(docName);
		if (!ref || ref.kind === 'meeting') return;
		const at = ctx.now();
		const windowStart = Math.floor(at.getTime() / EDIT_WINDOW_MS) * EDIT_WINDOW_MS;
		const key = `${connection.userId}:${ref.caseId}`;
		if (logged.get(key) === windowStart) return;
		logged.set(key, windowStart);
		if (logged.size > 5000) {
			for (const [k, start] of logged) if (start < windowStart) logged.delete(k);
		}
		const meetingId = ref.kind === 'bespreking' ? ref.meetingId : null;
		record(connection.userId, ref.caseId, meetingId, docName, at, windowStart).catch((err) =>
			ctx.log.error({ err }, 'audit of a document edit failed')
		);
	};
}
