import type { Executor } from '../db/index';
import type { SessionPolicy } from './session';
import { FORGET_AFTER_MS } from './throttle';

/**
 * Rows about people that have done their work: ended sessions (they hold a user id, an address
 * and a browser) and login counters nobody reads any more (their key is an e-mail address or an
 * IP address). A session that has ended is refused anyway; this makes sure it is also gone.
 * Run by the retention job.
 */
export async function forgetEndedSessions(db: Executor, now: Date, policy: SessionPolicy): Promise<number> {
	const idleCutoff = new Date(now.getTime() - policy.idleMinutes * 60_000).toISOString();
	const result = await db
		.deleteFrom('sessions')
		.where((eb) => eb.or([eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<=', idleCutoff)]))
		.executeTakeFirst();
	return Number(result.numDeletedRows);
}

/** Counters the throttle would forget anyway (last failure over a day ago) and no longer locking. */
export async function forgetStaleThrottles(db: Executor, now: Date): Promise<number> {
	const staleBefore = new Date(now.getTime() - FORGET_AFTER_MS).toISOString();
	const result = await db
		.deleteFrom('login_throttle')
		.where('last_failure_at', '<', staleBefore)
		.where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now.toISOString())]))
		.executeTakeFirst();
	return Number(result.numDeletedRows);
}
