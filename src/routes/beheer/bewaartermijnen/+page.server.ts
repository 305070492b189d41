import { retentionOverview, setRequestRetention } from '$lib/server/retention/index';
import { loadOrError, requestMeta } from '$lib/server/http';
import { failure, formValues, requireAdminActor } from '../beheer.server';
import type { Actions, PageServerLoad } from './$types';

/** What the retention job will remove and when, and what it removed: codes and dates only. */
export const load: PageServerLoad = async (event) => {
	const actor = await requireAdminActor(event);
	const overview = await loadOrError(() => retentionOverview(event.locals.ctx, actor));
	return { overview };
};

export const actions: Actions = {
	/** The term for aanmeldingen that never became a case, per table type. */
	requestTerm: async (event) => {
		const actor = await requireAdminActor(event);
		const values = formValues(await event.request.formData());
		const typeId = Number(values.tableTypeId);
		const months = Number(values.months);
		try {
			await setRequestRetention(event.locals.ctx, actor, Number.isSafeInteger(typeId) ? typeId : 0, months, requestMeta(event));
		} catch (e) {
			return failure('requestTerm', e, values, 'Dit tafeltype bestaat niet (meer).');
		}
		return { action: 'requestTerm', tableTypeId: typeId, success: `De bewaartermijn voor aanmeldingen is ${months} ${months === 1 ? 'maand' : 'maanden'}.` };
	}
};
