import { describe, expect, it } from 'vitest';
import { timerElapsed as serverElapsed, type TimerState } from '$lib/shared/live';
import { timerElapsed } from './timer';

describe('timerElapsed in the browser', () => {
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
	it('shows what the server computes, running or paused', () => {
		for (const [timer, now] of cases) expect(timerElapsed(timer, now)).toBe(serverElapsed(timer, now));
	});
	it('counts from the running stretch', () => {
		expect(timerElapsed(cases[2]![0], cases[2]![1])).toBe(90_500);
		expect(timerElapsed(cases[4]![0], cases[4]![1])).toBe(7000);
	});
});
