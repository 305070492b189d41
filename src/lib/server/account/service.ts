import type { AppContext } from '../context';
import { recordAudit } from '../audit/index';
import { listUserSessions } from '../auth/session';
import { endSessionEverywhere, endUserEverywhere } from '../auth/revoke';
import { notFound } from '../errors';
import { authorize, type Actor } from '../policy/index';

export async function mySessions(ctx: AppContext, actor: Actor) {
	return listUserSessions(ctx.db, actor.userId);
}

/**
 * Ends one session by its id. The id is the token's hash, never the token, so it is safe to
 * show and post; a session of another user answers as if it did not exist.
 */
export async function endSession(
	ctx: AppContext,
	actor: Actor,
	sessionId: string,
	meta: { ip: string | null }
): Promise<void> {
	const { db } = ctx;
	const row = await db.selectFrom('sessions').select(['id', 'user_id']).where('id', '=', sessionId).executeTakeFirst();
	if (!row) throw notFound();
	await authorize(db, actor, 'session.end', { kind: 'user', userId: row.user_id });
	await endSessionEverywhere(ctx, sessionId);
	await recordAudit(db, {
		at: ctx.now(),
		userId: actor.userId,
		organisationId: actor.organisationId,
		action: 'session.end',
		detail: { targetUserId: row.user_id },
		ip: meta.ip
	});
}

/** A beheerder ends every session of a user. */
export async function endAllSessionsOf(
	ctx: AppContext,
	actor: Actor,
	userId: number,
	meta: { ip: string | null }
): Promise<number> {
	await authorize(ctx.db, actor, 'session.end', { kind: 'user', userId });
	const ended = await endUserEverywhere(ctx, userId);
	await recordAudit(ctx.db, {
		at: ctx.now(),
		userId: actor.userId,
		organisationId: actor.organisationId,
		action: 'session.end',
		detail: { targetUserId: userId, sessionsEnded: ended },
		ip: meta.ip
	});
	return ended;
}

/**
 * Ends every session of the actor except the one making the request: after a second factor was
 * set up or removed, or when an unknown session shows up (ASVS 7.4.3, 7.5.2).
 */
export async function endOtherSessions(
	ctx: AppContext,
	actor: Actor,
	currentSessionId: string,
	meta: { ip: string | null }
): Promise<number> {
	const others = await ctx.db
		.selectFrom('sessions')
		.select('id')
		.where('user_id', '=', actor.userId)
		.where('id', '!=', currentSessionId)
		.execute();
	for (const s of others) await endSessionEverywhere(ctx, s.id);
	await recordAudit(ctx.db, {
		at: ctx.now(),
		userId: actor.userId,
		organisationId: actor.organisationId,
		action: 'session.end',
		detail: { targetUserId: actor.userId, sessionsEnded: others.length, others: true },
		ip: meta.ip
	});
	return others.length;
}
