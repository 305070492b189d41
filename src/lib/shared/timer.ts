import type { TimerState } from './live';

/**
 * Milliseconds the timer shows for an item at `now`, for the server and the meeting page alike.
 * A module of its own (not in ./live) so that the page does not import live.ts's zod schemas:
 * zod would add about 23 KiB gzip to the meeting page (bench/page).
 */
export function timerElapsed(timer: TimerState, now: number): number {
	if (!timer.running || !timer.startedAt) return timer.elapsedMs;
	return timer.elapsedMs + Math.max(0, now - new Date(timer.startedAt).getTime());
}
