import type { Executor } from '../db/index';

/**
 * Login throttling, per account and per client address (docs/security.md):
 * - account: the first 4 failures are free; from the 5th on the account is locked for
 *   1, 2, 4, 8 and then 15 minutes at most, doubling with each further failure;
 * - address: the first 19 failures are free; from the 20th on the address is locked the same
 *   way, so one address cannot try many accounts.
 * A success clears the account's counter. Counters older than a day are forgotten.
 */
export interface ThrottleRule {
	freeFailures: number;
	maxLockMinutes: number;
}

export const ACCOUNT_RULE: ThrottleRule = { freeFailures: 4, maxLockMinutes: 15 };
export const ADDRESS_RULE: ThrottleRule = { freeFailures: 19, maxLockMinutes: 15 };
export const FORGET_AFTER_MS = 24 * 3_600_000;

export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;
export const addressKey = (ip: string) => `address:${ip}`;

/** Pure: how long a key is locked after its n-th consecutive failure. */
export function lockMinutes(failures: number, rule: ThrottleRule): number {
	const over = failures - rule.freeFailures;
	if (over <= 0) return 0;
	return Math.min(rule.maxLockMinutes, 2 ** (over - 1));
}

/** The moment until which the key is locked, or null when it is free now. */
export async function lockedUntil(db: Executor, key: string, now: Date): Promise<Date | null> {
	const row = await db
		.selectFrom('login_throttle')
		.select('locked_until')
		.where('key', '=', key)
		.executeTakeFirst();
	if (!row?.locked_until) return null;
	const until = new Date(row.locked_until);
	return until > now ? until : null;
}

export async function recordFailure(
	db: Executor,
	key: string,
	rule: ThrottleRule,
	now: Date
): Promise<void> {
	const row = await db
		.selectFrom('login_throttle')
		.select(['failures', 'last_failure_at'])
		.where('key', '=', key)
		.executeTakeFirst();
	const stale = row && now.getTime() - new Date(row.last_failure_at).getTime() > FORGET_AFTER_MS;
	const failures = row && !stale ? row.failures + 1 : 1;
	const minutes = lockMinutes(failures, rule);
	const locked_until = minutes > 0 ? new Date(now.getTime() + minutes * 60_000).toISOString() : null;
	const values = { failures, last_failure_at: now.toISOString(), locked_until };
	await db
		.insertInto('login_throttle')
		.values({ key, ...values })
		.onConflict((oc) => oc.column('key').doUpdateSet(values))
		.execute();
}

export async function clearFailures(db: Executor, key: string): Promise<void> {
	await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}

/**
 * Requests that are not failures but must not flood anyone (a reset link asked for, an
 * invitation sent): at most `limit` per key in a fixed window of `windowMinutes`. Every request
 * counts, whether or not its address belongs to an account, so the throttle reveals nothing.
 */
export interface WindowRule {
	limit: number;
	windowMinutes: number;
}

/** Counts one request; returns the end of the window when it is over the limit, else null. */
export async function countRequest(db: Executor, key: string, rule: WindowRule, now: Date): Promise<Date | null> {
	const row = await db
		.selectFrom('login_throttle')
		.select(['failures', 'last_failure_at'])
		.where('key', '=', key)
		.executeTakeFirst();
	const windowMs = rule.windowMinutes * 60_000;
	// last_failure_at holds the window's start for these keys
	const fresh = !row || now.getTime() - new Date(row.last_failure_at).getTime() >= windowMs;
	const start = fresh ? now : new Date(row.last_failure_at);
	const count = fresh ? 1 : row.failures + 1;
	const end = new Date(start.getTime() + windowMs);
	const over = count > rule.limit;
	const values = { failures: count, last_failure_at: start.toISOString(), locked_until: over ? end.toISOString() : null };
	await db
		.insertInto('login_throttle')
		.values({ key, ...values })
		.onConflict((oc) => oc.column('key').doUpdateSet(values))
		.execute();
	return over ? end : null;
}
