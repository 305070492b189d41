import type { AppContext } from '../context';
import { recordAudit } from '../audit/index';
import { hashPassword } from '../auth/password';
import { countRequest, type WindowRule } from '../auth/throttle';
import { serialised } from '../auth/login';
import { AppError, conflict, invalidInput, notFound } from '../errors';
import { authorize, type Actor } from '../policy/index';
import { generateLinkToken } from './links';
import { issueLink } from './issue';
import { RESET_ADDRESS_RULE, tooManyRequests } from './reset';

/**
 * A beheerder invites a user by e-mail: the account is made without a password anyone knows
 * (the hash of a random value nobody keeps), and the invitee gets a one-time link to choose
 * their own. The beheerder never types or sees a password or the link.
 */
export interface InviteInput {
	name: string;
	email: string;
	organisationId: number;
	isAdmin: boolean;
}

/** Invitations per invitee address and per beheerder's address, per hour. */
export const INVITE_ADDRESS_RULE: WindowRule = { limit: 3, windowMinutes: 60 };
export const INVITE_IP_RULE: WindowRule = { limit: 30, windowMinutes: 60 };

const REGION = { kind: 'region' } as const;

async function throttleInvite(ctx: AppContext, email: string, ip: string | null): Promise<void> {
	const now = ctx.now();
	for (const [key, rule] of [[`invite:${email}`, INVITE_ADDRESS_RULE], [`invite-ip:${ip ?? 'unknown'}`, INVITE_IP_RULE]] as const) {
		const until = await countRequest(ctx.db, key, rule, now);
		if (until) throw tooManyRequests(until, now, 'Er zijn te veel uitnodigingen verstuurd.');
	}
}

/** Creates the invited user and mails the link; `mailed` is false when e-mail is off. */
export async function inviteUser(
	ctx: AppContext,
	actor: Actor,
	input: InviteInput,
	meta: { ip: string | null }
): Promise<{ userId: number; mailed: boolean; expiresAt: Date }> {
	const { db } = ctx;
	await authorize(db, actor, 'admin.manage', REGION);
	const email = input.email.trim().toLowerCase();
	const org = await db.selectFrom('organisations').select('id').where('id', '=', input.organisationId).executeTakeFirst();
	if (!org) throw invalidInput({ organisationId: 'Kies een bestaande organisatie.' });
	const taken = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
	if (taken) throw conflict('Er bestaat al een gebruiker met dit e-mailadres.', { email: 'Dit e-mailadres is al in gebruik.' });
	// an unusable password of the same kind as a real one: logging in before the invitation is
	// accepted takes as long as any wrong password, and says the same
	const unusable = await hashPassword(generateLinkToken());
	return serialised([`invite:${email}`], async () => {
		await throttleInvite(ctx, email, meta.ip);
		const now = ctx.now();
		const { userId, link } = await db.transaction().execute(async (trx) => {
			const row = await trx
				.insertInto('users')
				.values({
					name: input.name,
					email,
					organisation_id: input.organisationId,
					password_hash: unusable,
					is_admin: input.isAdmin ? 1 : 0,
					created_at: now.toISOString(),
					invited_at: now.toISOString()
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			const link = await issueLink(ctx, trx, { userId: row.id, email, purpose: 'invite' });
			return { userId: row.id, link };
		});
		const mailed = link.send();
		await recordAudit(db, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'user.invite',
			detail: { targetUserId: userId, isAdmin: input.isAdmin, mailed },
			ip: meta.ip
		});
		return { userId, mailed, expiresAt: link.expiresAt };
	});
}

/** Sends an invited user (who has not chosen a password yet) a new link; the old one stops working. */
export async function resendInvitation(
	ctx: AppContext,
	actor: Actor,
	userId: number,
	meta: { ip: string | null }
): Promise<{ mailed: boolean; expiresAt: Date }> {
	const { db } = ctx;
	await authorize(db, actor, 'admin.manage', REGION);
	const user = await db.selectFrom('users').select(['id', 'email', 'invited_at', 'disabled_at']).where('id', '=', userId).executeTakeFirst();
	if (!user) throw notFound();
	if (user.disabled_at !== null) throw conflict('Deze gebruiker is geblokkeerd. Deblokkeer eerst, en stuur dan een nieuwe uitnodiging.');
	if (user.invited_at === null) {
		throw new AppError('CONFLICT', 'Deze gebruiker heeft al een eigen wachtwoord. Bij een vergeten wachtwoord vraagt de gebruiker zelf een nieuw aan via ‘Wachtwoord vergeten?’.');
	}
	return serialised([`invite:${user.email}`], async () => {
		await throttleInvite(ctx, user.email, meta.ip);
		const link = await issueLink(ctx, db, { userId, email: user.email, purpose: 'invite' });
		const mailed = link.send();
		await recordAudit(db, {
			at: ctx.now(),
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'user.invite',
			detail: { targetUserId: userId, again: true, mailed },
			ip: meta.ip
		});
		return { mailed, expiresAt: link.expiresAt };
	});
}

/**
 * A beheerder has a reset link sent to a user (who says they cannot log in): the same link and
 * mail as "wachtwoord vergeten", counted against the same per-address limit. The password stays
 * until the user sets a new one; then every session of theirs ends.
 */
export async function sendResetLink(
	ctx: AppContext,
	actor: Actor,
	userId: number,
	meta: { ip: string | null }
): Promise<{ mailed: boolean }> {
	const { db } = ctx;
	await authorize(db, actor, 'admin.manage', REGION);
	const user = await db.selectFrom('users').select(['id', 'email', 'invited_at', 'disabled_at']).where('id', '=', userId).executeTakeFirst();
	if (!user) throw notFound();
	if (user.disabled_at !== null) throw conflict('Deze gebruiker is geblokkeerd. Deblokkeer eerst, en stuur dan een link.');
	if (user.invited_at !== null) return resendInvitation(ctx, actor, userId, meta);
	const key = `reset:${user.email}`;
	return serialised([key], async () => {
		const now = ctx.now();
		const until = await countRequest(db, key, RESET_ADDRESS_RULE, now);
		if (until) throw tooManyRequests(until, now, 'Er zijn in het afgelopen uur al te veel links naar dit adres gestuurd.');
		const link = await issueLink(ctx, db, { userId, email: user.email, purpose: 'reset' });
		const mailed = link.send();
		await recordAudit(db, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'password.reset_request',
			detail: { targetUserId: userId, byBeheerder: true, mailed },
			ip: meta.ip
		});
		return { mailed };
	});
}
