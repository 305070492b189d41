import type { AppContext } from '../context';
import { recordAudit } from '../audit/index';
import { AppError } from '../errors';
import { verifyAgainstDummy, verifyPassword } from './password';
import { createSession, generateSessionToken, invalidateSession, type Session } from './session';
import {
	ACCOUNT_RULE,
	ADDRESS_RULE,
	accountKey,
	addressKey,
	clearFailures,
	lockedUntil,
	recordFailure
} from './throttle';

export interface LoginInput {
	email: string;
	password: string;
	ip: string;
	userAgent: string | null;
}

const timeFormat = new Intl.DateTimeFormat('nl-NL', {
	hour: '2-digit',
	minute: '2-digit',
	timeZone: 'Europe/Amsterdam'
});

function throttled(until: Date, now: Date): AppError {
	const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
	return new AppError(
		'THROTTLED',
		`Te veel mislukte pogingen. Probeer het opnieuw om ${timeFormat.format(until)} (over ${minutes} ${minutes === 1 ? 'minuut' : 'minuten'}).`
	);
}

const WRONG = () => new AppError('UNAUTHENTICATED', 'Het e-mailadres of het wachtwoord klopt niet.');

/**
 * Checks the password with throttling per account and per address, and on success starts a
 * new session with a fresh token. Unknown e-mail, wrong password and disabled account all give
 * the same answer, so the form does not reveal which accounts exist.
 */
export async function login(
	ctx: AppContext,
	input: LoginInput
): Promise<{ token: string; session: Session }> {
	const { db } = ctx;
	const now = ctx.now();
	const email = input.email.trim().toLowerCase();
	const keys = [accountKey(email), addressKey(input.ip)];
	for (const key of keys) {
		const until = await lockedUntil(db, key, now);
		if (until) {
			await recordAudit(db, {
				at: now,
				userId: null,
				organisationId: null,
				action: 'login.throttled',
				detail: { key: key.split(':')[0] },
				ip: input.ip
			});
			throw throttled(until, now);
		}
	}

	const user = await db
		.selectFrom('users')
		.select(['id', 'password_hash', 'organisation_id', 'disabled_at'])
		.where('email', '=', email)
		.executeTakeFirst();
	const ok = user
		? (await verifyPassword(user.password_hash, input.password)) && user.disabled_at === null
		: await verifyAgainstDummy(input.password);

	if (!ok || !user) {
		await recordFailure(db, keys[0]!, ACCOUNT_RULE, now);
		await recordFailure(db, keys[1]!, ADDRESS_RULE, now);
		await recordAudit(db, {
			at: now,
			userId: user?.id ?? null,
			organisationId: user?.organisation_id ?? null,
			action: 'login.failure',
			detail: user?.disabled_at ? { reason: 'disabled' } : undefined,
			ip: input.ip
		});
		throw WRONG();
	}

	await clearFailures(db, keys[0]!);
	const token = generateSessionToken();
	const session = await createSession(
		db,
		token,
		user.id,
		now,
		{ idleMinutes: ctx.config.sessionIdleMinutes, absoluteHours: ctx.config.sessionAbsoluteHours },
		{ userAgent: input.userAgent, ip: input.ip }
	);
	await recordAudit(db, {
		at: now,
		userId: user.id,
		organisationId: user.organisation_id,
		action: 'login.success',
		ip: input.ip
	});
	return { token, session };
}

/** Ends the current session and logs it. */
export async function logout(
	ctx: AppContext,
	sessionId: string,
	user: { id: number; organisationId: number },
	ip: string
): Promise<void> {
	await invalidateSession(ctx.db, sessionId);
	await recordAudit(ctx.db, {
		at: ctx.now(),
		userId: user.id,
		organisationId: user.organisationId,
		action: 'logout',
		ip
	});
}
