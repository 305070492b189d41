import { auditSearch, RESULT_LIMIT, SEARCH_MIN, searchCases } from '$lib/server/search/cases';
import { AppError } from '$lib/server/errors';
import { requestMeta, requireActor } from '$lib/server/http';
import { parseSearchText } from '$lib/server/search/text';
import type { PageServerLoad } from './$types';

/** Finding a case by code, title or (for those who may see names) the subject's name; each case shown is audited. */
export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const ctx = event.locals.ctx;
	const typed = event.url.searchParams.get('q') ?? '';
	const base = { typed, searchMin: SEARCH_MIN, resultLimit: RESULT_LIMIT };
	let search: string;
	try {
		search = parseSearchText(typed);
	} catch (e) {
		if (!(e instanceof AppError)) throw e;
		return { ...base, failure: { code: e.code, message: e.userMessage }, result: null };
	}
	const result = await searchCases(ctx, actor, search);
	if (result.tooShort) {
		return { ...base, failure: { code: 'INVALID_INPUT', message: `Typ minstens ${SEARCH_MIN} tekens.` }, result: null };
	}
	await auditSearch(ctx, actor, result, requestMeta(event));
	return { ...base, failure: null, result: search === '' ? null : result };
};
