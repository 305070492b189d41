import type { AppContext } from '../context';
import { invalidInput, notFound } from '../errors';
import { authorize, caseViewersAmong, type Actor } from '../policy/index';
import { recordAudit } from '../audit/index';
import { readAgenda } from '../../shared/documents';
import { TABLE_ROLES, type TableRole } from '../../shared/roles';
import {
	inRoom,
	restrictionMessage,
	type AttendanceStatus,
	type ItemPresence,
	type RegisterEntry,
	type RoomRegister,
	type RoomRestriction
} from '../../shared/room';
import { refuseWhenClosed } from './control';

/**
 * The room of a meeting (issue 13 item 2): the attendance register kept by the chair or
 * secretaris, who joined or left the room per agenda item, the laptops connected, and from
 * these the server's decision whether the shared screen may show the current item in full.
 */

/** userId → open `/live` connections of that user that joined the meeting, the shared screen not counted */
export type Connections = Map<number, number>;

async function members(ctx: AppContext, tableId: number) {
	return ctx.db
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.innerJoin('organisations', 'organisations.id', 'users.organisation_id')
		.select([
			'users.id as userId',
			'users.name',
			'users.is_admin as isAdmin',
			'organisations.id as organisationId',
			'organisations.name as organisationName',
			'memberships.role'
		])
		.where('memberships.case_table_id', '=', tableId)
		.where('users.disabled_at', 'is', null)
		.execute();
}

/** The agenda item of a meeting, read from its document; undefined when it is not (any more) on it. */
async function agendaItem(ctx: AppContext, meetingId: number, itemId: string) {
	const hub = ctx.realtime?.hub;
	if (!hub) throw new Error('the document hub is not running');
	return hub.read(`meeting:${meetingId}`, (doc) => readAgenda(doc).find((i) => i.id === itemId));
}

/**
 * The register as it stands, for the meeting's current item. Not authorized here: the live
 * server sends it only to sockets whose user may run the meeting, and `restricted` (no names)
 * to everyone in the meeting.
 */
export async function roomRegister(ctx: AppContext, meetingId: number, connections: Connections): Promise<RoomRegister> {
	const { db } = ctx;
	const meeting = await db
		.selectFrom('meetings')
		.select(['id', 'case_table_id', 'current_item_id'])
		.where('id', '=', meetingId)
		.executeTakeFirst();
	if (!meeting) throw notFound();
	const people = await members(ctx, meeting.case_table_id);
	const marks = new Map(
		(
			await db
				.selectFrom('meeting_attendance')
				.select(['user_id', 'status', 'reason'])
				.where('meeting_id', '=', meetingId)
				.execute()
		).map((r) => [r.user_id, r])
	);
	const itemId = meeting.current_item_id;
	const itemMarks = new Map<number, ItemPresence>();
	let caseId: number | null = null;
	if (itemId !== null) {
		const rows = await db
			.selectFrom('meeting_item_presence')
			.select(['user_id', 'presence'])
			.where('meeting_id', '=', meetingId)
			.where('item_id', '=', itemId)
			.execute();
		for (const r of rows) itemMarks.set(r.user_id, r.presence);
		caseId = (await agendaItem(ctx, meetingId, itemId))?.caseId ?? null;
	}
	const viewers =
		caseId === null
			? null
			: await caseViewersAmong(
					db,
					people.map((p) => ({ userId: p.userId, organisationId: p.organisationId, isAdmin: p.isAdmin === 1 })),
					caseId
				);

	const entries: RegisterEntry[] = people.map((p) => {
		const mark = marks.get(p.userId);
		const entry = {
			userId: p.userId,
			name: p.name,
			organisationName: p.organisationName,
			role: p.role,
			status: (mark?.status ?? null) as AttendanceStatus | null,
			reason: mark?.reason ?? null,
			sockets: connections.get(p.userId) ?? 0,
			item: itemMarks.get(p.userId) ?? null,
			hasAccess: viewers ? (viewers.get(p.userId) ?? false) : null
		};
		return { ...entry, inRoom: inRoom(entry) };
	});
	entries.sort(
		(a, b) =>
			TABLE_ROLES.indexOf(a.role as TableRole) - TABLE_ROLES.indexOf(b.role as TableRole) || a.name.localeCompare(b.name, 'nl')
	);

	let restricted: RoomRestriction | null = null;
	if (itemId !== null && caseId !== null) {
		const organisations = [...new Set(entries.filter((e) => e.inRoom && e.hasAccess === false).map((e) => e.organisationName))].sort(
			(a, b) => a.localeCompare(b, 'nl')
		);
		if (organisations.length > 0) restricted = { itemId, caseId, organisations, message: restrictionMessage(organisations) };
	}
	return {
		meetingId,
		itemId,
		entries,
		laptops: entries.filter((e) => e.inRoom).reduce((n, e) => n + e.sockets, 0),
		restricted
	};
}

/** Only the chair and secretaris keep the register, of members of the table, while the meeting is not closed. */
async function authorizeRegister(ctx: AppContext, actor: Actor, meetingId: number, userId: number) {
	await authorize(ctx.db, actor, 'meeting.run', { kind: 'meeting', meetingId });
	const meeting = await ctx.db
		.selectFrom('meetings')
		.select(['id', 'status', 'case_table_id'])
		.where('id', '=', meetingId)
		.executeTakeFirst();
	if (!meeting) throw notFound();
	refuseWhenClosed(meeting);
	const member = await ctx.db
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.select('users.id')
		.where('memberships.case_table_id', '=', meeting.case_table_id)
		.where('memberships.user_id', '=', userId)
		.where('users.disabled_at', 'is', null)
		.executeTakeFirst();
	if (!member) {
		const message = 'Deze persoon is geen lid van deze tafel.';
		throw invalidInput({ userId: message }, message);
	}
	return meeting;
}

/** Marks a member aanwezig, afgemeld (with an optional reason) or afwezig; null clears the mark. */
export async function markAttendance(
	ctx: AppContext,
	actor: Actor,
	input: { meetingId: number; userId: number; status: AttendanceStatus | null; reason?: string }
): Promise<void> {
	await authorizeRegister(ctx, actor, input.meetingId, input.userId);
	const now = ctx.now().toISOString();
	if (input.status === null) {
		await ctx.db
			.deleteFrom('meeting_attendance')
			.where('meeting_id', '=', input.meetingId)
			.where('user_id', '=', input.userId)
			.execute();
	} else {
		const values = {
			status: input.status,
			// a reason belongs to an afmelding only
			reason: input.status === 'afgemeld' ? input.reason?.trim() || null : null,
			updated_by: actor.userId,
			updated_at: now
		};
		await ctx.db
			.insertInto('meeting_attendance')
			.values({ meeting_id: input.meetingId, user_id: input.userId, ...values })
			.onConflict((oc) => oc.columns(['meeting_id', 'user_id']).doUpdateSet(values))
			.execute();
	}
	await recordAudit(ctx.db, {
		at: ctx.now(),
		userId: actor.userId,
		organisationId: actor.organisationId,
		action: 'meeting.attendance',
		meetingId: input.meetingId,
		detail: { register: 'meeting', memberId: input.userId, status: input.status }
	});
}

/** Marks that a member joined ('in') or left ('uit') the room for one agenda item; null clears it. */
export async function markItemPresence(
	ctx: AppContext,
	actor: Actor,
	input: { meetingId: number; itemId: string; userId: number; presence: ItemPresence | null }
): Promise<void> {
	await authorizeRegister(ctx, actor, input.meetingId, input.userId);
	const item = await agendaItem(ctx, input.meetingId, input.itemId);
	if (!item) throw invalidInput({ itemId: 'Dit agendapunt bestaat niet (meer).' }, 'Dit agendapunt bestaat niet (meer).');
	if (input.presence === null) {
		await ctx.db
			.deleteFrom('meeting_item_presence')
			.where('meeting_id', '=', input.meetingId)
			.where('item_id', '=', input.itemId)
			.where('user_id', '=', input.userId)
			.execute();
	} else {
		const values = { presence: input.presence, updated_by: actor.userId, updated_at: ctx.now().toISOString() };
		await ctx.db
			.insertInto('meeting_item_presence')
			.values({ meeting_id: input.meetingId, item_id: input.itemId, user_id: input.userId, ...values })
			.onConflict((oc) => oc.columns(['meeting_id', 'item_id', 'user_id']).doUpdateSet(values))
			.execute();
	}
	await recordAudit(ctx.db, {
		at: ctx.now(),
		userId: actor.userId,
		organisationId: actor.organisationId,
		action: 'meeting.attendance',
		caseId: item.caseId,
		meetingId: input.meetingId,
		detail: { register: 'item', itemId: input.itemId, memberId: input.userId, presence: input.presence }
	});
}

/**
 * For the verslag: the attendance per member, and per agenda item who was in the room for it
 * as far as the register says (marked aanwezig and not marked as leaving it, or joining it).
 * Connections are not recorded, so the verslag counts marks only.
 */
export async function registerForVerslag(ctx: AppContext, meetingId: number) {
	const attendance = await ctx.db
		.selectFrom('meeting_attendance')
		.select(['user_id', 'status'])
		.where('meeting_id', '=', meetingId)
		.execute();
	const itemMarks = await ctx.db
		.selectFrom('meeting_item_presence')
		.select(['item_id', 'user_id', 'presence'])
		.where('meeting_id', '=', meetingId)
		.execute();
	const status = new Map(attendance.map((a) => [a.user_id, a.status as AttendanceStatus]));
	/** the user ids in the room for an item */
	const presentFor = (itemId: string, userIds: number[]): number[] =>
		userIds.filter((id) => {
			const mark = itemMarks.find((m) => m.item_id === itemId && m.user_id === id)?.presence ?? null;
			return inRoom({ status: status.get(id) ?? null, sockets: 0, item: mark });
		});
	return { status, recorded: attendance.length > 0 || itemMarks.length > 0, presentFor };
}
