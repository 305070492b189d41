import type { AgendaItem } from './documents';

/**
 * Planning an agenda (issue 14 item 2): the general items a chair adds with one click, planned
 * minutes as typed, and the total and expected end of a meeting. Pure: browser and server.
 */

/** The general items a chair adds with one click, with their usual planned minutes. */
export const GENERAL_ITEMS = [
	{ title: 'Opening', minutes: 5 },
	{ title: 'Mededelingen', minutes: 10 },
	{ title: 'Rondvraag', minutes: 10 },
	{ title: 'Evaluatie', minutes: 5 }
] as const;
export const MAX_ITEM_TITLE = 120;
export const MIN_PLANNED_MINUTES = 1;
export const MAX_PLANNED_MINUTES = 240;

/**
 * Planned minutes as typed: a whole number from 1 to 240, or null with nothing sensible
 * ("", "abc", 0, 500). Decimals round to the nearest minute.
 */
export function parsePlannedMinutes(value: unknown): number | null {
	const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.trim().replace(',', '.')) : NaN;
	if (!Number.isFinite(n)) return null;
	const rounded = Math.round(n);
	return rounded >= MIN_PLANNED_MINUTES && rounded <= MAX_PLANNED_MINUTES ? rounded : null;
}

/** Whether an item takes time at this meeting: one held over (aangehouden, doorgeschoven) does not. */
export const countsInPlan = (item: Pick<AgendaItem, 'status' | 'carriedTo'>) => item.status !== 'aangehouden' && !item.carriedTo;

export interface AgendaTiming {
	/** the planned minutes of the items that count (countsInPlan) */
	totalMinutes: number;
	/** meeting start plus the total */
	expectedEnd: Date;
	/** the meeting's planned end, if it has one */
	plannedEnd: Date | null;
	/** minutes the expected end lies past the planned end; 0 when it fits or there is no end */
	overrunMinutes: number;
}

/** The total planned time of an agenda and when the meeting would end if it kept to it. */
export function agendaTiming(items: readonly Pick<AgendaItem, 'plannedMinutes' | 'status' | 'carriedTo'>[], startsAt: string, endsAt: string | null): AgendaTiming {
	const totalMinutes = items.filter(countsInPlan).reduce((sum, i) => sum + Math.max(0, i.plannedMinutes), 0);
	const start = new Date(startsAt).getTime();
	const expectedEnd = new Date(start + totalMinutes * 60_000);
	const plannedEnd = endsAt ? new Date(endsAt) : null;
	const valid = plannedEnd !== null && Number.isFinite(plannedEnd.getTime());
	const overrunMinutes = valid ? Math.max(0, Math.ceil((expectedEnd.getTime() - plannedEnd!.getTime()) / 60_000)) : 0;
	return { totalMinutes, expectedEnd, plannedEnd: valid ? plannedEnd : null, overrunMinutes };
}

/** "65 minuten", "1 minuut", "1 uur en 5 minuten", "2 uur" */
export function formatMinutes(total: number): string {
	const hours = Math.floor(total / 60);
	const minutes = total % 60;
	const m = (n: number) => (n === 1 ? '1 minuut' : `${n} minuten`);
	if (hours === 0) return m(minutes);
	return minutes === 0 ? `${hours} uur` : `${hours} uur en ${m(minutes)}`;
}
