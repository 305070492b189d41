import { describe, expect, it } from 'vitest';
import { safeReturnPath } from './safe-redirect';

/** Every way we know of to make a "path" leave the site once a browser has read it. */
const EVIL_RETURN_PATHS = [
	'//evil.example',
	'/\\evil.example',
	'/\t/evil.example',
	'/\n/evil.example',
	'/\r\n/evil.example',
	'/\u0000/evil.example',
	'https://evil.example/',
	'javascript:alert(1)',
	'/..//evil.example',
	'/../..//evil.example',
	'/./evil.example/..//evil.example',
	'/x/..//evil.example',
	'/%2e%2e//evil.example',
	'/%2F/evil.example',
	'/%2f%2fevil.example',
	'/%5cevil.example',
	'/%5C%5Cevil.example',
	'/%252f%252fevil.example',
	'/%25252f%25252fevil.example',
	'/%2e%2e%2f%2fevil.example',
	'/%09/evil.example',
	'/%0d%0a/evil.example',
	'/\u2028/evil.example',
	'/%E0%A4%A',
	'///evil.example',
	'evil.example',
	'',
	null
];

describe('safeReturnPath', () => {
	it('keeps a path on this site with its query', () => {
		expect(safeReturnPath('/casus/12?tab=acties')).toBe('/casus/12?tab=acties');
		expect(safeReturnPath('/beheer/audit?gebruiker=a%2Fb&actie=login.failure')).toBe('/beheer/audit?gebruiker=a%2Fb&actie=login.failure');
		expect(safeReturnPath('/acties?zoek=50%25')).toBe('/acties?zoek=50%25');
		expect(safeReturnPath('/')).toBe('/');
	});

	it.each(EVIL_RETURN_PATHS.map((v) => [v]))('sends %j to the home page instead of another site', (value) => {
		expect(safeReturnPath(value)).toBe('/');
	});
});
