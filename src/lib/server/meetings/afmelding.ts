import { z } from 'zod';
import type { AppContext } from '../context';
import { recordAudit } from '../audit/index';
import { conflict, invalidInput, notFound } from '../errors';
import { authorize, can, type Actor } from '../policy/index';

/**
 * Afmelden (issue 14 item 1): a member of the table says beforehand that they will not come to
 * a planned meeting, with a reason, or takes it back. It is the same register the secretaris
 * keeps during the meeting (meeting_attendance, migration 0013), with status 'afgemeld'; once
 * the meeting is open the secretaris keeps it. The voorzitter and secretaris see who comes.
 */

const REASON = 'Geef een korte reden (3 tot 300 tekens), bijvoorbeeld "ziek" of "andere afspraak".';
const Afmelding = z.object({ reason: z.string({ error: REASON }).trim().min(3, REASON).max(300, REASON) });

async function plannedMeetingOfTable(ctx: AppContext, actor: Actor, tableId: number, meetingId: number) {
	await authorize(ctx.db, actor, 'meeting.respond', { kind: 'meeting', meetingId });
	const m = await ctx.db.selectFrom('meetings').select(['id', 'case_table_id', 'status']).where('id', '=', meetingId).executeTakeFirst();
	if (!m || m.case_table_id !== tableId) throw notFound();
	if (m.status === 'afgezegd') throw conflict('Dit overleg is afgezegd; afmelden is niet nodig.');
	if (m.status !== 'gepland') throw conflict('Dit overleg is al begonnen of gesloten; meld u af bij de secretaris.');
	return m;
}

/** The actor's afmelding for a planned meeting of their table (sent again: the new reason). */
export async function sendAfmelding(
	ctx: AppContext,
	actor: Actor,
	tableId: number,
	meetingId: number,
	raw: { reason: string },
	meta: { ip: string | null }
): Promise<void> {
	await plannedMeetingOfTable(ctx, actor, tableId, meetingId);
	const parsed = Afmelding.safeParse(raw);
	if (!parsed.success) throw invalidInput({ reason: parsed.error.issues[0]!.message }, 'U bent niet afgemeld. Wat er mis is, staat bij het veld.');
	const now = ctx.now();
	const values = { status: 'afgemeld' as const, reason: parsed.data.reason, updated_by: actor.userId, updated_at: now.toISOString() };
	await ctx.db.transaction().execute(async (trx) => {
		await trx
			.insertInto('meeting_attendance')
			.values({ meeting_id: meetingId, user_id: actor.userId, ...values })
			.onConflict((oc) => oc.columns(['meeting_id', 'user_id']).doUpdateSet(values))
			.execute();
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'meeting.attendance',
			meetingId,
			detail: { register: 'afmelding', memberId: actor.userId, status: 'afgemeld' },
			ip: meta.ip
		});
	});
}

/** Takes the actor's own afmelding back: they come after all. */
export async function withdrawAfmelding(ctx: AppContext, actor: Actor, tableId: number, meetingId: number, meta: { ip: string | null }): Promise<boolean> {
	await plannedMeetingOfTable(ctx, actor, tableId, meetingId);
	const now = ctx.now();
	return ctx.db.transaction().execute(async (trx) => {
		const result = await trx
			.deleteFrom('meeting_attendance')
			.where('meeting_id', '=', meetingId)
			.where('user_id', '=', actor.userId)
			.where('status', '=', 'afgemeld')
			.executeTakeFirst();
		if (Number(result.numDeletedRows) === 0) return false;
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'meeting.attendance',
			meetingId,
			detail: { register: 'afmelding', memberId: actor.userId, status: null },
			ip: meta.ip
		});
		return true;
	});
}

export interface MeetingResponses {
	/** meetingId → my afmelding's reason */
	mine: Record<number, string>;
	/** for the voorzitter and secretaris: meetingId → who sent an afmelding, with the reason */
	afgemeld: Record<number, { userId: number; name: string; reason: string | null }[]> | null;
}

/** The afmeldingen of a table's planned meetings as the actor may see them. */
export async function meetingResponses(ctx: AppContext, actor: Actor, tableId: number, meetingIds: number[]): Promise<MeetingResponses> {
	const out: MeetingResponses = { mine: {}, afgemeld: null };
	if (meetingIds.length === 0) return out;
	const chair = await can(ctx.db, actor, 'meeting.schedule', { kind: 'table', tableId });
	const rows = await ctx.db
		.selectFrom('meeting_attendance')
		.innerJoin('users', 'users.id', 'meeting_attendance.user_id')
		.innerJoin('memberships', (j) => j.onRef('memberships.user_id', '=', 'users.id').on('memberships.case_table_id', '=', tableId))
		.select(['meeting_attendance.meeting_id', 'meeting_attendance.user_id', 'meeting_attendance.reason', 'users.name'])
		.where('meeting_attendance.meeting_id', 'in', meetingIds)
		.where('meeting_attendance.status', '=', 'afgemeld')
		.orderBy('users.name')
		.execute();
	if (chair) out.afgemeld = {};
	for (const r of rows) {
		if (r.user_id === actor.userId) out.mine[r.meeting_id] = r.reason ?? '';
		if (out.afgemeld) (out.afgemeld[r.meeting_id] ??= []).push({ userId: r.user_id, name: r.name, reason: r.reason });
	}
	return out;
}
