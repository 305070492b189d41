import { invitableOrganisations, myRequests, submitRequest, submittableTables } from '$lib/server/requests/service';
import { requestMeta, requireActor } from '$lib/server/http';
import { failWith, positiveId, readRequestForm } from './request-form.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const ctx = event.locals.ctx;
	const [tables, mine, organisations] = await Promise.all([
		submittableTables(ctx, actor),
		myRequests(ctx, actor),
		invitableOrganisations(ctx)
	]);
	const preselect = positiveId(event.url.searchParams.get('tafel'));
	return {
		tables,
		mine,
		organisations: organisations.map((o) => ({ id: o.id, name: o.name })),
		ownOrganisationId: actor.organisationId,
		preselect: tables.some((t) => t.id === preselect && t.maySubmit) ? String(preselect) : ''
	};
};

export const actions: Actions = {
	default: async (event) => {
		const actor = requireActor(event);
		const values = readRequestForm(await event.request.formData());
		try {
			const result = await submitRequest(event.locals.ctx, actor, positiveId(values.tableId), values, requestMeta(event));
			return { success: true as const, requestId: result.requestId, relapse: result.relapse, tableId: values.tableId };
		} catch (e) {
			return failWith(e, values);
		}
	}
};
