import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import type { Executor } from '../db/index';
import { AppError } from '../errors';

/**
 * One-time links to set a password: an invitation (a beheerder added the account) or a reset
 * ("wachtwoord vergeten"). The token is 160 random bits in the link; the database keeps only
 * its SHA-256, so a copy of the database holds no usable link. A link works once, expires,
 * and a newer link of the same purpose replaces the older one.
 */
export type LinkPurpose = 'invite' | 'reset';

/** The path of the page a link opens; the token is the last segment. */
export const linkPath = (token: string) => `/wachtwoord/instellen/${token}`;

/** 160 bits from the CSPRNG, base32 (32 characters): as a session token. */
export function generateLinkToken(): string {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	return encodeBase32LowerCaseNoPadding(bytes);
}

export function linkTokenHash(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** Pure: whether a string can be a token at all (checked before any lookup). */
export function wellFormedToken(token: string): boolean {
	return /^[a-z2-7]{32}$/.test(token);
}

/** Stores a new link of `purpose` for the user; unused older links of that purpose stop working. */
export async function storeLink(
	db: Executor,
	hash: string,
	input: { userId: number; purpose: LinkPurpose; now: Date; validMs: number }
): Promise<Date> {
	const expiresAt = new Date(input.now.getTime() + input.validMs);
	await db
		.deleteFrom('account_tokens')
		.where('user_id', '=', input.userId)
		.where('purpose', '=', input.purpose)
		.where('used_at', 'is', null)
		.execute();
	await db
		.insertInto('account_tokens')
		.values({
			id: hash,
			user_id: input.userId,
			purpose: input.purpose,
			created_at: input.now.toISOString(),
			expires_at: expiresAt.toISOString(),
			used_at: null
		})
		.execute();
	return expiresAt;
}

export interface ValidLink {
	hash: string;
	userId: number;
	purpose: LinkPurpose;
	email: string;
	organisationId: number;
}

const MESSAGES = {
	LINK_INVALID:
		'Deze link werkt niet. Misschien is er daarna een nieuwere link verstuurd: gebruik de link uit de laatste e-mail, of vraag hieronder een nieuwe link aan.',
	LINK_USED: 'Deze link is al gebruikt: een link werkt maar één keer. Weet u uw wachtwoord niet meer? Vraag dan hieronder een nieuwe link aan.',
	LINK_EXPIRED: {
		invite: 'Deze uitnodiging is verlopen. Vraag hieronder een nieuwe link aan, of vraag uw beheerder om een nieuwe uitnodiging.',
		reset: 'Deze link is verlopen: een link om een nieuw wachtwoord te kiezen is maar kort geldig. Vraag hieronder een nieuwe link aan.'
	}
} as const;

export const linkError = (code: 'LINK_INVALID' | 'LINK_USED') => new AppError(code, MESSAGES[code]);
export const linkExpired = (purpose: LinkPurpose) => new AppError('LINK_EXPIRED', MESSAGES.LINK_EXPIRED[purpose]);

/**
 * The link's user and purpose, or the reason it does not work (an AppError with LINK_INVALID,
 * LINK_USED or LINK_EXPIRED). A disabled account's link does not work either.
 */
export async function findValidLink(db: Executor, token: string, now: Date): Promise<ValidLink> {
	if (!wellFormedToken(token)) throw linkError('LINK_INVALID');
	const hash = linkTokenHash(token);
	const row = await db
		.selectFrom('account_tokens as t')
		.innerJoin('users as u', 'u.id', 't.user_id')
		.select(['t.user_id', 't.purpose', 't.expires_at', 't.used_at', 'u.email', 'u.organisation_id', 'u.disabled_at'])
		.where('t.id', '=', hash)
		.executeTakeFirst();
	if (!row || row.disabled_at !== null) throw linkError('LINK_INVALID');
	if (row.used_at !== null) throw linkError('LINK_USED');
	if (new Date(row.expires_at).getTime() <= now.getTime()) throw linkExpired(row.purpose);
	return { hash, userId: row.user_id, purpose: row.purpose, email: row.email, organisationId: row.organisation_id };
}

/**
 * Marks the link used, only if it still is unused and valid (a second use at the same moment
 * loses), and retires the user's other unused links. Returns false when it was not valid.
 */
export async function consumeLink(db: Executor, link: ValidLink, now: Date): Promise<boolean> {
	const result = await db
		.updateTable('account_tokens')
		.set({ used_at: now.toISOString() })
		.where('id', '=', link.hash)
		.where('used_at', 'is', null)
		.where('expires_at', '>', now.toISOString())
		.executeTakeFirst();
	if (Number(result.numUpdatedRows) !== 1) return false;
	await db.deleteFrom('account_tokens').where('user_id', '=', link.userId).where('used_at', 'is', null).execute();
	return true;
}

/** Forgets links that expired more than 30 days ago (used or not); kept that long to say "verlopen" or "al gebruikt". */
export async function forgetOldLinks(db: Executor, now: Date): Promise<void> {
	const cutoff = new Date(now.getTime() - 30 * 24 * 3_600_000).toISOString();
	await db.deleteFrom('account_tokens').where('expires_at', '<', cutoff).execute();
}
