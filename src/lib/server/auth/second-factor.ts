import type { RequestEvent } from '@sveltejs/kit';
/** Reading the audit log needs a session that passed the second factor (filled in by the TOTP work). */
export async function requireSecondFactor(_event: RequestEvent): Promise<void> {}
