import { describe, expect, it } from 'vitest';
import type { TimerState } from './live';
import { timerElapsed } from './timer';

describe('the timer of an agenda item', () => {
	const start = '2026-11-29T09:00:00.000Z';
	const at = Date.parse(start);
	const cases: [TimerState, number][] = [
		[{ itemId: null, running: false, startedAt: null, elapsedMs: 0, extraMs: 0 }, at],
		[{ itemId: 'a', running: false, startedAt: null, elapsedMs: 61_000, extraMs: 0 }, at + 5000],
		[{ itemId: 'a', running: true, startedAt: start, elapsedMs: 0, extraMs: 0 }, at + 90_500],
		[{ itemId: 'a', running: true, startedAt: start, elapsedMs: 120_000, extraMs: 300_000 }, at + 1],
		// a client clock behind the server's start never counts backwards
		[{ itemId: 'a', running: true, startedAt: start, elapsedMs: 7000, extraMs: 0 }, at - 2000],
		[{ itemId: 'a', running: true, startedAt: null, elapsedMs: 7000, extraMs: 0 }, at + 2000]
	];
	it('shows the elapsed time of a paused timer as it was', () => {
		expect(timerElapsed(cases[0]![0], cases[0]![1])).toBe(0);
		expect(timerElapsed(cases[1]![0], cases[1]![1])).toBe(61_000);
		expect(timerElapsed(cases[5]![0], cases[5]![1])).toBe(7000);
	});
	it('counts from the running stretch, never backwards', () => {
		expect(timerElapsed(cases[2]![0], cases[2]![1])).toBe(90_500);
		expect(timerElapsed(cases[3]![0], cases[3]![1])).toBe(120_001);
		expect(timerElapsed(cases[4]![0], cases[4]![1])).toBe(7000);
	});
});
