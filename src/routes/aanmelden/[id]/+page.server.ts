import { invitableOrganisations, requestDetail, updateRequest, withdrawRequest } from '$lib/server/requests/service';
import { loadOrError, requestMeta, requireActor } from '$lib/server/http';
import { parseId } from '$lib/server/ids';
import { failWith, readRequestForm } from '../request-form.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const requestId = parseId(event.params.id);
	const ctx = event.locals.ctx;
	const detail = await loadOrError(() => requestDetail(ctx, actor, requestId));
	const organisations = detail.canUpdate ? await invitableOrganisations(ctx) : [];
	return {
		...detail,
		organisations: organisations.map((o) => ({ id: o.id, name: o.name })),
		ownOrganisationId: actor.organisationId
	};
};

export const actions: Actions = {
	update: async (event) => {
		const actor = requireActor(event);
		const requestId = parseId(event.params.id);
		const values = readRequestForm(await event.request.formData());
		try {
			const result = await updateRequest(event.locals.ctx, actor, requestId, values, requestMeta(event));
			return { action: 'update' as const, success: 'Uw aanvulling is verstuurd. Het verzoek staat weer klaar voor de tafel.', relapse: result.relapse };
		} catch (e) {
			return failWith(e, values, 'update');
		}
	},
	withdraw: async (event) => {
		const actor = requireActor(event);
		const requestId = parseId(event.params.id);
		try {
			await withdrawRequest(event.locals.ctx, actor, requestId, requestMeta(event));
			return { action: 'withdraw' as const, success: 'Uw verzoek is ingetrokken.', relapse: false };
		} catch (e) {
			return failWith(e, {}, 'withdraw');
		}
	}
};
