import type { Executor } from '../db/index';
import { appendChained, withAuditLock, type AuditAction } from './index';

/**
 * Aggregated audit rows for what anyone can cause without an account: failed and throttled
 * logins (issue 12 item 7). Each request used to append one chained row, so an anonymous
 * client could grow the chain without bound (300 rows in 3 s).
 *
 * Now one key, (action, account, address, reason), gets one chained audit_log row per window
 * of AGGREGATE_WINDOW_MINUTES: written when the window's first attempt comes in, with the
 * window in its detail. The attempts after it only raise the count of that row in
 * audit_counts, which is not part of the chain (audit_log is append-only: its triggers refuse
 * UPDATE). At most AGGREGATE_MAX_KEYS keys open a row per window; beyond that, every further
 * attempt of the window counts on one overflow row per action (no account, no address). So a
 * flood adds at most AGGREGATE_MAX_KEYS + 2 chained rows per window, however it varies
 * accounts and addresses.
 *
 * What the privacy officer needs stays: /beheer/audit shows each row with its count, who (the
 * account, when it exists), from where, and when the window started; the chained row proves
 * the attempts happened (from that time on), the count says how many.
 */
export const AGGREGATE_WINDOW_MINUTES = 15;
export const AGGREGATE_MAX_KEYS = 200;
const WINDOW_MS = AGGREGATE_WINDOW_MINUTES * 60_000;

export type AggregatedAction = Extract<
	AuditAction,
	'login.failure' | 'login.throttled' | 'password.reset_request' | 'password.reset_throttled' | 'password.link_refused'
>;

export interface AggregatedEntry {
	at: Date;
	action: AggregatedAction;
	userId: number | null;
	organisationId: number | null;
	ip: string | null;
	/** what kind of refusal: 'disabled' for a blocked account, 'account' or 'address' for a throttle */
	reason?: string;
}

export function windowStart(at: Date): Date {
	return new Date(Math.floor(at.getTime() / WINDOW_MS) * WINDOW_MS);
}

/** Counts one attempt; opens a chained row when its key has none in this window yet. */
export async function recordAggregated(db: Executor, entry: AggregatedEntry): Promise<void> {
	const window = windowStart(entry.at).toISOString();
	const at = entry.at.toISOString();
	const ip = entry.ip ? entry.ip.slice(0, 64) : null;
	const key = [entry.action, entry.userId ?? '-', ip ?? '-', entry.reason ?? '', window].join('|');
	await withAuditLock(db, async (locked) => {
		if (await bump(locked, key, at)) return;
		const open = await locked
			.selectFrom('audit_counts')
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.where('window_start', '=', window)
			// document reads and edits (documents.ts) count in audit_counts too, not against this cap
			.where('key', 'not like', 'doc|%')
			.executeTakeFirstOrThrow();
		if (Number(open.n) >= AGGREGATE_MAX_KEYS) {
			const overflow = [entry.action, '*', '*', '*', window].join('|');
			if (await bump(locked, overflow, at)) return;
			await openRow(locked, overflow, window, at, { ...entry, userId: null, organisationId: null, ip: null, reason: undefined }, true);
			return;
		}
		await openRow(locked, key, window, at, { ...entry, ip }, false);
	});
}

async function bump(db: Executor, key: string, at: string): Promise<boolean> {
	const result = await db
		.updateTable('audit_counts')
		.set((eb) => ({ count: eb('count', '+', 1), last_at: at }))
		.where('key', '=', key)
		.executeTakeFirst();
	return Number(result.numUpdatedRows) > 0;
}

async function openRow(db: Executor, key: string, window: string, at: string, entry: AggregatedEntry, overflow: boolean) {
	const detail: Record<string, unknown> = { aggregated: true, window, minutes: AGGREGATE_WINDOW_MINUTES };
	if (entry.reason) detail.reason = entry.reason;
	if (overflow) detail.overflow = true;
	const auditId = await appendChained(db, {
		at: entry.at,
		userId: entry.userId,
		organisationId: entry.organisationId,
		action: entry.action,
		detail,
		ip: entry.ip
	});
	await db.insertInto('audit_counts').values({ key, audit_id: auditId, window_start: window, count: 1, last_at: at }).execute();
}
