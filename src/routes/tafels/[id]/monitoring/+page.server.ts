import { fail } from '@sveltejs/kit';
import {
	ACTION_COLUMNS,
	EVALUATION_MAX,
	SECTIONS,
	addEvaluation,
	currentPeriod,
	figureList,
	listEvaluations,
	tableFigures
} from '$lib/server/monitoring/index';
import { loadOrError, requestMeta, requireActor, toFormFailure } from '$lib/server/http';
import { parseId } from '$lib/server/ids';
import type { Actions, PageServerLoad } from './$types';

/** Monitoring of one table, for its voorzitter and secretaris: counts, charts, CSV, evaluations. */
export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const tableId = parseId(event.params.id);
	const ctx = event.locals.ctx;
	return loadOrError(async () => {
		const figures = await tableFigures(ctx, actor, tableId);
		return {
			figures,
			list: figureList(figures),
			evaluations: await listEvaluations(ctx, actor, tableId),
			period: currentPeriod(ctx.now()),
			evaluationMax: EVALUATION_MAX,
			sections: SECTIONS,
			actionColumns: ACTION_COLUMNS
		};
	});
};

export const actions: Actions = {
	evaluate: async (event) => {
		const actor = requireActor(event);
		const tableId = parseId(event.params.id);
		const data = await event.request.formData();
		const values = { period: String(data.get('period') ?? ''), text: String(data.get('text') ?? '') };
		try {
			await addEvaluation(event.locals.ctx, actor, tableId, values, requestMeta(event));
		} catch (e) {
			const f = toFormFailure(e, values);
			return fail(f.status, { ...f.data, values });
		}
		return { success: 'De evaluatie is opgeslagen.' };
	}
};
