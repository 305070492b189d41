import { describe, expect, it } from 'vitest';
import { addMonths, isCalendarDate, periodInWords, todayIn } from './lifecycle';

describe('calendar dates for the follow-up period', () => {
	it('adds whole months and clamps the day to the end of a shorter month', () => {
		expect(addMonths('2026-03-02', 36)).toBe('2029-03-02');
		expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
		expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
		expect(addMonths('2026-11-30', 3)).toBe('2027-02-28');
		expect(addMonths('2026-12-15', 24)).toBe('2028-12-15');
		expect(addMonths('2026-05-31', 6)).toBe('2026-11-30');
	});

	it('accepts only real dates written as YYYY-MM-DD', () => {
		expect(isCalendarDate('2026-09-30')).toBe(true);
		expect(isCalendarDate('2028-02-29')).toBe(true);
		for (const bad of ['2026-02-29', '2026-02-30', '2026-13-01', '30-09-2026', '2026-9-30', 'morgen', '', '2026-09-30T00:00']) {
			expect(isCalendarDate(bad), bad).toBe(false);
		}
	});

	it('takes today in the Netherlands, not in UTC', () => {
		// 23:30 UTC on 31 December is already New Year in Amsterdam
		expect(todayIn(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
		expect(todayIn(new Date('2026-07-01T21:59:00Z'))).toBe('2026-07-01');
		expect(todayIn(new Date('2026-07-01T22:00:00Z'))).toBe('2026-07-02');
	});

	it('says the period in plain Dutch', () => {
		expect(periodInWords(36)).toBe('drie jaar');
		expect(periodInWords(24)).toBe('twee jaar');
		expect(periodInWords(12)).toBe('één jaar');
		expect(periodInWords(6)).toBe('zes maanden');
		expect(periodInWords(1)).toBe('één maand');
		expect(periodInWords(18)).toBe('18 maanden');
	});
});
