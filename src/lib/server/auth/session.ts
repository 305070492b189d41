import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Db, Executor } from '../db/index';

/**
 * Sessions after the Lucia guide: a random token in the cookie, only its SHA-256 in the
 * database. A session ends after `idleMinutes` without a request, or `absoluteHours` after
 * login, whichever comes first; docs/security.md gives the reasons for the values.
 */
export const SESSION_COOKIE = 'casustafel_sessie';

export interface SessionPolicy {
	idleMinutes: number;
	absoluteHours: number;
}

/** The configured timeouts (SESSION_IDLE_MINUTES, SESSION_ABSOLUTE_HOURS). */
export function sessionPolicy(ctx: { config: { sessionIdleMinutes: number; sessionAbsoluteHours: number } }): SessionPolicy {
	return { idleMinutes: ctx.config.sessionIdleMinutes, absoluteHours: ctx.config.sessionAbsoluteHours };
}

export interface SessionUser {
	id: number;
	name: string;
	email: string;
	organisationId: number;
	organisationName: string;
	isAdmin: boolean;
}

export interface Session {
	id: string;
	userId: number;
	createdAt: Date;
	lastSeenAt: Date;
	expiresAt: Date;
}

export type SessionValidation =
	| { session: Session; user: SessionUser }
	| { session: null; user: null };

/** 160 bits from the CSPRNG, base32: above ASVS's 128-bit minimum. */
export function generateSessionToken(): string {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}

export function sessionIdFromToken(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export async function createSession(
	db: Executor,
	token: string,
	userId: number,
	now: Date,
	policy: SessionPolicy,
	meta: { userAgent?: string | null; ip?: string | null } = {}
): Promise<Session> {
	const session: Session = {
		id: sessionIdFromToken(token),
		userId,
		createdAt: now,
		lastSeenAt: now,
		expiresAt: new Date(now.getTime() + policy.absoluteHours * 3_600_000)
	};
	await db
		.insertInto('sessions')
		.values({
			id: session.id,
			user_id: userId,
			created_at: now.toISOString(),
			last_seen_at: now.toISOString(),
			expires_at: session.expiresAt.toISOString(),
			user_agent: meta.userAgent?.slice(0, 200) ?? null,
			ip: meta.ip ?? null
		})
		.execute();
	return session;
}

// Writing last_seen on every request would turn each page view into a write; a minute of
// slack (less for very short timeouts, as in tests) keeps the inactivity timeout accurate.
function touchAfterMs(policy: SessionPolicy): number {
	return Math.min(60_000, (policy.idleMinutes * 60_000) / 4);
}

/**
 * Whether a check counts as activity. Only what a person does counts: a page load, a form
 * action, a live command they trigger, an accepted document edit. Background checks (a
 * socket's handshake or reconnect, the periodic recheck of open connections) never do, or an
 * open tab would keep its session alive until the absolute timeout.
 */
export interface ValidateOptions {
	touch: boolean;
}

/**
 * Validates a token: unknown, idle, past its absolute lifetime, or belonging to a disabled
 * user all give `{ session: null, user: null }`, and dead sessions are deleted on the spot.
 */
export async function validateSessionToken(
	db: Executor,
	token: string,
	now: Date,
	policy: SessionPolicy,
	options: ValidateOptions
): Promise<SessionValidation> {
	return validateSessionId(db, sessionIdFromToken(token), now, policy, options);
}

/** The same check by session id (the token's hash), for live connections that hold the id. */
export async function validateSessionId(
	db: Executor,
	id: string,
	now: Date,
	policy: SessionPolicy,
	options: ValidateOptions
): Promise<SessionValidation> {
	const row = await db
		.selectFrom('sessions')
		.innerJoin('users', 'users.id', 'sessions.user_id')
		.innerJoin('organisations', 'organisations.id', 'users.organisation_id')
		.select([
			'sessions.id',
			'sessions.user_id',
			'sessions.created_at',
			'sessions.last_seen_at',
			'sessions.expires_at',
			'users.name',
			'users.email',
			'users.organisation_id',
			'users.is_admin',
			'users.disabled_at',
			'organisations.name as organisation_name'
		])
		.where('sessions.id', '=', id)
		.executeTakeFirst();
	if (!row) return { session: null, user: null };

	let lastSeen = new Date(row.last_seen_at);
	const idleDeadline = lastSeen.getTime() + policy.idleMinutes * 60_000;
	const dead =
		now.getTime() >= new Date(row.expires_at).getTime() ||
		now.getTime() >= idleDeadline ||
		row.disabled_at !== null;
	if (dead) {
		await invalidateSession(db, id);
		return { session: null, user: null };
	}
	if (options.touch && now.getTime() - lastSeen.getTime() >= touchAfterMs(policy)) {
		await db
			.updateTable('sessions')
			.set({ last_seen_at: now.toISOString() })
			.where('id', '=', id)
			.execute();
		lastSeen = now;
	}
	return {
		session: {
			id,
			userId: row.user_id,
			createdAt: new Date(row.created_at),
			lastSeenAt: lastSeen,
			expiresAt: new Date(row.expires_at)
		},
		user: {
			id: row.user_id,
			name: row.name,
			email: row.email,
			organisationId: row.organisation_id,
			organisationName: row.organisation_name,
			isAdmin: row.is_admin === 1
		}
	};
}

/**
 * Counts a person's activity on a session they hold open (a document edit, a live command)
 * without a full check: last_seen is moved only while the session is still alive (never
 * brings an idle or expired one back) and at most every `touchAfterMs`. Returns false when
 * the session is gone or dead, so the caller can close what it holds.
 */
export async function touchSession(db: Executor, id: string, now: Date, policy: SessionPolicy): Promise<boolean> {
	const idleCutoff = new Date(now.getTime() - policy.idleMinutes * 60_000).toISOString();
	const touchCutoff = new Date(now.getTime() - touchAfterMs(policy)).toISOString();
	const result = await db
		.updateTable('sessions')
		.set({ last_seen_at: now.toISOString() })
		.where('id', '=', id)
		.where('last_seen_at', '>', idleCutoff)
		.where('last_seen_at', '<=', touchCutoff)
		.where('expires_at', '>', now.toISOString())
		.executeTakeFirst();
	if (Number(result.numUpdatedRows) === 1) return true;
	// not moved: either touched recently (alive) or dead
	const alive = await db
		.selectFrom('sessions')
		.innerJoin('users', 'users.id', 'sessions.user_id')
		.select('sessions.id')
		.where('sessions.id', '=', id)
		.where('sessions.last_seen_at', '>', idleCutoff)
		.where('sessions.expires_at', '>', now.toISOString())
		.where('users.disabled_at', 'is', null)
		.executeTakeFirst();
	return alive !== undefined;
}

/**
 * A new token for a session after a further authentication step (the second factor, ASVS
 * 7.2.4): the old token stops working at once, and the new session keeps the old one's login
 * time and absolute expiry (a second step does not lengthen the day). `null` when the old
 * session is gone.
 */
export async function renewSession(
	db: Db,
	oldId: string,
	now: Date,
	set: { secondFactorAt: Date | null }
): Promise<{ token: string; session: Session } | null> {
	const token = generateSessionToken();
	const id = sessionIdFromToken(token);
	return db.transaction().execute(async (trx) => {
		const old = await trx.selectFrom('sessions').selectAll().where('id', '=', oldId).executeTakeFirst();
		if (!old) return null;
		await trx
			.insertInto('sessions')
			.values({
				id,
				user_id: old.user_id,
				created_at: old.created_at,
				last_seen_at: now.toISOString(),
				expires_at: old.expires_at,
				user_agent: old.user_agent,
				ip: old.ip,
				second_factor_at: set.secondFactorAt?.toISOString() ?? null
			})
			.execute();
		await trx.deleteFrom('sessions').where('id', '=', oldId).execute();
		return {
			token,
			session: { id, userId: old.user_id, createdAt: new Date(old.created_at), lastSeenAt: now, expiresAt: new Date(old.expires_at) }
		};
	});
}

export async function invalidateSession(db: Executor, sessionId: string): Promise<void> {
	await db.deleteFrom('sessions').where('id', '=', sessionId).execute();
}

export async function invalidateUserSessions(db: Executor, userId: number): Promise<number> {
	const result = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
	return Number(result.numDeletedRows);
}

export async function listUserSessions(db: Executor, userId: number) {
	return db
		.selectFrom('sessions')
		.select(['id', 'created_at', 'last_seen_at', 'expires_at', 'user_agent', 'ip'])
		.where('user_id', '=', userId)
		.orderBy('last_seen_at', 'desc')
		.execute();
}
