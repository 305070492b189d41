import { invalidInput } from '../errors';

/** The longest search text accepted: enough for a code, a title or a name. */
export const SEARCH_MAX = 100;

/**
 * A search text from the query string: trimmed, inner whitespace made single; '' when absent.
 * Longer than SEARCH_MAX is INVALID_INPUT with a Dutch message on the field `q`.
 */
export function parseSearchText(raw: string | null): string {
	const text = (raw ?? '').replace(/\s+/g, ' ').trim();
	if (text.length > SEARCH_MAX) throw invalidInput({ q: `Zoek met hoogstens ${SEARCH_MAX} tekens.` }, `Zoek met hoogstens ${SEARCH_MAX} tekens.`);
	return text;
}

/** Lower case without accents, so "rene" finds "René" and "CASUS" finds "casus". */
export function foldText(text: string): string {
	return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('nl');
}

/** Whether every word of the search text occurs in one of the fields. */
export function matchesAll(search: string, fields: readonly (string | null | undefined)[]): boolean {
	const haystack = foldText(fields.filter((f): f is string => typeof f === 'string' && f !== '').join('\n'));
	return foldText(search)
		.split(' ')
		.filter((w) => w !== '')
		.every((word) => haystack.includes(word));
}
