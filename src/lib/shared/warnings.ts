import { amsterdamParts } from './amsterdam';
import { dateInNetherlands, isCalendarDate } from './format';

/**
 * Warnings that do not refuse anything: the user may go on, but is told first. Pure, so the
 * page asks them with the browser's clock and the specs with a fixed one.
 */

/** Whether a deadline typed for an action lies before today in the Netherlands. */
export function deadlineInPast(deadline: string, now: Date): boolean {
	return isCalendarDate(deadline) && deadline < dateInNetherlands(now);
}

/** Whether a meeting is opened on another Dutch calendar day than it was planned for. */
export function plannedOnOtherDay(startsAt: string, now: Date): boolean {
	return amsterdamParts(startsAt).date !== dateInNetherlands(now);
}
