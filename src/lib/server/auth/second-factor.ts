import { redirect, type RequestEvent } from '@sveltejs/kit';
import { verifyHOTP, createTOTPKeyURI } from '@oslojs/otp';
import { sha256 } from '@oslojs/crypto/sha2';
import { decodeBase32IgnorePadding, encodeBase32NoPadding, encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import QRCode from 'qrcode';
import type { AppContext } from '../context';
import type { Executor } from '../db/index';
import { recordAudit } from '../audit/index';
import { conflict, invalidInput } from '../errors';
import { safeReturnPath } from '../../shared/safe-redirect';
import { serialised, throttled } from './login';
import { clearFailures, lockedUntil, recordFailure, type ThrottleRule } from './throttle';
import { renewSession, type Session } from './session';

/**
 * Second factor: TOTP after RFC 6238 (30-second steps, 6 digits, HMAC-SHA-1, one step of clock
 * drift either way), with ten single-use recovery codes. The secret is kept in
 * users.totp_secret (base32); it counts only once users.totp_enabled_at is set, which happens
 * when the person has typed a valid code from their app. A session passes the factor when
 * sessions.second_factor_at is set: after the password, a person with TOTP is sent to
 * /login/tweede-factor, and every page but that step and logout sends them there too.
 */
export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;
export const RECOVERY_CODE_COUNT = 10;
const ISSUER = 'Casustafel';

/** Code attempts per user: the first 4 failures are free, then 1, 2, 4, 8, 15 minutes locked. */
export const CODE_RULE: ThrottleRule = { freeFailures: 4, maxLockMinutes: 15 };
export const codeKey = (userId: number) => `totp:${userId}`;

export interface Meta {
	ip: string;
}

/** The time step the code belongs to (now, one before or one after), or null when it fits none. */
function totpStep(secret: string, code: string, now: Date): number | null {
	if (!/^\d{6}$/.test(code)) return null;
	const key = decodeBase32IgnorePadding(secret.toUpperCase());
	const step = Math.floor(now.getTime() / (TOTP_PERIOD * 1000));
	for (const offset of [0, -1, 1]) {
		if (verifyHOTP(key, BigInt(step + offset), TOTP_DIGITS, code)) return step + offset;
	}
	return null;
}

const REUSED_MESSAGE = 'Deze code is al gebruikt. Wacht tot uw app een nieuwe code toont en vul die in.';

/** Spaces and dashes are ignored, case too: "ABCDE-FGHIJ" equals "abcdefghij". */
function normaliseCode(code: string): string {
	return code.replace(/[\s-]/g, '').toLowerCase();
}

const hashCode = (code: string) => encodeHexLowerCase(sha256(new TextEncoder().encode(normaliseCode(code))));

function newRecoveryCodes(): string[] {
	return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
		const bytes = new Uint8Array(7);
		crypto.getRandomValues(bytes);
		// 56 random bits, shown as two groups of five for reading aloud or typing
		const text = encodeBase32LowerCaseNoPadding(bytes).slice(0, 10);
		return `${text.slice(0, 5)}-${text.slice(5)}`;
	});
}

async function storeRecoveryCodes(db: Executor, userId: number, now: Date): Promise<string[]> {
	const codes = newRecoveryCodes();
	await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
	await db
		.insertInto('recovery_codes')
		.values(codes.map((c) => ({ user_id: userId, code_hash: hashCode(c), used_at: null, created_at: now.toISOString() })))
		.execute();
	return codes;
}

export interface TotpStatus {
	enabled: boolean;
	enabledAt: string | null;
	/** an enrolment started but not yet confirmed with a code */
	pending: boolean;
	recoveryCodesLeft: number;
}

export async function totpStatus(db: Executor, userId: number): Promise<TotpStatus> {
	const user = await db
		.selectFrom('users')
		.select(['totp_secret', 'totp_enabled_at'])
		.where('id', '=', userId)
		.executeTakeFirstOrThrow();
	const left = await db
		.selectFrom('recovery_codes')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('user_id', '=', userId)
		.where('used_at', 'is', null)
		.executeTakeFirstOrThrow();
	return {
		enabled: user.totp_enabled_at !== null,
		enabledAt: user.totp_enabled_at,
		pending: user.totp_secret !== null && user.totp_enabled_at === null,
		recoveryCodesLeft: Number(left.n)
	};
}

export interface Enrolment {
	secret: string;
	uri: string;
	/** the key URI as an SVG QR code, markup made here from our own URI */
	qrSvg: string;
}

async function enrolmentOf(secret: string, email: string): Promise<Enrolment> {
	const uri = createTOTPKeyURI(ISSUER, email, decodeBase32IgnorePadding(secret), TOTP_PERIOD, TOTP_DIGITS);
	const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
	return { secret, uri, qrSvg };
}

/** The enrolment in progress (secret stored, not confirmed), to show again after a reload. */
export async function pendingEnrolment(db: Executor, userId: number): Promise<Enrolment | null> {
	const user = await db
		.selectFrom('users')
		.select(['email', 'totp_secret', 'totp_enabled_at'])
		.where('id', '=', userId)
		.executeTakeFirstOrThrow();
	if (!user.totp_secret || user.totp_enabled_at) return null;
	return enrolmentOf(user.totp_secret, user.email);
}

/** Starts (or restarts) enrolment with a fresh 160-bit secret; refused while TOTP is on. */
export async function startEnrolment(ctx: AppContext, userId: number): Promise<Enrolment> {
	const user = await ctx.db
		.selectFrom('users')
		.select(['email', 'totp_enabled_at'])
		.where('id', '=', userId)
		.executeTakeFirstOrThrow();
	if (user.totp_enabled_at) throw conflict('U hebt al een tweede factor ingesteld. Zet die eerst uit als u een nieuwe wilt.');
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	const secret = encodeBase32NoPadding(bytes);
	await ctx.db.updateTable('users').set({ totp_secret: secret, totp_enabled_at: null, totp_last_step: null }).where('id', '=', userId).execute();
	return enrolmentOf(secret, user.email);
}

type Checked = { ok: true; recovery: boolean } | { ok: false; reused?: boolean };

/**
 * Checks a code (TOTP or, when `allowRecovery`, an unused recovery code, which is then used up)
 * under the per-user throttle. Failures are counted and audited; the lock answers THROTTLED.
 */
async function checkCode(
	ctx: AppContext,
	user: { id: number; organisationId: number },
	secret: string,
	code: string,
	meta: Meta,
	allowRecovery: boolean,
	purpose: string
): Promise<{ recovery: boolean }> {
	const key = codeKey(user.id);
	return serialised([key], async () => {
		const now = ctx.now();
		const until = await lockedUntil(ctx.db, key, now);
		if (until) throw throttled(until, now);
		const typed = code.trim();
		let result: Checked = { ok: false };
		const step = totpStep(secret, typed.replace(/\s/g, ''), now);
		if (step !== null) {
			// each time step once: a code seen over someone's shoulder, or sent twice, is refused
			const used = await ctx.db
				.updateTable('users')
				.set({ totp_last_step: step })
				.where('id', '=', user.id)
				.where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
				.executeTakeFirst();
			result = Number(used.numUpdatedRows) === 1 ? { ok: true, recovery: false } : { ok: false, reused: true };
		} else if (allowRecovery && /^[a-z2-7]{10}$/.test(normaliseCode(typed))) {
			const used = await ctx.db
				.updateTable('recovery_codes')
				.set({ used_at: now.toISOString() })
				.where('user_id', '=', user.id)
				.where('code_hash', '=', hashCode(typed))
				.where('used_at', 'is', null)
				.executeTakeFirst();
			if (Number(used.numUpdatedRows) === 1) result = { ok: true, recovery: true };
		}
		if (!result.ok) {
			await recordFailure(ctx.db, key, CODE_RULE, now);
			await recordAudit(ctx.db, {
				at: now,
				userId: user.id,
				organisationId: user.organisationId,
				action: 'totp.verify_failure',
				detail: result.reused ? { purpose, reused: true } : { purpose },
				ip: meta.ip
			});
			if (result.reused) throw invalidInput({ code: REUSED_MESSAGE }, 'Deze code is al gebruikt.');
			throw invalidInput({ code: 'Deze code klopt niet. Controleer de code in uw app en probeer het opnieuw.' }, 'Deze code klopt niet.');
		}
		await clearFailures(ctx.db, key);
		if (result.recovery) {
			await recordAudit(ctx.db, {
				at: now,
				userId: user.id,
				organisationId: user.organisationId,
				action: 'totp.recovery_used',
				detail: { purpose },
				ip: meta.ip
			});
		}
		return { recovery: result.recovery };
	});
}

async function markSession(db: Executor, sessionId: string, now: Date) {
	await db.updateTable('sessions').set({ second_factor_at: now.toISOString() }).where('id', '=', sessionId).execute();
}

/** Confirms enrolment with a code from the app; the current session counts as passed. */
export async function confirmEnrolment(
	ctx: AppContext,
	user: { id: number; organisationId: number },
	sessionId: string,
	code: string,
	meta: Meta
): Promise<{ recoveryCodes: string[] }> {
	const row = await ctx.db.selectFrom('users').select(['totp_secret', 'totp_enabled_at']).where('id', '=', user.id).executeTakeFirstOrThrow();
	if (row.totp_enabled_at) throw conflict('Uw tweede factor staat al aan.');
	if (!row.totp_secret) throw conflict('Begin opnieuw met het instellen van de tweede factor.');
	await checkCode(ctx, user, row.totp_secret, code, meta, false, 'enable');
	const now = ctx.now();
	const recoveryCodes = await ctx.db.transaction().execute(async (trx) => {
		await trx.updateTable('users').set({ totp_enabled_at: now.toISOString() }).where('id', '=', user.id).execute();
		await markSession(trx, sessionId, now);
		return storeRecoveryCodes(trx, user.id, now);
	});
	await recordAudit(ctx.db, { at: now, userId: user.id, organisationId: user.organisationId, action: 'totp.enable', ip: meta.ip });
	return { recoveryCodes };
}

/**
 * The login step: a TOTP code or a recovery code passes it, and the session gets a new token
 * (ASVS 7.2.4): the half-authenticated token ends, the caller sets the new one in the cookie.
 */
export async function verifySecondFactor(
	ctx: AppContext,
	user: { id: number; organisationId: number },
	sessionId: string,
	code: string,
	meta: Meta
): Promise<{ recovery: boolean; recoveryCodesLeft: number; token: string; session: Session }> {
	const row = await ctx.db.selectFrom('users').select(['totp_secret', 'totp_enabled_at']).where('id', '=', user.id).executeTakeFirstOrThrow();
	if (!row.totp_secret || !row.totp_enabled_at) throw conflict('U hebt geen tweede factor ingesteld.');
	const { recovery } = await checkCode(ctx, user, row.totp_secret, code, meta, true, 'login');
	const renewed = await renewSession(ctx.db, sessionId, ctx.now(), { secondFactorAt: ctx.now() });
	if (!renewed) throw conflict('Uw sessie is verlopen. Log opnieuw in.');
	// nothing should hold the old token open (a pending session opens no connection); if so, it ends
	ctx.realtime?.revokeSession(sessionId);
	return { recovery, recoveryCodesLeft: (await totpStatus(ctx.db, user.id)).recoveryCodesLeft, ...renewed };
}

/** Turns the second factor off; needs a current code (or a recovery code). */
export async function disableSecondFactor(
	ctx: AppContext,
	user: { id: number; organisationId: number },
	code: string,
	meta: Meta
): Promise<void> {
	const row = await ctx.db.selectFrom('users').select(['totp_secret', 'totp_enabled_at']).where('id', '=', user.id).executeTakeFirstOrThrow();
	if (!row.totp_secret || !row.totp_enabled_at) throw conflict('U hebt geen tweede factor ingesteld.');
	await checkCode(ctx, user, row.totp_secret, code, meta, true, 'disable');
	const now = ctx.now();
	await ctx.db.transaction().execute(async (trx) => {
		await trx.updateTable('users').set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null }).where('id', '=', user.id).execute();
		await trx.deleteFrom('recovery_codes').where('user_id', '=', user.id).execute();
		await trx.updateTable('sessions').set({ second_factor_at: null }).where('user_id', '=', user.id).execute();
	});
	await recordAudit(ctx.db, { at: now, userId: user.id, organisationId: user.organisationId, action: 'totp.disable', ip: meta.ip });
}

/** Ten new recovery codes, the old ones stop working; needs a current code. */
export async function regenerateRecoveryCodes(
	ctx: AppContext,
	user: { id: number; organisationId: number },
	code: string,
	meta: Meta
): Promise<string[]> {
	const row = await ctx.db.selectFrom('users').select(['totp_secret', 'totp_enabled_at']).where('id', '=', user.id).executeTakeFirstOrThrow();
	if (!row.totp_secret || !row.totp_enabled_at) throw conflict('U hebt geen tweede factor ingesteld.');
	await checkCode(ctx, user, row.totp_secret, code, meta, false, 'regenerate');
	return storeRecoveryCodes(ctx.db, user.id, ctx.now());
}

/** Whether this session still has to pass the second factor (TOTP on, step not done). */
export async function secondFactorPending(db: Executor, sessionId: string): Promise<boolean> {
	const row = await db
		.selectFrom('sessions')
		.innerJoin('users', 'users.id', 'sessions.user_id')
		.select(['users.totp_enabled_at', 'sessions.second_factor_at'])
		.where('sessions.id', '=', sessionId)
		.executeTakeFirst();
	return !!row && row.totp_enabled_at !== null && row.second_factor_at === null;
}

export const SECOND_FACTOR_PATH = '/login/tweede-factor';

export function stepUrl(back: string): string {
	return `${SECOND_FACTOR_PATH}?terug=${encodeURIComponent(safeReturnPath(back))}`;
}

/**
 * Pages that need a second factor (beheer, the audit log): without TOTP the person is sent to
 * /account to set it up, with TOTP but a session that has not passed it to the login step.
 */
export async function requireSecondFactor(event: Pick<RequestEvent, 'locals' | 'url'>): Promise<void> {
	const { user, session, ctx } = event.locals;
	const back = event.url.pathname + event.url.search;
	if (!user || !session) redirect(303, `/login?terug=${encodeURIComponent(back)}`);
	const row = await ctx.db
		.selectFrom('sessions')
		.innerJoin('users', 'users.id', 'sessions.user_id')
		.select(['users.totp_enabled_at', 'sessions.second_factor_at'])
		.where('sessions.id', '=', session.id)
		.executeTakeFirst();
	if (!row?.totp_enabled_at) redirect(303, `/account?tweede-factor=nodig#tweede-factor`);
	if (!row.second_factor_at) redirect(303, stepUrl(back));
}

