import { describe, expect, it } from 'vitest';
import { describeRule, expandSeries } from './schedule';

describe('a series of meetings', () => {
	it('elke tweede dinsdag van de maand 9:30, across the start of summer time, with a holiday skipped', () => {
		// 2027-02-09 is the second Tuesday of February; summer time starts 2027-03-28
		const got = expandSeries(
			{ date: '2027-02-09', startTime: '09:30', endTime: '11:00' },
			{ repeat: 'monthly', interval: 1, count: 4, until: null, exceptions: ['2027-04-13'] }
		);
		expect(got.map((o) => o.date)).toEqual(['2027-02-09', '2027-03-09', '2027-05-11', '2027-06-08']);
		// 9:30 Dutch time: 8:30 UTC in winter, 7:30 UTC in summer
		expect(got.map((o) => o.startsAt.slice(11, 16))).toEqual(['08:30', '08:30', '07:30', '07:30']);
		expect(got[0]!.endsAt).toBe('2027-02-09T10:00:00.000Z');
		expect(describeRule('2027-02-09', 'monthly', 1)).toBe('elke tweede dinsdag van de maand');
	});
	it('om de twee weken op dinsdag until a date, across the end of summer time', () => {
		const got = expandSeries(
			{ date: '2027-10-12', startTime: '09:30', endTime: '10:30' },
			{ repeat: 'weekly', interval: 2, count: null, until: '2027-11-23', exceptions: [] }
		);
		expect(got.map((o) => o.date)).toEqual(['2027-10-12', '2027-10-26', '2027-11-09', '2027-11-23']);
		expect(got.map((o) => o.startsAt.slice(11, 16))).toEqual(['07:30', '07:30', '08:30', '08:30']);
		expect(describeRule('2027-10-12', 'weekly', 2)).toBe('om de 2 weken op dinsdag');
	});
	it('a fifth weekday of the month becomes the last one', () => {
		const got = expandSeries(
			{ date: '2027-03-30', startTime: '14:00', endTime: '15:00' },
			{ repeat: 'monthly', interval: 1, count: 3, until: null, exceptions: [] }
		);
		expect(got.map((o) => o.date)).toEqual(['2027-03-30', '2027-04-27', '2027-05-25']);
	});
});
