import { fail, type RequestEvent } from '@sveltejs/kit';
import {
	NOTE_MAX,
	SCOPE_FILTERS,
	SCOPE_FILTER_LABELS,
	STATUS_FILTERS,
	STATUS_FILTER_LABELS,
	filterQuery,
	myActions,
	parseFilters,
	updateAction
} from '$lib/server/actions/service';
import { AppError } from '$lib/server/errors';
import { loadOrError, requestMeta, requireActor, toFormFailure } from '$lib/server/http';
import { ACTION_STATUS_LABELS, type ActionStatus } from '$lib/shared/documents';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const filters = parseFilters(event.url.searchParams);
	const list = await loadOrError(() => myActions(event.locals.ctx, actor, filters));
	return {
		...list,
		/** the filters as a query string, so that a form post without JavaScript keeps them */
		query: filterQuery(filters),
		statusOptions: STATUS_FILTERS.map((value) => ({ value, label: STATUS_FILTER_LABELS[value] })),
		scopeOptions: SCOPE_FILTERS.map((value) => ({ value, label: SCOPE_FILTER_LABELS[value] })),
		noteMax: NOTE_MAX
	};
};

type FormName = 'status' | 'note';
const GONE = 'Deze actie bestaat niet (meer) of u mag hem niet wijzigen.';

/** What was typed, as strings, to fill the row's form again. */
async function formValues(event: RequestEvent): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const [key, value] of await event.request.formData()) {
		if (typeof value === 'string') out[key] = value;
	}
	return out;
}

/**
 * Both forms name the action by case id and action id; the service authorizes before it reads
 * the input, so a refusal looks the same whatever was posted.
 */
async function change(event: RequestEvent, action: FormName) {
	const actor = requireActor(event);
	const values = await formValues(event);
	const caseId = /^[1-9][0-9]{0,15}$/.test(values.caseId ?? '') ? Number(values.caseId) : 0;
	const actionId = values.actionId ?? '';
	const input = action === 'status' ? { status: values.status ?? '' } : { note: values.note ?? '' };
	try {
		const result = await updateAction(event.locals.ctx, actor, caseId, actionId, input, requestMeta(event));
		const success =
			action === 'status'
				? `De status van “${result.text}” is nu ${ACTION_STATUS_LABELS[result.status as ActionStatus].toLowerCase()}.`
				: result.note
					? `De notitie bij “${result.text}” is opgeslagen.`
					: `De notitie bij “${result.text}” is weggehaald.`;
		return { action, actionId, caseId, success };
	} catch (e) {
		const failure = toFormFailure(e instanceof AppError && e.code === 'NOT_FOUND' ? new AppError('NOT_FOUND', GONE) : e, values);
		return fail(failure.status, { ...failure.data, action, actionId, caseId });
	}
}

export const actions: Actions = {
	status: (event) => change(event, 'status'),
	note: (event) => change(event, 'note')
};
