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

/** "maandag 30 november 09:30" */
export const formatDateTime = (iso: string) => dateTime().format(new Date(iso));
/** "30 november 2026" */
export const formatDate = (iso: string) => dateOnly().format(new Date(iso));
/** "30 nov 2026 09:30" */
export const formatShort = (iso: string) => short().format(new Date(iso));

const deadline = lazy('nl-NL', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
/** "2026-12-15" → "15 dec 2026"; a calendar date, so no time zone shifts it. */
export function formatDeadline(isoDate: string): string {
	const d = new Date(`${isoDate}T00:00:00Z`);
	return Number.isNaN(d.getTime()) ? isoDate : deadline().format(d);
}

const dayInNl = lazy('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' });
/** The calendar date in the Netherlands at `at`, as YYYY-MM-DD: what "today" means for deadlines. */
export const dateInNetherlands = (at: Date): string => dayInNl().format(at);
