import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUserDisabled } from '../../src/lib/server/admin/service';
import { login } from '../../src/lib/server/auth/login';
import { validateSessionToken, type SessionPolicy } from '../../src/lib/server/auth/session';
import { AppError } from '../../src/lib/server/errors';
import { DEMO_PASSWORD } from '../../src/lib/server/seed/demo';
import { actorFor, createTestContext, email, type TestContext } from './helpers/context';

/**
 * Sessions and login throttling at service level, on a real SQLite file with the demo region
 * and a clock the test moves. The throttling tests set the clock to fixed times in March 2026,
 * when Amsterdam is UTC+1, so the lock messages below are written out literally.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const POLICY: SessionPolicy = { idleMinutes: 30, absoluteHours: 12 };
const WRONG_MESSAGE = 'Het e-mailadres of het wachtwoord klopt niet.';

let t: TestContext;

beforeAll(async () => {
	t = await createTestContext();
});

afterAll(async () => {
	await t?.close();
});

let nextIp = 1;
/** Every test logs in from its own address, so the address throttle of one test never meets another. */
const freshIp = () => `198.51.100.${nextIp++}`;

function attempt(who: string, password: string, ip: string) {
	return login(t.ctx, { email: who, password, ip, userAgent: 'vitest' });
}

async function failureOf(promise: Promise<unknown>): Promise<AppError> {
	try {
		await promise;
	} catch (e) {
		if (e instanceof AppError) return e;
		throw e;
	}
	throw new Error('expected the login to be refused, but it succeeded');
}

const validate = (token: string) => validateSessionToken(t.ctx.db, token, t.clock.now, POLICY, { touch: true });

async function sessionRowsOf(userEmail: string) {
	const { userId } = await actorFor(t.ctx, userEmail);
	return t.ctx.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();
}

describe('session lifetime', () => {
	it('A session that sees no request for 30 minutes has ended, and its row is deleted.', async () => {
		const { token } = await attempt(email('secretaris'), DEMO_PASSWORD, freshIp());
		t.clock.advance(29 * MINUTE + 59_000);
		expect((await validate(token)).user?.email).toBe(email('secretaris'));

		t.clock.advance(30 * MINUTE);
		expect(await validate(token)).toEqual({ session: null, user: null });
		expect(await sessionRowsOf(email('secretaris'))).toEqual([]);
	});

	it('Each request renews the inactivity timeout, so someone who keeps working stays logged in for hours.', async () => {
		const { token } = await attempt(email('waarnemer'), DEMO_PASSWORD, freshIp());
		for (let i = 0; i < 9; i++) {
			t.clock.advance(25 * MINUTE);
			expect((await validate(token)).session, `request ${i + 1}`).not.toBeNull();
		}
		// 3 h 45 min after login, still fine; then half an hour of silence ends it
		t.clock.advance(30 * MINUTE);
		expect((await validate(token)).session).toBeNull();
	});

	it('A session ends 12 hours after login even when it was in use the whole time.', async () => {
		const start = t.clock.now.getTime();
		const { token, session } = await attempt(email('mehmet'), DEMO_PASSWORD, freshIp());
		expect(session.expiresAt.getTime()).toBe(start + 12 * HOUR);
		while (t.clock.now.getTime() + 20 * MINUTE < start + 12 * HOUR) {
			t.clock.advance(20 * MINUTE);
			expect((await validate(token)).session, t.clock.now.toISOString()).not.toBeNull();
		}
		t.clock.set(new Date(start + 12 * HOUR));
		expect((await validate(token)).session).toBeNull();
		expect(await sessionRowsOf(email('mehmet'))).toEqual([]);
	});

	it('A token the server never issued does not validate.', async () => {
		expect(await validate('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toEqual({ session: null, user: null });
	});
});

describe('what is stored', () => {
	it('Only the SHA-256 of the token is stored, so a copy of the database does not give anyone a working session.', async () => {
		const a = await attempt(email('noor'), DEMO_PASSWORD, freshIp());
		const b = await attempt(email('noor'), DEMO_PASSWORD, freshIp());
		// 20 random bytes in base32: 160 bits, and every login gets a new one
		expect(a.token).toMatch(/^[a-z2-7]{32}$/);
		expect(b.token).not.toBe(a.token);

		const rows = await sessionRowsOf(email('noor'));
		expect(rows.map((r) => r.id).sort()).toEqual(
			[a.token, b.token].map((tk) => createHash('sha256').update(tk).digest('hex')).sort()
		);
		const everything = JSON.stringify([
			await t.ctx.db.selectFrom('sessions').selectAll().execute(),
			await t.ctx.db.selectFrom('audit_log').selectAll().execute()
		]);
		expect(everything).not.toContain(a.token);
		expect(everything).not.toContain(b.token);

		// someone holding the stored value cannot use it as a cookie
		for (const row of rows) expect((await validate(row.id)).session).toBeNull();
		expect((await validate(a.token)).user?.email).toBe(email('noor'));
	});
});

describe('disabled users', () => {
	it("Blocking a user through the beheer service ends their open session at once, and they cannot log in until unblocked.", async () => {
		const ip = freshIp();
		const { token } = await attempt(email('kees'), DEMO_PASSWORD, ip);
		expect((await validate(token)).session).not.toBeNull();

		const beheerder = await actorFor(t.ctx, email('beheerder'));
		const kees = await actorFor(t.ctx, email('kees'));
		await setUserDisabled(t.ctx, beheerder, kees.userId, true, { ip: '192.0.2.1' });

		expect(await validate(token)).toEqual({ session: null, user: null });
		expect(await sessionRowsOf(email('kees'))).toEqual([]);
		const refused = await failureOf(attempt(email('kees'), DEMO_PASSWORD, ip));
		expect([refused.code, refused.userMessage]).toEqual(['UNAUTHENTICATED', WRONG_MESSAGE]);

		await setUserDisabled(t.ctx, beheerder, kees.userId, false, { ip: '192.0.2.1' });
		const again = await attempt(email('kees'), DEMO_PASSWORD, ip);
		expect((await validate(again.token)).user?.email).toBe(email('kees'));
		// the old token stays dead
		expect((await validate(token)).session).toBeNull();
	});

	it('A session stops validating as soon as the user row is marked disabled, even if nobody deleted the session.', async () => {
		const { token } = await attempt(email('eva'), DEMO_PASSWORD, freshIp());
		expect((await validate(token)).session).not.toBeNull();
		await t.ctx.db
			.updateTable('users')
			.set({ disabled_at: t.clock.now.toISOString() })
			.where('email', '=', email('eva'))
			.execute();
		expect((await validate(token)).session).toBeNull();
		expect(await sessionRowsOf(email('eva'))).toEqual([]);
	});

	it('Only a beheerder can block a user: anyone else is told the page does not exist, and nothing changes.', async () => {
		const voorzitter = await actorFor(t.ctx, email('voorzitter'));
		const anouk = await actorFor(t.ctx, email('anouk'));
		const { token } = await attempt(email('anouk'), DEMO_PASSWORD, freshIp());
		const refused = await failureOf(setUserDisabled(t.ctx, voorzitter, anouk.userId, true, { ip: null }));
		expect(refused.code).toBe('NOT_FOUND');
		expect((await validate(token)).user?.email).toBe(email('anouk'));
	});

	it('A beheerder cannot block their own account and lock the region out of its beheer.', async () => {
		const beheerder = await actorFor(t.ctx, email('beheerder'));
		const refused = await failureOf(setUserDisabled(t.ctx, beheerder, beheerder.userId, true, { ip: null }));
		expect(refused.code).toBe('CONFLICT');
		const row = await t.ctx.db.selectFrom('users').select('disabled_at').where('id', '=', beheerder.userId).executeTakeFirstOrThrow();
		expect(row.disabled_at).toBeNull();
	});
});

describe('login throttling per account', () => {
	it('The 5th wrong password locks the account for a minute; while locked even the right password is refused with a Dutch message saying when to try again.', async () => {
		t.clock.set(new Date('2026-03-03T09:00:00Z'));
		const who = email('tom');
		const ip = freshIp();
		for (let i = 1; i <= 5; i++) {
			const e = await failureOf(attempt(who, `fout-${i}`, ip));
			expect([e.code, e.userMessage], `failure ${i}`).toEqual(['UNAUTHENTICATED', WRONG_MESSAGE]);
		}
		const locked = await failureOf(attempt(who, DEMO_PASSWORD, ip));
		expect(locked.code).toBe('THROTTLED');
		expect(locked.userMessage).toBe('Te veel mislukte pogingen. Probeer het opnieuw om 10:01 (over 1 minuut).');

		// the same account typed differently is the same account
		t.clock.advance(30_000);
		const shouting = await failureOf(attempt('  TOM@Casustafel.Example ', DEMO_PASSWORD, freshIp()));
		expect(shouting.userMessage).toBe('Te veel mislukte pogingen. Probeer het opnieuw om 10:01 (over 1 minuut).');

		// another account from the same address is not affected
		await expect(attempt(email('bram'), DEMO_PASSWORD, ip)).resolves.toHaveProperty('token');
	});

	it('The lock lifts when its time has passed, each further failure doubles it, and a successful login resets the count.', async () => {
		const who = email('tom');
		const ip = freshIp();
		t.clock.set(new Date('2026-03-03T09:01:00Z'));
		// lock over: the 6th failure is judged again, and locks for 2 minutes
		const sixth = await failureOf(attempt(who, 'fout-6', ip));
		expect(sixth.code).toBe('UNAUTHENTICATED');
		expect((await failureOf(attempt(who, DEMO_PASSWORD, ip))).userMessage).toBe(
			'Te veel mislukte pogingen. Probeer het opnieuw om 10:03 (over 2 minuten).'
		);

		t.clock.set(new Date('2026-03-03T09:03:00Z'));
		await expect(attempt(who, DEMO_PASSWORD, ip)).resolves.toHaveProperty('token');

		// counting starts again: four failures are free, the fifth locks for one minute again
		for (let i = 1; i <= 4; i++) {
			expect((await failureOf(attempt(who, `fout-${i}`, ip))).code).toBe('UNAUTHENTICATED');
		}
		await expect(attempt(who, DEMO_PASSWORD, ip)).resolves.toHaveProperty('token');
		for (let i = 1; i <= 5; i++) await failureOf(attempt(who, `fout-${i}`, ip));
		expect((await failureOf(attempt(who, DEMO_PASSWORD, ip))).userMessage).toBe(
			'Te veel mislukte pogingen. Probeer het opnieuw om 10:04 (over 1 minuut).'
		);
	});

	it('Guesses sent all at once are throttled as if they had come one after another, so the right password among them does not get through.', async () => {
		t.clock.set(new Date('2026-03-03T10:00:00Z'));
		const who = email('linda');
		const ip = freshIp();
		const passwords = Array.from({ length: 20 }, (_, i) => (i === 19 ? DEMO_PASSWORD : `gok-${i}`));
		const outcomes = await Promise.all(
			passwords.map((p) => attempt(who, p, ip).then(() => 'OK', (e: AppError) => e.code))
		);
		expect(outcomes.filter((o) => o === 'UNAUTHENTICATED')).toHaveLength(5);
		expect(outcomes.filter((o) => o === 'THROTTLED')).toHaveLength(15);
		expect(outcomes).not.toContain('OK');
		expect(await sessionRowsOf(who)).toEqual([]);
	});
});

describe('login throttling per address', () => {
	it('Twenty failures from one address, each on a different account, lock that address for every account, but not other addresses.', async () => {
		t.clock.set(new Date('2026-03-03T11:00:00Z'));
		const ip = freshIp();
		for (let i = 1; i <= 19; i++) {
			expect((await failureOf(attempt(`onbekend-${i}@casustafel.example`, 'raden', ip))).code).toBe('UNAUTHENTICATED');
		}
		// 19 failures are still free: a right password gets in, and does not reset the address count
		await expect(attempt(email('sara'), DEMO_PASSWORD, ip)).resolves.toHaveProperty('token');

		expect((await failureOf(attempt(email('voorzitter'), 'raden', ip))).code).toBe('UNAUTHENTICATED');
		const locked = await failureOf(attempt(email('sara'), DEMO_PASSWORD, ip));
		expect(locked.code).toBe('THROTTLED');
		expect(locked.userMessage).toBe('Te veel mislukte pogingen. Probeer het opnieuw om 12:01 (over 1 minuut).');

		// the same person from another address is let in; the account itself is not locked
		await expect(attempt(email('sara'), DEMO_PASSWORD, freshIp())).resolves.toHaveProperty('token');

		t.clock.advance(MINUTE);
		await expect(attempt(email('sara'), DEMO_PASSWORD, ip)).resolves.toHaveProperty('token');
	});

	it('Failures on many accounts sent all at once from one address are counted one by one, so no more than twenty passwords are tried.', async () => {
		t.clock.set(new Date('2026-03-03T13:00:00Z'));
		const ip = freshIp();
		const outcomes = await Promise.all(
			Array.from({ length: 26 }, (_, i) =>
				attempt(`spray-${i}@casustafel.example`, 'Welkom01!', ip).then(() => 'OK', (e: AppError) => e.code)
			)
		);
		expect(outcomes.filter((o) => o === 'UNAUTHENTICATED')).toHaveLength(20);
		expect(outcomes.filter((o) => o === 'THROTTLED')).toHaveLength(6);
	});
});
