import { getTableType, updateTableType } from '$lib/server/admin/table-types';
import { loadOrError, requestMeta } from '$lib/server/http';
import { parseId } from '$lib/server/ids';
import { requireAdminActor } from '../../beheer.server';
import { readTableTypeForm, tableTypeFailure } from '../form.server';
import { FIELD_LABELS, toFormValues } from '../labels';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = await requireAdminActor(event);
	const id = parseId(event.params.id);
	const { type, tables } = await loadOrError(() => getTableType(event.locals.ctx, actor, id));
	return { type, tables, values: toFormValues(type) };
};

export const actions: Actions = {
	default: async (event) => {
		const actor = await requireAdminActor(event);
		const id = parseId(event.params.id);
		const values = readTableTypeForm(await event.request.formData());
		let changed;
		try {
			({ changed } = await updateTableType(event.locals.ctx, actor, id, values, requestMeta(event)));
		} catch (e) {
			return tableTypeFailure(e, values);
		}
		const names = changed.map((f) => FIELD_LABELS[f].toLowerCase());
		return {
			success:
				changed.length === 0
					? 'Er was niets gewijzigd, dus er is niets opgeslagen.'
					: `De wijzigingen zijn opgeslagen (${names.join(', ')}). Ze gelden meteen voor de overlegtafels van dit type.`,
			changed
		};
	}
};
