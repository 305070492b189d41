import { describe, expect, it } from 'vitest';
import { AppError } from '../errors';
import { SEARCH_MAX, foldText, matchesAll, parseSearchText } from './text';

describe('search text', () => {
	it('is trimmed and its inner whitespace made single; absent is empty', () => {
		expect(parseSearchText('  T150   2026 ')).toBe('T150 2026');
		expect(parseSearchText(null)).toBe('');
	});

	it('refuses more than the maximum with a Dutch message on the field', () => {
		expect(() => parseSearchText('x'.repeat(SEARCH_MAX + 1))).toThrow(AppError);
		try {
			parseSearchText('x'.repeat(SEARCH_MAX + 1));
		} catch (e) {
			expect((e as AppError).code).toBe('INVALID_INPUT');
			expect((e as AppError).fields.q).toBe(`Zoek met hoogstens ${SEARCH_MAX} tekens.`);
		}
		expect(parseSearchText('x'.repeat(SEARCH_MAX))).toHaveLength(SEARCH_MAX);
	});

	it('matches without case or accents, every word somewhere in the fields', () => {
		expect(foldText('René ÇA')).toBe('rene ca');
		expect(matchesAll('rene schuld', ['René', 'herhaalde inbraken en schulden'])).toBe(true);
		expect(matchesAll('rene politie', ['René', 'schulden'])).toBe(false);
		expect(matchesAll('t150-2026-014', ['T150-2026-014', null])).toBe(true);
	});
});
