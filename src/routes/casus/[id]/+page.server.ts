import { z } from 'zod';
import { grantCaseAccess, viewCase, withdrawCaseAccess } from '$lib/server/cases/service';
import { fieldErrors, loadOrError, requestMeta, requireActor, toFormFailure } from '$lib/server/http';
import { parseId } from '$lib/server/ids';
import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const caseId = parseId(event.params.id);
	return loadOrError(() => viewCase(event.locals.ctx, actor, caseId, requestMeta(event)));
};

const AccessForm = z.object({
	organisationId: z.coerce.number({ error: 'Kies een organisatie.' }).int().positive('Kies een organisatie.')
});

export const actions: Actions = {
	grant: async (event) => {
		const actor = requireActor(event);
		const caseId = parseId(event.params.id);
		const form = Object.fromEntries(await event.request.formData());
		const parsed = AccessForm.safeParse(form);
		if (!parsed.success) {
			return fail(400, { code: 'INVALID_INPUT', message: 'Kies een organisatie.', fields: fieldErrors(parsed.error.issues), values: form });
		}
		try {
			await grantCaseAccess(event.locals.ctx, actor, caseId, parsed.data.organisationId, requestMeta(event));
		} catch (e) {
			return toFormFailure(e, form);
		}
		return { success: 'Toegang verleend.' };
	},
	withdraw: async (event) => {
		const actor = requireActor(event);
		const caseId = parseId(event.params.id);
		const form = Object.fromEntries(await event.request.formData());
		const parsed = AccessForm.safeParse(form);
		if (!parsed.success) {
			return fail(400, { code: 'INVALID_INPUT', message: 'Kies een organisatie.', fields: fieldErrors(parsed.error.issues), values: form });
		}
		try {
			await withdrawCaseAccess(event.locals.ctx, actor, caseId, parsed.data.organisationId, requestMeta(event));
		} catch (e) {
			return toFormFailure(e, form);
		}
		return { success: 'Toegang ingetrokken.' };
	}
};
