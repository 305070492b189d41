import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import rrulePkg from 'rrule';
import type { AppContext } from '../context';
import { recordAudit } from '../audit/index';
import { conflict, invalidInput, notFound } from '../errors';
import { authorize, type Actor } from '../policy/index';
import { amsterdamParts, amsterdamToUtc, isDay, TIME_PATTERN } from '../../shared/amsterdam';
import { notifyMeeting } from './invitations';

// rrule ships CommonJS next to its ESM build; the default import works under Node and Vite alike
const { RRule } = rrulePkg as unknown as typeof import('rrule');

/**
 * Planning the meetings of a table (issue 14 item 1): the voorzitter or secretaris creates one
 * meeting or a series, edits (moves) one, and cancels one with a reason. Every function asks
 * the policy ('meeting.schedule' on the table) first, so everyone else gets the same NOT_FOUND
 * as for a table that does not exist. Times are Dutch wall-clock times (Europe/Amsterdam);
 * the database keeps UTC instants. Every change is audited, raises the meeting's sequence (the
 * iCalendar SEQUENCE) and tells the table's members in the app and by e-mail with an invitation.
 */

/** At most this many meetings come from one series. */
export const MAX_SERIES = 52;

const DATE_MSG = 'Vul een bestaande datum in (dag-maand-jaar).';
const TIME_MSG = 'Vul een tijd in als 09:30.';
const LOCATION_MSG = 'Vul de plaats in (2 tot 120 tekens), bijvoorbeeld "Stadhuis, zaal 3".';
const URL_MSG = 'Vul een volledige link in die begint met https://, of laat het veld leeg.';
const REASON_MSG = 'Geef de reden van het afzeggen (3 tot 500 tekens); de leden zien hem op de tafelpagina.';

const day = z.string({ error: DATE_MSG }).trim().refine(isDay, DATE_MSG);
const time = z.string({ error: TIME_MSG }).trim().regex(TIME_PATTERN, TIME_MSG);
const onlineUrl = z
	.string()
	.trim()
	.max(500, 'De link mag hoogstens 500 tekens hebben.')
	.refine((v) => {
		if (v === '') return true;
		try {
			const u = new URL(v);
			return u.protocol === 'https:' && u.hostname.length > 0 && !u.username && !u.password;
		} catch {
			return false;
		}
	}, URL_MSG);

const MeetingFields = z.object({
	date: day,
	startTime: time,
	endTime: time,
	location: z.string({ error: LOCATION_MSG }).trim().min(2, LOCATION_MSG).max(120, LOCATION_MSG),
	onlineUrl
});

/** A list of dates, DD-MM-JJJJ or JJJJ-MM-DD, separated by commas, spaces or new lines. */
function parseDates(text: string): string[] | null {
	const out: string[] = [];
	for (const token of text.split(/[\s,;]+/).filter(Boolean)) {
		const dmy = /^(\d{1,2})-(\d{1,2})-(\d{4})$/.exec(token);
		const iso = dmy ? `${dmy[3]}-${dmy[2]!.padStart(2, '0')}-${dmy[1]!.padStart(2, '0')}` : token;
		if (!isDay(iso)) return null;
		out.push(iso);
	}
	return out;
}

const SeriesFields = z
	.object({
		repeat: z.enum(['none', 'weekly', 'monthly'], { error: 'Kies of het overleg zich herhaalt.' }),
		interval: z.coerce.number({ error: 'Kies om de hoeveel weken.' }).int().min(1, 'Kies om de hoeveel weken (1 tot 8).').max(8, 'Kies om de hoeveel weken (1 tot 8).'),
		ends: z.enum(['count', 'until'], { error: 'Kies of de reeks na een aantal keer of op een datum stopt.' }),
		count: z.string().trim(),
		until: z.string().trim(),
		exceptions: z.string().trim().max(2000, 'Noem hoogstens 2000 tekens aan uitzonderingen.')
	})
	.superRefine((v, ctx) => {
		if (v.repeat === 'none') return;
		if (v.ends === 'count') {
			const n = Number(v.count);
			if (!/^\d+$/.test(v.count) || n < 2 || n > MAX_SERIES) ctx.addIssue({ code: 'custom', path: ['count'], message: `Vul in hoe vaak: 2 tot ${MAX_SERIES} keer.` });
		} else if (!isDay(v.until)) {
			ctx.addIssue({ code: 'custom', path: ['until'], message: 'Vul de datum in waarop de reeks stopt.' });
		}
		if (parseDates(v.exceptions) === null) ctx.addIssue({ code: 'custom', path: ['exceptions'], message: 'Noem de overgeslagen datums als 26-05-2027, gescheiden door komma\'s.' });
	});

/** Form fields as typed; the service validates them. */
export type MeetingInput = Record<string, string>;

export interface Occurrence {
	/** UTC ISO instants */
	startsAt: string;
	endsAt: string;
	/** the Dutch date, YYYY-MM-DD */
	date: string;
}

const ORDINALS = ['eerste', 'tweede', 'derde', 'vierde', 'laatste'];
const WEEKDAYS = ['zondag', 'maandag', 'dinsdag', 'woensdag', 'donderdag', 'vrijdag', 'zaterdag'];

/** The rule in words: "elke tweede dinsdag van de maand", "om de 2 weken op dinsdag". */
export function describeRule(date: string, repeat: 'weekly' | 'monthly', interval: number): string {
	const [y, m, d] = date.split('-').map(Number) as [number, number, number];
	const weekday = WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()]!;
	if (repeat === 'weekly') return interval === 1 ? `elke ${weekday}` : `om de ${interval} weken op ${weekday}`;
	return `elke ${ORDINALS[nthOfMonth(d) - 1]} ${weekday} van de maand`;
}

/** 1..4 for the first to fourth weekday of the month; a fifth one is "the last" (5). */
const nthOfMonth = (dayOfMonth: number) => Math.min(5, Math.ceil(dayOfMonth / 7));

/**
 * The meetings of a series, in Dutch wall-clock time: the rule runs on "floating" times (the
 * wall-clock time written as if it were UTC), and each date is then placed in Amsterdam, so
 * 9:30 stays 9:30 across summer time. `count` is the number of meetings that take place: a
 * skipped date (an exception) does not count. Pure, for the tests.
 */
export function expandSeries(
	first: { date: string; startTime: string; endTime: string },
	rule: { repeat: 'weekly' | 'monthly'; interval: number; count: number | null; until: string | null; exceptions: string[] }
): Occurrence[] {
	const [y, m, d] = first.date.split('-').map(Number) as [number, number, number];
	const [h, mi] = first.startTime.split(':').map(Number) as [number, number];
	const dtstart = new Date(Date.UTC(y, m - 1, d, h, mi));
	const weekdays = [RRule.SU, RRule.MO, RRule.TU, RRule.WE, RRule.TH, RRule.FR, RRule.SA];
	const weekday = weekdays[dtstart.getUTCDay()]!;
	const nth = nthOfMonth(d);
	const skip = new Set(rule.exceptions);
	const until = rule.until ? new Date(`${rule.until}T23:59:59Z`) : null;
	const r = new RRule({
		freq: rule.repeat === 'weekly' ? RRule.WEEKLY : RRule.MONTHLY,
		interval: rule.repeat === 'weekly' ? rule.interval : 1,
		byweekday: rule.repeat === 'weekly' ? [weekday] : [weekday.nth(nth === 5 ? -1 : nth)],
		dtstart,
		// enough dates to skip the exceptions and still reach the count; the cap is checked after
		count: rule.count !== null ? rule.count + skip.size : MAX_SERIES + skip.size + 1,
		until
	});
	const out: Occurrence[] = [];
	for (const at of r.all()) {
		const date = at.toISOString().slice(0, 10);
		if (skip.has(date)) continue;
		if (rule.count !== null && out.length === rule.count) break;
		const start = amsterdamToUtc(date, first.startTime);
		const end = amsterdamToUtc(date, first.endTime);
		out.push({ date, startsAt: start.toISOString(), endsAt: end.toISOString() });
	}
	return out;
}

function validMeeting(raw: MeetingInput, message: string, today: string) {
	const parsed = MeetingFields.safeParse(raw);
	const fields: Record<string, string> = {};
	if (!parsed.success) {
		for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? 'form')] ??= issue.message;
		throw invalidInput(fields, message);
	}
	const v = parsed.data;
	if (v.endTime <= v.startTime) throw invalidInput({ endTime: 'De eindtijd moet na de begintijd liggen.' }, message);
	if (v.date < today) throw invalidInput({ date: 'Kies vandaag of een latere datum.' }, message);
	return v;
}

/** The meeting, if it belongs to the table; otherwise NOT_FOUND, as for one that does not exist. */
async function meetingOfTable(ctx: AppContext, tableId: number, meetingId: number) {
	const m = await ctx.db.selectFrom('meetings').selectAll().where('id', '=', meetingId).executeTakeFirst();
	if (!m || m.case_table_id !== tableId) throw notFound();
	return m;
}

function refuseUnlessPlanned(m: { status: string }) {
	if (m.status === 'afgezegd') throw conflict('Dit overleg is afgezegd; het kan niet meer worden gewijzigd.');
	if (m.status === 'geopend') throw conflict('Dit overleg loopt al; het kan niet meer worden verplaatst of afgezegd.');
	if (m.status !== 'gepland') throw conflict('Dit overleg is gesloten; het kan niet meer worden gewijzigd.');
}

const today = (ctx: AppContext) => amsterdamParts(ctx.now()).date;

/**
 * Plans one meeting, or a series of them (one row per meeting, sharing a series id). Returns
 * the new meetings' ids and, for a series, the rule in words.
 */
export async function scheduleMeetings(
	ctx: AppContext,
	actor: Actor,
	tableId: number,
	raw: MeetingInput,
	meta: { ip: string | null }
): Promise<{ meetingIds: number[]; rule: string | null }> {
	await authorize(ctx.db, actor, 'meeting.schedule', { kind: 'table', tableId });
	const message = 'Het overleg is niet gepland. Wat er mis is, staat bij het veld.';
	const v = validMeeting(raw, message, today(ctx));
	const parsedSeries = SeriesFields.safeParse(raw);
	if (!parsedSeries.success) {
		const fields: Record<string, string> = {};
		for (const issue of parsedSeries.error.issues) fields[String(issue.path[0] ?? 'form')] ??= issue.message;
		throw invalidInput(fields, message);
	}
	const s = parsedSeries.data;
	let occurrences: Occurrence[];
	let rule: string | null = null;
	if (s.repeat === 'none') {
		occurrences = [{ date: v.date, startsAt: amsterdamToUtc(v.date, v.startTime).toISOString(), endsAt: amsterdamToUtc(v.date, v.endTime).toISOString() }];
	} else {
		if (s.ends === 'until' && s.until <= v.date) throw invalidInput({ until: 'De einddatum moet na de eerste datum liggen.' }, message);
		const exceptions = parseDates(s.exceptions) ?? [];
		occurrences = expandSeries(v, {
			repeat: s.repeat,
			interval: s.interval,
			count: s.ends === 'count' ? Number(s.count) : null,
			until: s.ends === 'until' ? s.until : null,
			exceptions
		});
		if (occurrences.length > MAX_SERIES) throw invalidInput({ until: `Een reeks heeft hoogstens ${MAX_SERIES} overleggen; kies een eerdere einddatum.` }, message);
		// an exception must be a date the rule would have given, or it is a typing error
		const plain = expandSeries(v, { repeat: s.repeat, interval: s.interval, count: s.ends === 'count' ? Number(s.count) + exceptions.length : null, until: s.ends === 'until' ? s.until : null, exceptions: [] });
		const onRule = new Set(plain.map((o) => o.date));
		const notOnRule = exceptions.filter((x) => !onRule.has(x));
		if (notOnRule.length > 0) {
			throw invalidInput({ exceptions: `Deze datum valt niet in de reeks: ${notOnRule.map(dutchDate).join(', ')}.` }, message);
		}
		if (occurrences.length === 0) throw invalidInput({ exceptions: 'Zo blijft er geen overleg over.' }, message);
		rule = describeRule(v.date, s.repeat, s.interval);
	}
	const seriesId = occurrences.length > 1 ? randomUUID() : null;
	const now = ctx.now();
	const meetingIds = await ctx.db.transaction().execute(async (trx) => {
		const ids: number[] = [];
		for (const o of occurrences) {
			const row = await trx
				.insertInto('meetings')
				.values({
					case_table_id: tableId,
					starts_at: o.startsAt,
					ends_at: o.endsAt,
					location: v.location,
					online_url: v.onlineUrl || null,
					status: 'gepland',
					series_id: seriesId,
					sequence: 0,
					created_at: now.toISOString()
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			ids.push(row.id);
		}
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'meeting.schedule',
			meetingId: ids[0]!,
			detail: { tableId, meetingIds: ids, seriesId, rule },
			ip: meta.ip
		});
		return ids;
	});
	await notifyMeeting(ctx, { kind: 'meeting.invited', meetingIds, actorId: actor.userId });
	return { meetingIds, rule };
}

const dutchDate = (iso: string) => iso.split('-').reverse().join('-');

/** Changes (moves) one planned meeting; nothing changed, nothing sent. Returns whether it changed. */
export async function updateMeeting(
	ctx: AppContext,
	actor: Actor,
	tableId: number,
	meetingId: number,
	raw: MeetingInput,
	meta: { ip: string | null }
): Promise<boolean> {
	await authorize(ctx.db, actor, 'meeting.schedule', { kind: 'table', tableId });
	const m = await meetingOfTable(ctx, tableId, meetingId);
	refuseUnlessPlanned(m);
	const v = validMeeting(raw, 'Het overleg is niet gewijzigd. Wat er mis is, staat bij het veld.', today(ctx));
	const next = {
		starts_at: amsterdamToUtc(v.date, v.startTime).toISOString(),
		ends_at: amsterdamToUtc(v.date, v.endTime).toISOString(),
		location: v.location,
		online_url: v.onlineUrl || null
	};
	const before = { starts_at: m.starts_at, ends_at: m.ends_at, location: m.location, online_url: m.online_url };
	if (JSON.stringify(before) === JSON.stringify(next)) return false;
	const now = ctx.now();
	await ctx.db.transaction().execute(async (trx) => {
		const result = await trx
			.updateTable('meetings')
			.set({ ...next, sequence: m.sequence + 1 })
			.where('id', '=', meetingId)
			.where('status', '=', 'gepland')
			.where('sequence', '=', m.sequence)
			.executeTakeFirst();
		if (Number(result.numUpdatedRows) !== 1) throw conflict('Iemand anders heeft dit overleg net gewijzigd. Laad de pagina opnieuw.');
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'meeting.update',
			meetingId,
			detail: {
				moved: before.starts_at !== next.starts_at || before.ends_at !== next.ends_at,
				locationChanged: before.location !== next.location,
				onlineChanged: before.online_url !== next.online_url,
				sequence: m.sequence + 1
			},
			ip: meta.ip
		});
	});
	await notifyMeeting(ctx, { kind: 'meeting.changed', meetingIds: [meetingId], actorId: actor.userId });
	return true;
}

/** Cancels one planned meeting with a reason; it stays in the list as "Afgezegd". */
export async function cancelMeeting(
	ctx: AppContext,
	actor: Actor,
	tableId: number,
	meetingId: number,
	raw: { reason: string },
	meta: { ip: string | null }
): Promise<void> {
	await authorize(ctx.db, actor, 'meeting.schedule', { kind: 'table', tableId });
	const m = await meetingOfTable(ctx, tableId, meetingId);
	refuseUnlessPlanned(m);
	const parsed = z.object({ reason: z.string({ error: REASON_MSG }).trim().min(3, REASON_MSG).max(500, REASON_MSG) }).safeParse(raw);
	if (!parsed.success) throw invalidInput({ reason: parsed.error.issues[0]!.message }, 'Het overleg is niet afgezegd. Wat er mis is, staat bij het veld.');
	const now = ctx.now();
	await ctx.db.transaction().execute(async (trx) => {
		const result = await trx
			.updateTable('meetings')
			.set({ status: 'afgezegd', cancelled_at: now.toISOString(), cancel_reason: parsed.data.reason, sequence: m.sequence + 1 })
			.where('id', '=', meetingId)
			.where('status', '=', 'gepland')
			.executeTakeFirst();
		if (Number(result.numUpdatedRows) !== 1) throw conflict('Dit overleg is net gewijzigd. Laad de pagina opnieuw.');
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'meeting.cancel',
			meetingId,
			detail: { sequence: m.sequence + 1 },
			ip: meta.ip
		});
	});
	await notifyMeeting(ctx, { kind: 'meeting.cancelled', meetingIds: [meetingId], actorId: actor.userId });
}
