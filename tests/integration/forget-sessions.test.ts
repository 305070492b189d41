import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from './helpers/context';
import { forgetEndedSessions, forgetStaleThrottles } from '../../src/lib/server/auth/cleanup';
import { sessionPolicy } from '../../src/lib/server/auth/session';
import { recordFailure, accountKey, addressKey, ACCOUNT_RULE, ADDRESS_RULE } from '../../src/lib/server/auth/throttle';
import { startRetention } from '../../src/lib/server/retention/index';

/**
 * Ended sessions and old login counters hold a user id, an IP address, a browser or an e-mail
 * address; once they can no longer be used, the retention job removes them.
 */
const START = new Date('2026-03-02T09:00:00Z');
let t: TestContext;

beforeAll(async () => {
	t = await createTestContext(START);
});
afterAll(async () => {
	await t?.close();
});

const user = async () => (await t.ctx.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
async function session(id: string, lastSeen: Date, expires: Date) {
	await t.ctx.db
		.insertInto('sessions')
		.values({ id, user_id: await user(), created_at: START.toISOString(), last_seen_at: lastSeen.toISOString(), expires_at: expires.toISOString(), user_agent: 'Testbrowser', ip: '192.0.2.10', second_factor_at: null })
		.execute();
}
const sessionIds = async () => (await t.ctx.db.selectFrom('sessions').select('id').where('id', 'like', 'test-%').orderBy('id').execute()).map((r) => r.id);
const hours = (n: number) => n * 3_600_000;

describe('ended sessions', () => {
	it('a session past its absolute end or idle too long is removed; a live one stays', async () => {
		const now = new Date(START.getTime() + hours(48));
		const policy = sessionPolicy(t.ctx); // 30 minutes idle, 12 hours absolute in tests
		await session('test-live', new Date(now.getTime() - 5 * 60_000), new Date(now.getTime() + hours(4)));
		await session('test-idle', new Date(now.getTime() - 31 * 60_000), new Date(now.getTime() + hours(4)));
		await session('test-expired', new Date(now.getTime() - 60_000), new Date(now.getTime() - 1));
		expect(await forgetEndedSessions(t.ctx.db, now, policy)).toBeGreaterThanOrEqual(2);
		expect(await sessionIds()).toEqual(['test-live']);
	});
});

describe('login counters', () => {
	it('a counter whose last failure is over a day old and that no longer locks is removed; a recent one and a locking one stay', async () => {
		const db = t.ctx.db;
		const now = new Date(START.getTime() + hours(72));
		await recordFailure(db, accountKey('oud@voorbeeld.example'), ACCOUNT_RULE, new Date(now.getTime() - hours(25)));
		await recordFailure(db, addressKey('198.51.100.7'), ADDRESS_RULE, new Date(now.getTime() - hours(1)));
		// locked far beyond the day (a row an operator set by hand): kept while it locks
		await db.insertInto('login_throttle').values({ key: accountKey('vast@voorbeeld.example'), failures: 9, last_failure_at: new Date(now.getTime() - hours(30)).toISOString(), locked_until: new Date(now.getTime() + hours(1)).toISOString() }).execute();
		expect(await forgetStaleThrottles(db, now)).toBe(1);
		const keys = (await db.selectFrom('login_throttle').select('key').orderBy('key').execute()).map((r) => r.key);
		expect(keys).toEqual([addressKey('198.51.100.7'), accountKey('vast@voorbeeld.example')].sort());
	});

	it('the retention job does both on its run', async () => {
		const db = t.ctx.db;
		t.clock.set(new Date(START.getTime() + hours(24 * 10)));
		await session('test-old', new Date(START.getTime()), new Date(START.getTime() + hours(12)));
		const job = startRetention(t.ctx, { intervalHours: 24 });
		await job.run();
		await job.stop();
		expect(await sessionIds()).not.toContain('test-old');
		expect(await db.selectFrom('login_throttle').select('key').execute()).toEqual([]);
	});
});
