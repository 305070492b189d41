import { describe, expect, it } from 'vitest';
import { closedCountLine, itemOutcome } from './outcome';

describe('itemOutcome', () => {
	it('calls an item that was rounded off besproken en afgerond', () => {
		expect(itemOutcome({ status: 'gepland', closed: true, discussed: true, meetingClosed: true })).toBe('afgerond');
	});
	it('calls a discussed item that was not rounded off besproken, never gepland', () => {
		expect(itemOutcome({ status: 'gepland', closed: false, discussed: true, meetingClosed: true })).toBe('besproken');
	});
	it('calls an item nobody reached niet besproken once the meeting is closed, gepland before', () => {
		expect(itemOutcome({ status: 'gepland', closed: false, discussed: false, meetingClosed: true })).toBe('niet-besproken');
		expect(itemOutcome({ status: 'gepland', closed: false, discussed: false, meetingClosed: false })).toBe('gepland');
	});
	it('keeps an aangehouden item aangehouden', () => {
		expect(itemOutcome({ status: 'aangehouden', closed: false, discussed: true, meetingClosed: true })).toBe('aangehouden');
	});
});

describe('closedCountLine', () => {
	it('says is for one and zijn for more', () => {
		expect(closedCountLine(1, 3)).toBe('1 van de 3 agendapunten is afgerond.');
		expect(closedCountLine(2, 3)).toBe('2 van de 3 agendapunten zijn afgerond.');
		expect(closedCountLine(0, 3)).toBe('0 van de 3 agendapunten zijn afgerond.');
		expect(closedCountLine(1, 1)).toBe('Het agendapunt is afgerond.');
	});
});
