import type { AppContext } from '../context';
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
