import { describe, expect, it } from 'vitest';
import { formatDeadline, isCalendarDate, validDeadline } from './format';

describe('calendar dates from a document', () => {
	it('accepts dates that exist, leap days included', () => {
		for (const d of ['2026-12-03', '2028-02-29', '2000-02-29', '2026-01-31', '9999-12-31']) expect(isCalendarDate(d), d).toBe(true);
	});

	it('refuses what Date would roll over or cannot read, and anything not YYYY-MM-DD', () => {
		for (const d of ['2026-99-99', '2026-02-31', '2026-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-12-00', '2026-1-5', '2026-12-03T00:00', ' 2026-12-03', '2026-12-03\r\n', '', null, 20261203]) {
			expect(isCalendarDate(d), String(d)).toBe(false);
		}
	});

	it('a deadline that is no date is no deadline; one that is, is shown in Dutch', () => {
		expect(validDeadline('2026-02-31')).toBe('');
		expect(validDeadline(undefined)).toBe('');
		expect(validDeadline('2026-12-15')).toBe('2026-12-15');
		expect(formatDeadline('2026-12-15')).toBe('15 dec 2026');
		// as written, not as the day Date would make of it (3 March)
		expect(formatDeadline('2026-02-31')).toBe('2026-02-31');
	});
});
