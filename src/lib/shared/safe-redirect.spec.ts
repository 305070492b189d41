import { describe, expect, it } from 'vitest';
import { safeReturnPath } from './safe-redirect';

describe('safeReturnPath', () => {
	it('keeps a path on this site with its query', () => {
		expect(safeReturnPath('/casus/12?tab=acties')).toBe('/casus/12?tab=acties');
	});

	it.each([
		['//evil.example'],
		['/\\evil.example'],
		['/\t/evil.example'],
		['/\n/evil.example'],
		['https://evil.example/'],
		['javascript:alert(1)'],
		[''],
		[null]
	])('sends %j to the home page instead of another site', (value) => {
		expect(safeReturnPath(value)).toBe('/');
	});
});
