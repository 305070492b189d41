import { z } from 'zod';
import { requireSecondFactor } from '$lib/server/auth/second-factor';
import { searchAuditLog, type AuditFilters } from '$lib/server/audit/search';
import { AUDIT_ACTION_LABELS } from '$lib/shared/audit';
import { requireAdminActor } from '../beheer.server';
import type { PageServerLoad } from './$types';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const Filters = z.object({
	gebruiker: z.string().trim().max(120, 'Zoek op hoogstens 120 tekens.').optional(),
	organisatie: z.coerce.number().int().positive('Kies een organisatie.').optional(),
	casus: z.string().trim().max(40, 'Een casuscode is hoogstens 40 tekens.').optional(),
	actie: z.enum(Object.keys(AUDIT_ACTION_LABELS) as [string, ...string[]], { error: 'Kies een handeling uit de lijst.' }).optional(),
	van: z.string().regex(DATE, 'Vul een datum in als jjjj-mm-dd.').optional(),
	tot: z.string().regex(DATE, 'Vul een datum in als jjjj-mm-dd.').optional(),
	pagina: z.coerce.number().int().positive().optional()
});

/**
 * The audit log (NEN 7513) for the beheerder: search by user, organisation, case code, action
 * and period, newest first, 50 a page. 404 for everyone else (as every beheer page); reading
 * the log also needs a session that passed the second factor.
 */
export const load: PageServerLoad = async (event) => {
	await requireAdminActor(event);
	await requireSecondFactor(event);
	const { ctx } = event.locals;

	const raw: Record<string, string> = {};
	for (const [key, value] of event.url.searchParams) if (value.trim() !== '') raw[key] = value;
	const parsed = Filters.safeParse(raw);
	const fields: Record<string, string> = {};
	let filters: AuditFilters = {};
	let page = 1;
	if (parsed.success) {
		const f = parsed.data;
		filters = { user: f.gebruiker, organisationId: f.organisatie, caseCode: f.casus, action: f.actie, from: f.van, to: f.tot };
		page = f.pagina ?? 1;
	} else {
		for (const issue of parsed.error.issues) fields[String(issue.path[0])] ??= issue.message;
	}
	const result = parsed.success ? await searchAuditLog(ctx.db, filters, page) : { rows: [], total: 0, page: 1, pages: 1 };
	const organisations = await ctx.db.selectFrom('organisations').select(['id', 'name']).orderBy('name').execute();
	return { ...result, values: raw, fields, organisations };
};
