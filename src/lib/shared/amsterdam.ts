/**
 * Wall-clock time in the Netherlands (Europe/Amsterdam) and the instants stored in the database
 * (UTC ISO strings). A meeting is planned as "dinsdag 9:30" in Dutch time; across the change to
 * or from summer time the UTC instant moves, the wall-clock time does not.
 */

const parts = new Intl.DateTimeFormat('en-GB', {
	timeZone: 'Europe/Amsterdam',
	year: 'numeric',
	month: '2-digit',
	day: '2-digit',
	hour: '2-digit',
	minute: '2-digit',
	second: '2-digit',
	hourCycle: 'h23'
});

/** The Dutch wall-clock date and time of an instant: { date: 'YYYY-MM-DD', time: 'HH:MM' }. */
export function amsterdamParts(at: Date | string): { date: string; time: string } {
	const d = typeof at === 'string' ? new Date(at) : at;
	const p = Object.fromEntries(parts.formatToParts(d).map((x) => [x.type, x.value]));
	return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

/** Minutes Amsterdam is ahead of UTC at an instant (60 in winter, 120 in summer). */
function offsetMinutes(ms: number): number {
	const p = Object.fromEntries(parts.formatToParts(new Date(ms)).map((x) => [x.type, Number(x.value)]));
	const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
	return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
export const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Whether 'YYYY-MM-DD' is a day that exists. */
export function isDay(date: string): boolean {
	if (!DATE_PATTERN.test(date)) return false;
	const [y, m, d] = date.split('-').map(Number) as [number, number, number];
	const t = new Date(Date.UTC(y, m - 1, d));
	return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/**
 * The instant of a Dutch wall-clock date and time. A time that does not exist (the hour skipped
 * when summer time starts) comes out an hour later, as a clock would show it.
 */
export function amsterdamToUtc(date: string, time: string): Date {
	const [y, m, d] = date.split('-').map(Number) as [number, number, number];
	const [h, mi] = time.split(':').map(Number) as [number, number];
	const wall = Date.UTC(y, m - 1, d, h, mi);
	let guess = wall - offsetMinutes(wall) * 60_000;
	// once more with the offset at the guess: right on both sides of a change
	guess = wall - offsetMinutes(guess) * 60_000;
	return new Date(guess);
}
