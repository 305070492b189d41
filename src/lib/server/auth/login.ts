import type { AppContext } from '../context';
import { recordAudit } from '../audit/index';
import { recordAggregated } from '../audit/aggregate';
import { AppError } from '../errors';
import { verifyAgainstDummy, verifyPassword } from './password';
import { createSession, generateSessionToken, type Session } from './session';
import { endSessionEverywhere } from './revoke';
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

export function throttled(until: Date, now: Date): AppError {
	const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
	return new AppError(
		'THROTTLED',
		`Te veel mislukte pogingen. Probeer het opnieuw om ${timeFormat.format(until)} (over ${minutes} ${minutes === 1 ? 'minuut' : 'minuten'}).`
	);
}

const WRONG = () => new AppError('UNAUTHENTICATED', 'Het e-mailadres of het wachtwoord klopt niet.');

/**
 * Attempts that share a throttle key run one after another. Checking the lock, verifying the
 * password (which takes a while) and recording the failure are separate steps; without this,
 * guesses sent in parallel would all pass the lock check before the first failure is counted,
 * and their read-then-write updates of the counter would overwrite each other. One process
 * owns the SQLite file, so an in-process queue per key is enough; several nodes would need a
 * row lock in the database instead.
 */
const queues = new Map<string, Promise<void>>();

async function acquire(key: string): Promise<() => void> {
	const previous = queues.get(key) ?? Promise.resolve();
	let release!: () => void;
	const mine = new Promise<void>((resolve) => (release = resolve));
	const tail = previous.then(() => mine);
	queues.set(key, tail);
	await previous;
	return () => {
		release();
		if (queues.get(key) === tail) queues.delete(key);
	};
}

/** Runs `fn` holding every key; keys are taken in sorted order so two attempts cannot deadlock. */
export async function serialised<T>(keys: string[], fn: () => Promise<T>): Promise<T> {
	const releases: (() => void)[] = [];
	try {
		for (const key of [...new Set(keys)].sort()) releases.push(await acquire(key));
		return await fn();
	} finally {
		for (const release of releases.reverse()) release();
	}
}

/**
 * Checks the password with throttling per account and per address, and on success starts a
 * new session with a fresh token. Unknown e-mail, wrong password and disabled account all give
 * the same answer, so the form does not reveal which accounts exist.
 */
export async function login(
	ctx: AppContext,
	input: LoginInput
): Promise<{ token: string; session: Session }> {
	const email = input.email.trim().toLowerCase();
	const keys = [accountKey(email), addressKey(input.ip)];
	return serialised(keys, () => attempt(ctx, input, email, keys));
}

async function attempt(
	ctx: AppContext,
	input: LoginInput,
	email: string,
	keys: string[]
): Promise<{ token: string; session: Session }> {
	const { db } = ctx;
	const now = ctx.now();
	for (const key of keys) {
		const until = await lockedUntil(db, key, now);
		if (until) {
			// aggregated: a flood of throttled attempts is one chained row per key and window
			const known = await db.selectFrom('users').select(['id', 'organisation_id']).where('email', '=', email).executeTakeFirst();
			await recordAggregated(db, {
				at: now,
				action: 'login.throttled',
				userId: known?.id ?? null,
				organisationId: known?.organisation_id ?? null,
				reason: key.split(':')[0],
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
		await recordAggregated(db, {
			at: now,
			action: 'login.failure',
			userId: user?.id ?? null,
			organisationId: user?.organisation_id ?? null,
			reason: user?.disabled_at ? 'disabled' : undefined,
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
	await endSessionEverywhere(ctx, sessionId);
	await recordAudit(ctx.db, {
		at: ctx.now(),
		userId: user.id,
		organisationId: user.organisationId,
		action: 'logout',
		ip
	});
}
