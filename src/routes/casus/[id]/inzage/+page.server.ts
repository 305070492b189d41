import { requireSecondFactor } from '$lib/server/auth/second-factor';
import { caseAuditOverview } from '$lib/server/audit/search';
import { loadOrError, requireActor } from '$lib/server/http';
import { parseId } from '$lib/server/ids';
import type { PageServerLoad } from './$types';

/**
 * "Wie heeft dit dossier ingezien": the case's audit trail for the chair and secretaris of its
 * table and for the beheerder; 404 for everyone else. Needs the second factor like the log.
 */
export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const caseId = parseId(event.params.id);
	const overview = await loadOrError(() => caseAuditOverview(event.locals.ctx.db, actor, caseId));
	await requireSecondFactor(event);
	return { ...overview, isAdmin: actor.isAdmin };
};
