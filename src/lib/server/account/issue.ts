import type { AppContext } from '../context';
import type { Executor } from '../db/index';
import { generateLinkToken, linkPath, linkTokenHash, storeLink, type LinkPurpose } from './links';
import { composeLinkMail } from './mails';

/** How long a link of `purpose` works (INVITE_VALID_HOURS, RESET_VALID_MINUTES). */
export function linkValidMs(ctx: AppContext, purpose: LinkPurpose): number {
	return purpose === 'invite' ? ctx.config.inviteValidHours * 3_600_000 : ctx.config.resetValidMinutes * 60_000;
}

/**
 * Makes a new link for the user and mails it. The token exists only in memory and in the
 * mail; `db` may be a transaction, and the mail is handed to the mailer only after it
 * (`send` is called by the caller once the rows are committed). Returns false for `mailed`
 * when e-mail is off on this server.
 */
export async function issueLink(
	ctx: AppContext,
	db: Executor,
	input: { userId: number; email: string; purpose: LinkPurpose }
): Promise<{ send: () => boolean; expiresAt: Date }> {
	const token = generateLinkToken();
	const validMs = linkValidMs(ctx, input.purpose);
	const expiresAt = await storeLink(db, linkTokenHash(token), { userId: input.userId, purpose: input.purpose, now: ctx.now(), validMs });
	const path = linkPath(token);
	return {
		expiresAt,
		send: () => {
			if (!ctx.mail) {
				ctx.log.warn({ userId: input.userId, purpose: input.purpose }, 'account e-mail not sent: SMTP_URL is not set');
				return false;
			}
			ctx.mail.send({ to: input.email, compose: (publicUrl) => composeLinkMail({ purpose: input.purpose, path, validMs, expiresAt }, publicUrl) });
			return true;
		}
	};
}
