/**
 * Formatters are made on first use: building an Intl.DateTimeFormat costs a few milliseconds,
 * and at module load that was 22–45 ms of every cold meeting page load (bench/page --profile).
 */
function lazy(locale: string, options: Intl.DateTimeFormatOptions): () => Intl.DateTimeFormat {
	let made: Intl.DateTimeFormat | undefined;
	return () => (made ??= new Intl.DateTimeFormat(locale, options));
}

const dateTime = lazy('nl-NL', {
	weekday: 'long',
	day: 'numeric',
	month: 'long',
	hour: '2-digit',
	minute: '2-digit',
	timeZone: 'Europe/Amsterdam'
});
const dateOnly = lazy('nl-NL', {
	day: 'numeric',
	month: 'long',
	year: 'numeric',
	timeZone: 'Europe/Amsterdam'
});
const short = lazy('nl-NL', {
	day: 'numeric',
	month: 'short',
	year: 'numeric',
	hour: '2-digit',
	minute: '2-digit',
	timeZone: 'Europe/Amsterdam'
});
const timeOnly = lazy('nl-NL', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Amsterdam' });

const dateTimeYear = lazy('nl-NL', {
	weekday: 'long',
	day: 'numeric',
	month: 'long',
	year: 'numeric',
	hour: '2-digit',
	minute: '2-digit',
	timeZone: 'Europe/Amsterdam'
});

/** "dinsdag 14 september 2027 om 09:30": with the year, for a date that may be a year away */
export const formatDateTimeYear = (iso: string) => dateTimeYear().format(new Date(iso));

/** "maandag 30 november 09:30" */
export const formatDateTime = (iso: string) => dateTime().format(new Date(iso));
/** "30 november 2026" */
export const formatDate = (iso: string) => dateOnly().format(new Date(iso));
/** "09:30", in Amsterdam */
export const formatClock = (at: string | Date) => timeOnly().format(typeof at === 'string' ? new Date(at) : at);
/** "30 nov 2026 09:30" */
export const formatShort = (iso: string) => short().format(new Date(iso));

/**
 * Whether `value` is a date that exists, written YYYY-MM-DD ("2028-02-29" yes, "2026-02-31" and
 * "2026-99-99" no). Deadlines come from the case documents, where any writer can put any string;
 * `Date` rolls "2026-02-31" over into March and gives an invalid date for "2026-99-99", which
 * makes calendar and date libraries throw.
 */
export function isCalendarDate(value: unknown): boolean {
	if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
	const d = new Date(`${value}T00:00:00Z`);
	return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** A deadline as the server uses it: a date that exists, or '' ("no deadline") for anything else. */
export const validDeadline = (value: unknown): string => (typeof value === 'string' && isCalendarDate(value) ? value : '');

const deadline = lazy('nl-NL', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
/** "2026-12-15" → "15 dec 2026"; a calendar date, so no time zone shifts it. A date that does not exist is shown as written. */
export function formatDeadline(isoDate: string): string {
	return isCalendarDate(isoDate) ? deadline().format(new Date(`${isoDate}T00:00:00Z`)) : isoDate;
}

const dayInNl = lazy('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' });
/** The calendar date in the Netherlands at `at`, as YYYY-MM-DD: what "today" means for deadlines. */
export const dateInNetherlands = (at: Date): string => dayInNl().format(at);
