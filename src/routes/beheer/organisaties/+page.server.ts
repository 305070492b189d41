import { z } from 'zod';
import { adminOverview, createOrganisation } from '$lib/server/admin/service';
import { loadOrError, requestMeta } from '$lib/server/http';
import { ORGANISATION_TYPES } from '$lib/shared/roles';
import { failure, formValues, invalid, requireAdminActor } from '../beheer.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = await requireAdminActor(event);
	const { organisations } = await loadOrError(() => adminOverview(event.locals.ctx, actor));
	return { organisations: organisations.map((o) => ({ ...o, userCount: Number(o.userCount ?? 0) })) };
};

const CreateForm = z.object({
	name: z
		.string({ error: 'Vul de naam van de organisatie in.' })
		.trim()
		.min(2, 'Vul de naam van de organisatie in (minstens 2 tekens).')
		.max(120, 'Gebruik voor de naam hoogstens 120 tekens.'),
	type: z.enum(ORGANISATION_TYPES, { error: 'Kies het soort organisatie.' })
});

export const actions: Actions = {
	create: async (event) => {
		const actor = await requireAdminActor(event);
		const data = await event.request.formData();
		const values = formValues(data);
		const parsed = CreateForm.safeParse(values);
		if (!parsed.success) return invalid('create', parsed.error.issues, values);
		try {
			await createOrganisation(event.locals.ctx, actor, parsed.data, requestMeta(event));
		} catch (e) {
			return failure('create', e, values);
		}
		return { action: 'create', success: `Organisatie ${parsed.data.name} is toegevoegd.` };
	}
};
