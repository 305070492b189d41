import ical, { escape as icalEscape, ICalCalendarMethod, ICalEventStatus, ICalAttendeeRole, ICalAttendeeStatus } from 'ical-generator';
import type { AppContext } from '../context';
import { notify, type NoticeKind } from '../notifications/index';
import { formatDateTime } from '../../shared/format';

/**
 * Invitations for planned meetings (issue 14 item 1): every member of the table hears of a new,
 * changed or cancelled meeting in the app, and by e-mail with an iCalendar invitation attached
 * (METHOD:REQUEST for new and changed, METHOD:CANCEL for cancelled). The UID of a meeting is the
 * same as in the personal calendar feed (`overleg-<id>@<host>`) and its SEQUENCE is the meeting's
 * sequence, raised on every change, so a calendar app updates the one event it already has.
 *
 * Like every notice, the text names only the table, the time and the place: no case, no person.
 */

export type MeetingNoticeKind = Extract<NoticeKind, 'meeting.invited' | 'meeting.changed' | 'meeting.cancelled'>;

interface MeetingRow {
	id: number;
	case_table_id: number;
	starts_at: string;
	ends_at: string | null;
	location: string;
	online_url: string | null;
	status: string;
	series_id: string | null;
	sequence: number;
	tableName: string;
}

async function meetingRows(ctx: AppContext, ids: number[]): Promise<MeetingRow[]> {
	if (ids.length === 0) return [];
	return ctx.db
		.selectFrom('meetings')
		.innerJoin('case_tables', 'case_tables.id', 'meetings.case_table_id')
		.select([
			'meetings.id',
			'meetings.case_table_id',
			'meetings.starts_at',
			'meetings.ends_at',
			'meetings.location',
			'meetings.online_url',
			'meetings.status',
			'meetings.series_id',
			'meetings.sequence',
			'case_tables.name as tableName'
		])
		.where('meetings.id', 'in', ids)
		.orderBy('meetings.starts_at')
		.execute();
}

/** The text of the notice, the same in the app and in the e-mail. */
function noticeText(kind: MeetingNoticeKind, meetings: MeetingRow[]): string {
	const first = meetings[0]!;
	const when = formatDateTime(first.starts_at);
	switch (kind) {
		case 'meeting.invited':
			return meetings.length === 1
				? `U bent uitgenodigd voor het overleg van ${first.tableName} op ${when}, ${first.location}.`
				: `U bent uitgenodigd voor ${meetings.length} overleggen van ${first.tableName}, het eerste op ${when}, ${first.location}.`;
		case 'meeting.changed':
			return `Het overleg van ${first.tableName} is gewijzigd: nu op ${when}, ${first.location}.`;
		case 'meeting.cancelled':
			return `Het overleg van ${first.tableName} op ${when} is afgezegd.`;
	}
}

/**
 * Tells every active member of the table about the meetings (after the change committed). One
 * notice per member and change: a series is one invitation with all its meetings.
 */
export async function notifyMeeting(ctx: AppContext, input: { kind: MeetingNoticeKind; meetingIds: number[]; actorId: number }): Promise<void> {
	const meetings = await meetingRows(ctx, input.meetingIds);
	if (meetings.length === 0) return;
	const first = meetings[0]!;
	const members = await ctx.db
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select('users.id')
		.where('memberships.case_table_id', '=', first.case_table_id)
		.where('users.disabled_at', 'is', null)
		.execute();
	const event = input.kind === 'meeting.invited' ? 'invited' : input.kind === 'meeting.changed' ? `changed:${first.sequence}` : 'cancelled';
	for (const m of members) {
		try {
			await notify(ctx, {
				userId: m.id,
				kind: input.kind,
				dedupeKey: `meeting:${first.id}:${event}`,
				meetingId: first.id,
				text: noticeText(input.kind, meetings),
				link: `/tafels/${first.case_table_id}`
			});
		} catch (err) {
			ctx.log.error({ err, meetingId: first.id, userId: m.id }, 'a meeting notice could not be stored');
		}
	}
}

/** The host name in a UID: from the public address, only letters, digits, dots and dashes. */
export function uidHost(origin: string): string {
	try {
		const host = new URL(origin).hostname;
		return /^[a-z0-9.-]{1,253}$/i.test(host) ? host : 'casustafel';
	} catch {
		return 'casustafel';
	}
}

/** The UID of a meeting, the same in the invitation and in the personal feed. */
export const meetingUid = (meetingId: number, host: string) => icalEscape(`overleg-${meetingId}@${host}`, false);

/**
 * The iCalendar invitation for a meeting notice: the meeting as it is now (with its current
 * SEQUENCE), or for an invitation to a series, every planned meeting of the series. Null when
 * there is nothing to send (the meeting is gone).
 */
export async function invitationIcs(
	ctx: AppContext,
	notice: { kind: string; meetingId: number; recipient: string },
	publicUrl: string
): Promise<{ method: 'REQUEST' | 'CANCEL'; content: string } | null> {
	const [meeting] = await meetingRows(ctx, [notice.meetingId]);
	if (!meeting) return null;
	let meetings = [meeting];
	if (notice.kind === 'meeting.invited' && meeting.series_id) {
		const series = await ctx.db.selectFrom('meetings').select('id').where('series_id', '=', meeting.series_id).where('status', '=', 'gepland').execute();
		meetings = await meetingRows(ctx, series.map((s) => s.id));
	}
	// a meeting cancelled since is sent as cancelled, whatever the notice was
	const cancel = notice.kind === 'meeting.cancelled' || meeting.status === 'afgezegd';
	const method = cancel ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST;
	const host = uidHost(publicUrl);
	const calendar = ical({
		prodId: { company: 'Casustafel', product: 'Casustafel', language: 'NL' },
		method
	});
	for (const m of meetings) {
		const url = new URL(`/tafels/${m.case_table_id}`, publicUrl).toString();
		const start = new Date(m.starts_at);
		calendar.createEvent({
			id: meetingUid(m.id, host),
			sequence: m.sequence,
			stamp: ctx.now(),
			start,
			end: m.ends_at ? new Date(m.ends_at) : new Date(start.getTime() + 120 * 60_000),
			summary: `Overleg ${m.tableName}`,
			location: m.location,
			description: [m.online_url ? `Online deelnemen: ${m.online_url}` : null, `Agenda en stukken in Casustafel: ${url}`].filter(Boolean).join('\n'),
			url,
			status: cancel ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
			organizer: { name: 'Casustafel', email: ctx.config.mailFrom.replace(/^.*<([^>]+)>.*$/, '$1') },
			attendees: [{ email: notice.recipient, role: ICalAttendeeRole.REQ, status: ICalAttendeeStatus.NEEDSACTION, rsvp: false }]
		});
	}
	return { method: cancel ? 'CANCEL' : 'REQUEST', content: calendar.toString() };
}
