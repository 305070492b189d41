import { retentionOverview, setRequestRetention } from '$lib/server/retention/index';
import { relapseMonths, setRelapseMonths } from '$lib/server/admin/region-settings';
import { loadOrError, requestMeta } from '$lib/server/http';
import { failure, formValues, requireAdminActor } from '../beheer.server';
import type { Actions, PageServerLoad } from './$types';

/** What the retention job will remove and when, and what it removed: codes and dates only. */
export const load: PageServerLoad = async (event) => {
	const actor = await requireAdminActor(event);
	const overview = await loadOrError(() => retentionOverview(event.locals.ctx, actor));
	return { overview, relapseMonths: await relapseMonths(event.locals.ctx.db) };
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
	},
	/** How far back a new aanmelding is compared with earlier cases (terugval), for the region. */
	relapse: async (event) => {
		const actor = await requireAdminActor(event);
		const values = formValues(await event.request.formData());
		const months = Number(values.months);
		try {
			await setRelapseMonths(event.locals.ctx, actor, months, requestMeta(event));
		} catch (e) {
			return failure('relapse', e, values, 'Deze instelling bestaat niet.');
		}
		return { action: 'relapse', success: `Een nieuwe aanmelding wordt nu vergeleken met casussen van de afgelopen ${months} ${months === 1 ? 'maand' : 'maanden'}.` };
	}
};
