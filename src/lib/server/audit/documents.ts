import { createHash } from 'node:crypto';
import type { AppContext } from '../context';
import type { Executor } from '../db/index';
import { parseDocumentName, type DocumentRef } from '../policy/index';
import { appendChained, withAuditLock, type AuditAction, type AuditEntry } from './index';

/**
 * Reads and edits of every document kind (`case:`, `bespreking:`, `meeting:`), audited and
 * aggregated (issue 12 finding 8, issue 13 item 5).
 *
 * A document open used to append one chained row each time (a meeting page that reconnected
 * or refreshed wrote one per reconnect), and only for case documents; minutes (bespreking) and
 * meeting documents were read unaudited, and edits of a meeting document were not recorded.
 *
 * Now, like failed logins (aggregate.ts), one key gets one chained audit_log row and a counter
 * in audit_counts (outside the chain: audit_log is append-only):
 * - an open: per session, document and access; the row is written (and committed) at the
 *   first open, before the document is served; later opens of the session raise its count;
 * - an edit: per session, document and window of EDIT_WINDOW_MS; the row is written at the
 *   first accepted update of the window, later updates raise its count (batched in memory,
 *   written at most every COUNT_FLUSH_MS).
 * The row carries the case (case and bespreking) and the meeting (bespreking and meeting), so
 * /beheer/audit and the case's inzage page show them. The session enters the key only as a
 * hash; it is not in the chained row.
 */
export const EDIT_WINDOW_MS = 5 * 60_000;
const COUNT_FLUSH_MS = 2_000;
/** keys of edit windows held in memory before old windows are dropped */
const MAX_REMEMBERED = 5_000;

type DocumentKind = DocumentRef['kind'];
const ACTIONS: Record<DocumentKind, { open: AuditAction; edit: AuditAction }> = {
	case: { open: 'case.document.open', edit: 'case.document.edit' },
	bespreking: { open: 'bespreking.document.open', edit: 'bespreking.document.edit' },
	meeting: { open: 'meeting.document.open', edit: 'meeting.document.edit' }
};

export interface DocumentOpen {
	at: Date;
	docName: string;
	sessionId: string;
	userId: number;
	organisationId: number | null;
	access: 'write' | 'read';
	ip: string | null;
}

export interface EditingConnection {
	docName: string;
	userId: number;
	sessionId: string;
}

const sessionKey = (sessionId: string) => createHash('sha256').update(`audit:${sessionId}`).digest('hex').slice(0, 24);

function placeOf(ref: DocumentRef): { caseId: number | null; meetingId: number | null } {
	switch (ref.kind) {
		case 'case':
			return { caseId: ref.caseId, meetingId: null };
		case 'bespreking':
			return { caseId: ref.caseId, meetingId: ref.meetingId };
		case 'meeting':
			return { caseId: null, meetingId: ref.meetingId };
	}
}

/**
 * Raises the count of `key` by `by`, or (when it has no row yet) appends the chained row and
 * opens its count at `by`. Returns whether a row was appended.
 */
async function countOrOpen(db: Executor, key: string, window: string, entry: AuditEntry, by: number): Promise<boolean> {
	const at = entry.at.toISOString();
	return withAuditLock(db, async (locked) => {
		const bumped = await locked
			.updateTable('audit_counts')
			.set((eb) => ({ count: eb('count', '+', by), last_at: at }))
			.where('key', '=', key)
			.executeTakeFirst();
		if (Number(bumped.numUpdatedRows) > 0) return false;
		const auditId = await appendChained(locked, entry);
		await locked.insertInto('audit_counts').values({ key, audit_id: auditId, window_start: window, count: by, last_at: at }).execute();
		return true;
	});
}

export function documentAuditor(ctx: AppContext) {
	/** edit keys of the current windows: the updates counted since the last write */
	const edits = new Map<string, { window: number; pending: number; lastAt: Date; written: Promise<unknown> }>();
	let flushTimer: NodeJS.Timeout | null = null;

	function scheduleFlush() {
		if (flushTimer) return;
		flushTimer = setTimeout(() => {
			flushTimer = null;
			void flush();
		}, COUNT_FLUSH_MS);
		flushTimer.unref();
	}

	/** Writes the counted updates of every edit key (after its row exists). */
	async function flush(): Promise<void> {
		const writes: Promise<unknown>[] = [];
		for (const [key, state] of edits) {
			if (state.pending === 0) continue;
			const by = state.pending;
			const lastAt = state.lastAt.toISOString();
			state.pending = 0;
			state.written = state.written
				.then(() =>
					ctx.db
						.updateTable('audit_counts')
						.set((eb) => ({ count: eb('count', '+', by), last_at: lastAt }))
						.where('key', '=', key)
						.execute()
				)
				.catch((err) => ctx.log.error({ err }, 'counting document edits in the audit log failed'));
			writes.push(state.written);
		}
		await Promise.all(writes);
	}

	return {
		/**
		 * An authorized open: the first of its session, document and access appends the chained
		 * row; the next ones raise its count. Awaited before the document is served.
		 */
		async open(open: DocumentOpen): Promise<void> {
			const ref = parseDocumentName(open.docName);
			if (!ref) return;
			const action = ACTIONS[ref.kind].open;
			const key = ['doc', action, sessionKey(open.sessionId), open.docName, open.access].join('|');
			await countOrOpen(
				ctx.db,
				key,
				open.at.toISOString(),
				{
					at: open.at,
					userId: open.userId,
					organisationId: open.organisationId,
					action,
					...placeOf(ref),
					detail: { access: open.access },
					ip: open.ip ? open.ip.slice(0, 64) : null
				},
				1
			);
		},

		/**
		 * The hub's onAccepted hook: an accepted update of a person in a document. The first of
		 * the session, document and window appends the chained row; the rest are counted.
		 */
		edit(connection: EditingConnection): void {
			const ref = parseDocumentName(connection.docName);
			if (!ref) return;
			const at = ctx.now();
			const window = Math.floor(at.getTime() / EDIT_WINDOW_MS) * EDIT_WINDOW_MS;
			const action = ACTIONS[ref.kind].edit;
			const key = ['doc', action, sessionKey(connection.sessionId), connection.docName, new Date(window).toISOString()].join('|');
			const known = edits.get(key);
			if (known) {
				known.pending += 1;
				known.lastAt = at;
				scheduleFlush();
				return;
			}
			if (edits.size >= MAX_REMEMBERED) {
				for (const [k, state] of edits) if (state.window < window && state.pending === 0) edits.delete(k);
			}
			const written = (async () => {
				const user = await ctx.db.selectFrom('users').select('organisation_id').where('id', '=', connection.userId).executeTakeFirst();
				await countOrOpen(
					ctx.db,
					key,
					new Date(window).toISOString(),
					{
						at,
						userId: connection.userId,
						organisationId: user?.organisation_id ?? null,
						action,
						...placeOf(ref),
						detail: { window: new Date(window).toISOString(), minutes: EDIT_WINDOW_MS / 60_000 }
					},
					1
				);
			})().catch((err) => ctx.log.error({ err }, 'audit of a document edit failed'));
			edits.set(key, { window, pending: 0, lastAt: at, written });
		},

		/** Writes what is counted in memory; for shutdown and tests. */
		flush
	};
}
