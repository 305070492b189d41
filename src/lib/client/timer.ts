import type { TimerState } from '$lib/shared/live';

/**
 * Milliseconds the timer shows for an item at `now`: the same as `timerElapsed` in
 * $lib/shared/live, which the server uses. It is repeated here because importing anything but
 * types from $lib/shared/live brings that module's zod schemas (the server's validation of the
 * chair's commands) into the meeting page's JavaScript; timer.spec.ts checks both agree.
 */
export function timerElapsed(timer: TimerState, now: number): number {
	if (!timer.running || !timer.startedAt) return timer.elapsedMs;
	return timer.elapsedMs + Math.max(0, now - new Date(timer.startedAt).getTime());
}
