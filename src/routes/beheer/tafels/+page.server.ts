import { z } from 'zod';
import { adminOverview, createTable } from '$lib/server/admin/service';
import { loadOrError, requestMeta } from '$lib/server/http';
import { failure, formValues, invalid, requireAdminActor } from '../beheer.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = await requireAdminActor(event);
	const { tables, tableTypes } = await loadOrError(() => adminOverview(event.locals.ctx, actor));
	return {
		tables: tables.map((t) => ({ ...t, memberCount: Number(t.memberCount ?? 0) })),
		tableTypes
	};
};

const prefixMessage = 'Gebruik 2 tot 6 hoofdletters of cijfers, zonder spaties, zoals T150.';

const CreateForm = z.object({
	name: z
		.string({ error: 'Vul de naam van de overlegtafel in.' })
		.trim()
		.min(2, 'Vul de naam van de overlegtafel in (minstens 2 tekens).')
		.max(120, 'Gebruik voor de naam hoogstens 120 tekens.'),
	tableTypeId: z.coerce.number({ error: 'Kies een soort overleg.' }).int().positive('Kies een soort overleg.'),
	codePrefix: z
		.string({ error: prefixMessage })
		.trim()
		.regex(/^[A-Z0-9]{2,6}$/, prefixMessage)
});

export const actions: Actions = {
	create: async (event) => {
		const actor = await requireAdminActor(event);
		const values = formValues(await event.request.formData());
		const parsed = CreateForm.safeParse(values);
		if (!parsed.success) return invalid('create', parsed.error.issues, values);
		let id: number;
		try {
			id = await createTable(event.locals.ctx, actor, parsed.data, requestMeta(event));
		} catch (e) {
			return failure('create', e, values);
		}
		return { action: 'create', success: `Overlegtafel ${parsed.data.name} is toegevoegd. Voeg nu de leden toe.`, tableId: id };
	}
};
