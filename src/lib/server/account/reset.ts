import type { AppContext } from '../context';
import { recordAudit } from '../audit/index';
import { recordAggregated } from '../audit/aggregate';
import { hashPassword, passwordProblem } from '../auth/password';
import { endUserEverywhere } from '../auth/revoke';
import { serialised } from '../auth/login';
import { accountKey, clearFailures, countRequest, lockedUntil, recordFailure, type ThrottleRule, type WindowRule } from '../auth/throttle';
import { AppError, invalidInput } from '../errors';
import { consumeLink, findValidLink, forgetOldLinks, linkError, linkTokenHash, generateLinkToken, type LinkPurpose } from './links';
import { issueLink } from './issue';

/**
 * "Wachtwoord vergeten": anyone may ask for a link for an address; the answer is the same
 * whether or not the address has an account, and so is the work done before answering (the
 * throttle counts, a token is made and hashed, the same queries run, one aggregated audit row);
 * the only extra step for a real account is storing the link, and its mail goes out in the
 * background after the answer.
 */

/** Reset requests per e-mail address and per client address, per hour. */
export const RESET_ADDRESS_RULE: WindowRule = { limit: 3, windowMinutes: 60 };
export const RESET_IP_RULE: WindowRule = { limit: 20, windowMinutes: 60 };
/** Links that do not work (unknown, used, expired), per client address: like failed logins. */
export const LINK_IP_RULE: ThrottleRule = { freeFailures: 10, maxLockMinutes: 15 };

const timeFormat = new Intl.DateTimeFormat('nl-NL', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Amsterdam' });

export function tooManyRequests(until: Date, now: Date, what: string): AppError {
	const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
	return new AppError(
		'THROTTLED',
		`${what} Probeer het opnieuw om ${timeFormat.format(until)} (over ${minutes} ${minutes === 1 ? 'minuut' : 'minuten'}).`
	);
}

const resetKeys = (email: string, ip: string) => [`reset:${email}`, `reset-ip:${ip}`];

/** Asks for a reset link. Resolves the same way for known and unknown addresses; THROTTLED when asked too often. */
export async function requestPasswordReset(ctx: AppContext, input: { email: string; ip: string }): Promise<void> {
	const email = input.email.trim().toLowerCase();
	const keys = resetKeys(email, input.ip);
	await serialised(keys, async () => {
		const { db } = ctx;
		const now = ctx.now();
		for (const [key, rule] of [[keys[0]!, RESET_ADDRESS_RULE], [keys[1]!, RESET_IP_RULE]] as const) {
			const until = await countRequest(db, key, rule, now);
			if (until) {
				await recordAggregated(db, { at: now, action: 'password.reset_throttled', userId: null, organisationId: null, reason: key.split(':')[0], ip: input.ip });
				throw tooManyRequests(until, now, 'U hebt te vaak om een nieuwe link gevraagd.');
			}
		}
		await forgetOldLinks(db, now);
		const user = await db
			.selectFrom('users')
			.select(['id', 'organisation_id', 'disabled_at'])
			.where('email', '=', email)
			.executeTakeFirst();
		const known = user && user.disabled_at === null ? user : undefined;
		let send: (() => boolean) | undefined;
		if (known) {
			send = (await issueLink(ctx, db, { userId: known.id, email, purpose: 'reset' })).send;
		} else {
			// the same token work and a lookup of its hash, in place of storing it
			await db.selectFrom('account_tokens').select('id').where('id', '=', linkTokenHash(generateLinkToken())).executeTakeFirst();
		}
		await recordAggregated(db, {
			at: now,
			action: 'password.reset_request',
			userId: known?.id ?? null,
			organisationId: known?.organisation_id ?? null,
			reason: known ? undefined : 'unknown',
			ip: input.ip
		});
		// after the answer, so the SMTP conversation cannot be timed either
		if (send) setImmediate(send);
	});
}

/** What the page of a link shows: its purpose and the account's address, or the AppError why it does not work. */
export async function checkLink(ctx: AppContext, token: string): Promise<{ purpose: LinkPurpose; email: string }> {
	const link = await findValidLink(ctx.db, token, ctx.now());
	return { purpose: link.purpose, email: link.email };
}

/**
 * Sets the password with a link: the link is used up, the account's other links stop working,
 * every session of the user ends (live connections close at once), and the next login asks for
 * the second factor as before when the user has TOTP on. Refused links count against the
 * client address like failed logins.
 */
export async function setPasswordWithLink(
	ctx: AppContext,
	input: { token: string; password: string; ip: string }
): Promise<{ purpose: LinkPurpose }> {
	const ipKey = `link-ip:${input.ip}`;
	return serialised([ipKey], async () => {
		const { db } = ctx;
		const now = ctx.now();
		const until = await lockedUntil(db, ipKey, now);
		if (until) throw tooManyRequests(until, now, 'Te veel links geprobeerd die niet werken.');
		const refuse = async (e: unknown): Promise<never> => {
			if (e instanceof AppError && e.code.startsWith('LINK_')) {
				await recordFailure(db, ipKey, LINK_IP_RULE, now);
				await recordAggregated(db, { at: now, action: 'password.link_refused', userId: null, organisationId: null, reason: e.code, ip: input.ip });
			}
			throw e;
		};
		const link = await findValidLink(db, input.token, now).catch(refuse);
		const problem = passwordProblem(input.password);
		if (problem) throw invalidInput({ password: problem }, 'Kies een ander wachtwoord. Wat er mis is, staat bij het veld.');
		const passwordHash = await hashPassword(input.password);
		const done = await db.transaction().execute(async (trx) => {
			if (!(await consumeLink(trx, link, now))) return false;
			await trx.updateTable('users').set({ password_hash: passwordHash, invited_at: null }).where('id', '=', link.userId).execute();
			return true;
		});
		if (!done) return refuse(linkError('LINK_USED'));
		const ended = await endUserEverywhere(ctx, link.userId);
		await clearFailures(db, accountKey(link.email));
		await recordAudit(db, {
			at: now,
			userId: link.userId,
			organisationId: link.organisationId,
			action: 'password.set',
			detail: { via: link.purpose, sessionsEnded: ended },
			ip: input.ip
		});
		return { purpose: link.purpose };
	});
}
