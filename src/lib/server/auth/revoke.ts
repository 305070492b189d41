import type { AppContext } from '../context';
import { recordAudit } from '../audit/index';
import { authorize, type Actor } from '../policy/index';
import { invalidateSession, invalidateUserSessions } from './session';

/**
 * Ending a session or all of a user's sessions: deleted in the database (the next request is
 * anonymous) and every live socket.io and document connection they hold is closed at once.
 */
export async function endSessionEverywhere(ctx: AppContext, sessionId: string): Promise<void> {
	await invalidateSession(ctx.db, sessionId);
	ctx.realtime?.revokeSession(sessionId);
}

export async function endUserEverywhere(ctx: AppContext, userId: number): Promise<number> {
	const ended = await invalidateUserSessions(ctx.db, userId);
	ctx.realtime?.revokeUser(userId);
	return ended;
}

/**
 * A beheerder ends every session of every user at once (ASVS 7.4.5), e.g. after a suspected
 * leak: all rows deleted and every live and document connection closed, except the session
 * making the request, so the beheerder sees the result. Audited with the number ended.
 */
export async function endAllSessions(
	ctx: AppContext,
	actor: Actor,
	currentSessionId: string,
	meta: { ip: string | null }
): Promise<number> {
	await authorize(ctx.db, actor, 'admin.manage', { kind: 'region' });
	const result = await ctx.db.deleteFrom('sessions').where('id', '!=', currentSessionId).executeTakeFirst();
	const ended = Number(result.numDeletedRows);
	ctx.realtime?.revokeAll(currentSessionId);
	await recordAudit(ctx.db, {
		at: ctx.now(),
		userId: actor.userId,
		organisationId: actor.organisationId,
		action: 'session.end',
		detail: { allUsers: true, sessionsEnded: ended },
		ip: meta.ip
	});
	return ended;
}
