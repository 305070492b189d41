import { randomBytes } from 'node:crypto';
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase64urlNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import ical, { escape as icalEscape, ICalCalendarMethod, ICalEventStatus, ICalEventTransparency, type ICalEventData } from 'ical-generator';
import type { AppContext } from '../context';
import type { Executor } from '../db/index';
import { recordAudit } from '../audit/index';
import { can, casesUserMayHold, type Actor } from '../policy/index';
import { ACTION_ID } from '../projection/index';
import { isCalendarDate } from '../../shared/format';

/**
 * A personal calendar feed (issue 5 item 4) behind a secret URL: my action deadlines, the
 * review dates of the cases I am regisseur of, and the meetings of my tables.
 *
 * Calendars sync to phones and to other companies' services, so an event carries only what a
 * lock screen may show: "Actie-deadline T150-2026-014", "Tussentijds toetsen MDA-2026-001",
 * the table's name, the meeting's place, and a link into Casustafel. Never an action's text,
 * a person's name or anything else of the case.
 *
 * The secret is the credential: 32 random bytes, base64url, shown to the user once. Only its
 * SHA-256 is stored, as with session tokens. One active feed per user: a new one revokes the old.
 */

/** How far back the feed reaches for meetings, so last month's meeting stays in the calendar. */
const PAST_DAYS = 90;
/** A meeting without an end time (planned before migration 0015) lasts this long in the calendar. */
const MEETING_MINUTES = 120;

export function newFeedToken(): string {
	return encodeBase64urlNoPadding(randomBytes(32));
}

export function feedTokenHash(token: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** A token as it can appear in a URL: 43 base64url characters, optionally with ".ics". */
export function parseFeedToken(raw: string): string | null {
	const token = raw.endsWith('.ics') ? raw.slice(0, -4) : raw;
	return /^[A-Za-z0-9_-]{43}$/.test(token) ? token : null;
}

export interface FeedStatus {
	active: boolean;
	createdAt: string | null;
}

/** Whether the actor has an active feed, and since when. */
export async function myFeed(ctx: AppContext, actor: Actor): Promise<FeedStatus> {
	const row = await ctx.db
		.selectFrom('calendar_feeds')
		.select('created_at')
		.where('user_id', '=', actor.userId)
		.where('revoked_at', 'is', null)
		.orderBy('id', 'desc')
		.executeTakeFirst();
	return { active: row !== undefined, createdAt: row?.created_at ?? null };
}

/** Revokes every active feed of the user inside `trx`; returns how many there were. */
async function revokeActive(trx: Executor, userId: number, at: string): Promise<number> {
	const result = await trx
		.updateTable('calendar_feeds')
		.set({ revoked_at: at })
		.where('user_id', '=', userId)
		.where('revoked_at', 'is', null)
		.executeTakeFirst();
	return Number(result.numUpdatedRows);
}

/**
 * Creates the actor's feed and returns its secret token, the only time it exists outside the
 * user's calendar app. An earlier feed stops working at once.
 */
export async function createFeed(ctx: AppContext, actor: Actor, meta: { ip: string | null }): Promise<string> {
	const token = newFeedToken();
	const now = ctx.now();
	await ctx.db.transaction().execute(async (trx) => {
		const revoked = await revokeActive(trx, actor.userId, now.toISOString());
		const row = await trx
			.insertInto('calendar_feeds')
			.values({ user_id: actor.userId, token_hash: feedTokenHash(token), created_at: now.toISOString() })
			.returning('id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'calendar.feed.create',
			detail: { feedId: row.id, replaced: revoked },
			ip: meta.ip
		});
	});
	return token;
}

/** Revokes the actor's feed; true when there was one. */
export async function revokeFeed(ctx: AppContext, actor: Actor, meta: { ip: string | null }): Promise<boolean> {
	const now = ctx.now();
	return ctx.db.transaction().execute(async (trx) => {
		const revoked = await revokeActive(trx, actor.userId, now.toISOString());
		if (revoked === 0) return false;
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'calendar.feed.revoke',
			detail: { revoked },
			ip: meta.ip
		});
		return true;
	});
}

export interface FeedEvent {
	uid: string;
	summary: string;
	/** all-day: YYYY-MM-DD; timed: ISO start */
	start: string;
	allDay: boolean;
	location?: string;
	/** path inside Casustafel */
	path: string;
	/** timed events: the ISO end, when known */
	end?: string;
	/** a cancelled meeting stays in the feed as cancelled, so calendar apps remove or strike it */
	cancelled?: boolean;
	/** iCalendar SEQUENCE: raised on every change of a meeting */
	sequence?: number;
}

/** What goes into a user's feed, already stripped to codes, table names and places. */
export async function feedEvents(ctx: AppContext, actor: Actor): Promise<FeedEvent[]> {
	const { db } = ctx;
	const events: FeedEvent[] = [];

	// my action deadlines, while the policy's actiehouder rule allows me to hold them
	const held = await db
		.selectFrom('action_rows')
		.innerJoin('cases', 'cases.id', 'action_rows.case_id')
		.select(['action_rows.case_id', 'action_rows.action_id', 'action_rows.deadline', 'cases.code'])
		.where('action_rows.actiehouder_id', '=', actor.userId)
		.where('action_rows.status', 'in', ['open', 'bezig'])
		.where('action_rows.deadline', '!=', '')
		.orderBy('action_rows.deadline')
		.execute();
	const mayHold = await casesUserMayHold(db, actor.userId, [...new Set(held.map((a) => a.case_id))]);
	const actions = held.filter((a) => mayHold.has(a.case_id));
	for (const a of actions) {
		// the projection stores only dates that exist; a row from anywhere else is left out
		if (!isCalendarDate(a.deadline)) continue;
		// the projection only stores ids Casustafel made; a row from anywhere else is left out
		if (!ACTION_ID.test(a.action_id) || !Number.isSafeInteger(a.case_id)) continue;
		events.push({
			uid: `actie-${a.case_id}-${a.action_id}`,
			summary: `Actie-deadline ${a.code}`,
			start: a.deadline,
			allDay: true,
			path: '/acties'
		});
	}

	// review dates of the cases I am regisseur of (and may still see)
	const reviews = await db
		.selectFrom('regie_assignments')
		.innerJoin('cases', 'cases.id', 'regie_assignments.case_id')
		.select(['cases.id', 'cases.code', 'cases.review_date'])
		.distinct()
		.where('regie_assignments.user_id', '=', actor.userId)
		.where('regie_assignments.ended_at', 'is', null)
		.where('cases.review_date', 'is not', null)
		.where('cases.status', '!=', 'afgesloten')
		.execute();
	for (const r of reviews) {
		if (!r.review_date || !isCalendarDate(r.review_date) || !(await can(db, actor, 'case.view', { kind: 'case', caseId: r.id }))) continue;
		events.push({
			// one event per case: a new review date moves it
			uid: `toetsen-${r.id}`,
			summary: `Tussentijds toetsen ${r.code}`,
			start: r.review_date,
			allDay: true,
			path: `/casus/${r.id}`
		});
	}

	// the meetings of my tables
	const since = new Date(ctx.now().getTime() - PAST_DAYS * 86_400_000).toISOString();
	const meetings = await db
		.selectFrom('meetings')
		.innerJoin('memberships', 'memberships.case_table_id', 'meetings.case_table_id')
		.innerJoin('case_tables', 'case_tables.id', 'meetings.case_table_id')
		.select(['meetings.id', 'meetings.case_table_id', 'meetings.starts_at', 'meetings.ends_at', 'meetings.location', 'meetings.status', 'meetings.sequence', 'case_tables.name'])
		.where('memberships.user_id', '=', actor.userId)
		.where('meetings.starts_at', '>=', since)
		.orderBy('meetings.starts_at')
		.execute();
	for (const m of meetings) {
		events.push({
			uid: `overleg-${m.id}`,
			summary: m.name,
			start: m.starts_at,
			allDay: false,
			location: m.location,
			path: m.status === 'afgezegd' ? `/tafels/${m.case_table_id}` : `/overleg/${m.id}`,
			end: m.ends_at ?? undefined,
			cancelled: m.status === 'afgezegd',
			sequence: m.sequence
		});
	}
	return events;
}

/** The user behind an active feed token, or null: unknown, revoked, or the account is blocked. */
async function feedOwner(ctx: AppContext, token: string): Promise<Actor | null> {
	const row = await ctx.db
		.selectFrom('calendar_feeds')
		.innerJoin('users', 'users.id', 'calendar_feeds.user_id')
		.select(['users.id', 'users.organisation_id', 'users.is_admin'])
		.where('calendar_feeds.token_hash', '=', feedTokenHash(token))
		.where('calendar_feeds.revoked_at', 'is', null)
		.where('users.disabled_at', 'is', null)
		.executeTakeFirst();
	return row ? { userId: row.id, organisationId: row.organisation_id, isAdmin: row.is_admin === 1 } : null;
}

/**
 * ical-generator escapes SUMMARY, LOCATION, DESCRIPTION and URL, but writes the UID as given:
 * it goes through the library's own escaping here (the ids in it are validated already; this
 * is the sink's own guard), so no value can end the line and start a property or an event.
 */
function uid(local: string, host: string): string {
	return icalEscape(`${local}@${host}`, false);
}

/**
 * The iCalendar text of the feed behind `token`, or null when there is no such active feed.
 * `origin` is the public origin, for the links back into Casustafel.
 */
export async function renderFeed(ctx: AppContext, token: string, origin: string): Promise<string | null> {
	const owner = await feedOwner(ctx, token);
	if (!owner) return null;
	const events = await feedEvents(ctx, owner);
	// the host name comes from the request; only letters, digits, dots and dashes go into a UID
	const host = /^[a-z0-9.-]{1,253}$/i.test(new URL(origin).hostname) ? new URL(origin).hostname : 'casustafel';
	const calendar = ical({
		name: 'Casustafel',
		description: 'Uw actie-deadlines, toetsdatums en overleggen in Casustafel',
		prodId: { company: 'Casustafel', product: 'Casustafel', language: 'NL' },
		method: ICalCalendarMethod.PUBLISH,
		// calendar apps look again every hour
		ttl: 60 * 60
	});
	const stamp = ctx.now();
	for (const e of events) {
		// one event that cannot be written (a date the library refuses) is left out, and the
		// rest of the feed still reaches the calendar app
		try {
			calendar.createEvent(eventData(e, { host, origin, stamp }));
		} catch (err) {
			ctx.log.warn({ err, uid: e.uid, userId: owner.userId }, 'a calendar event could not be written and was left out of the feed');
		}
	}
	return calendar.toString();
}

/** What ical-generator gets for one event; throws on a date that does not exist. */
function eventData(e: FeedEvent, at: { host: string; origin: string; stamp: Date }): ICalEventData {
	const { host, origin, stamp } = at;
	const url = new URL(e.path, origin).toString();
	if (e.allDay) {
		if (!isCalendarDate(e.start)) throw new Error(`not a calendar date: ${JSON.stringify(e.start).slice(0, 40)}`);
		const start = new Date(`${e.start}T00:00:00Z`);
		return {
			id: uid(e.uid, host),
			stamp,
			start,
			end: new Date(start.getTime() + 86_400_000),
			allDay: true,
			// a deadline is a reminder, not time taken
			transparency: ICalEventTransparency.TRANSPARENT,
			summary: e.summary,
			description: `Details in Casustafel: ${url}`,
			url
		};
	}
	const start = new Date(e.start);
	if (Number.isNaN(start.getTime())) throw new Error(`not a time: ${JSON.stringify(e.start).slice(0, 40)}`);
	return {
		id: uid(e.uid, host),
		stamp,
		start,
		end: e.end ? new Date(e.end) : new Date(start.getTime() + MEETING_MINUTES * 60_000),
		...(e.sequence !== undefined ? { sequence: e.sequence } : {}),
		...(e.cancelled ? { status: ICalEventStatus.CANCELLED } : {}),
		summary: e.cancelled ? `Afgezegd: ${e.summary}` : e.summary,
		location: e.location ?? null,
		description: `Agenda en stukken in Casustafel: ${url}`,
		url
	};
}
