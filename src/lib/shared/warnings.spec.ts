import { describe, expect, it } from 'vitest';
import { deadlineInPast, plannedOnOtherDay } from './warnings';

describe('warnings before going on', () => {
	// 1 December 2026, 23:30 in Amsterdam (22:30 UTC)
	const lateEvening = new Date('2026-12-01T22:30:00Z');

	it('A deadline before today in the Netherlands is in the past; today, a later day, no date or a date that does not exist is not.', () => {
		expect(deadlineInPast('2026-11-30', lateEvening)).toBe(true);
		expect(deadlineInPast('2026-12-01', lateEvening)).toBe(false);
		expect(deadlineInPast('2026-12-02', lateEvening)).toBe(false);
		expect(deadlineInPast('', lateEvening)).toBe(false);
		expect(deadlineInPast('2026-02-31', lateEvening)).toBe(false);
	});

	it('Today is the Dutch day: just after midnight in Amsterdam it is already the next day, while UTC is still on the day before.', () => {
		const justAfterMidnight = new Date('2026-12-01T23:15:00Z');
		expect(deadlineInPast('2026-12-01', justAfterMidnight)).toBe(true);
	});

	it('A meeting opened on the Dutch day it was planned for gets no warning; on the day before or after it does.', () => {
		const startsAt = '2026-12-01T08:30:00.000Z'; // 09:30 in Amsterdam
		expect(plannedOnOtherDay(startsAt, lateEvening)).toBe(false);
		expect(plannedOnOtherDay(startsAt, new Date('2026-11-30T12:00:00Z'))).toBe(true);
		expect(plannedOnOtherDay(startsAt, new Date('2026-12-01T23:15:00Z'))).toBe(true);
	});
});
