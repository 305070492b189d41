import { describe, expect, it } from 'vitest';
import { amsterdamParts, amsterdamToUtc, isDay } from './amsterdam';

describe('Dutch wall-clock time', () => {
	it('maps 9:30 to 8:30 UTC in winter and 7:30 UTC in summer, and back', () => {
		expect(amsterdamToUtc('2027-01-12', '09:30').toISOString()).toBe('2027-01-12T08:30:00.000Z');
		expect(amsterdamToUtc('2027-04-13', '09:30').toISOString()).toBe('2027-04-13T07:30:00.000Z');
		expect(amsterdamParts('2027-04-13T07:30:00.000Z')).toEqual({ date: '2027-04-13', time: '09:30' });
		expect(amsterdamParts('2027-01-12T08:30:00.000Z')).toEqual({ date: '2027-01-12', time: '09:30' });
	});
	it('handles the days of the change itself', () => {
		// summer time starts 2027-03-28 at 02:00 → 03:00; ends 2027-10-31 at 03:00 → 02:00
		expect(amsterdamToUtc('2027-03-28', '09:30').toISOString()).toBe('2027-03-28T07:30:00.000Z');
		expect(amsterdamToUtc('2027-03-28', '01:30').toISOString()).toBe('2027-03-28T00:30:00.000Z');
		expect(amsterdamToUtc('2027-10-31', '09:30').toISOString()).toBe('2027-10-31T08:30:00.000Z');
		expect(amsterdamToUtc('2027-10-30', '23:30').toISOString()).toBe('2027-10-30T21:30:00.000Z');
	});
	it('knows which days exist', () => {
		expect(isDay('2028-02-29')).toBe(true);
		expect(isDay('2027-02-29')).toBe(false);
		expect(isDay('2027-13-01')).toBe(false);
		expect(isDay('27-01-01')).toBe(false);
	});
});
