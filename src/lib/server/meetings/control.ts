import type { AppContext } from '../context';
import { conflict, notFound } from '../errors';
import { authorize, can, type Actor } from '../policy/index';
import type { MeetingState, MeetingStatus } from '../../shared/live';
import { timerElapsed } from '../../shared/live';
import type { ItemClosure } from '../../shared/tables';

/**
 * Meeting control kept by the server: status, the chair's current agenda item and the per-item
 * timer. Stored in the meetings row, so a restart loses neither the current item nor the timer.
 */
async function row(ctx: AppContext, meetingId: number) {
	const meeting = await ctx.db
		.selectFrom('meetings')
		.selectAll()
		.where('id', '=', meetingId)
		.executeTakeFirst();
	if (!meeting) throw notFound();
	const closures = await itemClosures(ctx, meetingId);
	return { ...meeting, closures };
}

/** The agenda items the server closed, with what the template missed and the reasons given. */
export async function itemClosures(ctx: AppContext, meetingId: number): Promise<ItemClosure[]> {
	const rows = await ctx.db
		.selectFrom('item_closures')
		.innerJoin('users', 'users.id', 'item_closures.closed_by')
		.select([
			'item_closures.item_id',
			'item_closures.case_id',
			'item_closures.closed_at',
			'users.name',
			'item_closures.template_missing',
			'item_closures.template_reason',
			'item_closures.regie_reason'
		])
		.where('item_closures.meeting_id', '=', meetingId)
		.orderBy('item_closures.id')
		.execute();
	return rows.map((r) => ({
		itemId: r.item_id,
		caseId: r.case_id,
		closedAt: r.closed_at,
		closedByName: r.name,
		templateMissing: JSON.parse(r.template_missing) as string[],
		templateReason: r.template_reason,
		regieReason: r.regie_reason
	}));
}

function toState(m: Awaited<ReturnType<typeof row>>, now: Date): MeetingState {
	return {
		meetingId: m.id,
		status: m.status as MeetingStatus,
		currentItemId: m.current_item_id,
		closedItems: m.closures,
		timer: {
			itemId: m.timer_item_id,
			running: m.timer_started_at !== null,
			startedAt: m.timer_started_at,
			elapsedMs: m.timer_elapsed_ms,
			extraMs: m.timer_extra_ms
		},
		serverNow: now.toISOString()
	};
}

export async function meetingState(ctx: AppContext, actor: Actor, meetingId: number): Promise<MeetingState> {
	await authorize(ctx.db, actor, 'meeting.view', { kind: 'meeting', meetingId });
	return stateFor(ctx, actor, toState(await row(ctx, meetingId), ctx.now()));
}

/**
 * The whole state, case content included: only for a caller that has authorized the actor and
 * hands it on through stateFor (the live server does, per socket).
 */
export async function fullMeetingState(ctx: AppContext, meetingId: number): Promise<MeetingState> {
	return toState(await row(ctx, meetingId), ctx.now());
}

/**
 * The meeting state as one member may receive it. That an agenda item is closed, when and by
 * whom is agenda data for every member; what the template missed and the reasons given to close
 * it anyway are case content, kept for those who may view the case (policy 'case.view').
 * `cache` (per case id) lets a caller that serves many sockets of one user ask once.
 */
export async function stateFor(
	ctx: AppContext,
	actor: Actor,
	state: MeetingState,
	cache: Map<number, boolean> = new Map()
): Promise<MeetingState> {
	const closedItems: ItemClosure[] = [];
	for (const c of state.closedItems) {
		if (c.caseId === null) {
			closedItems.push(c);
			continue;
		}
		let may = cache.get(c.caseId);
		if (may === undefined) {
			may = await can(ctx.db, actor, 'case.view', { kind: 'case', caseId: c.caseId });
			cache.set(c.caseId, may);
		}
		closedItems.push(may ? c : { ...c, templateMissing: [], templateReason: null, regieReason: null });
	}
	return { ...state, closedItems };
}

export async function mayRunMeeting(ctx: AppContext, actor: Actor, meetingId: number): Promise<boolean> {
	return can(ctx.db, actor, 'meeting.run', { kind: 'meeting', meetingId });
}

async function runCommand(
	ctx: AppContext,
	actor: Actor,
	meetingId: number,
	change: (m: Awaited<ReturnType<typeof row>>, now: Date) => Record<string, unknown>
): Promise<MeetingState> {
	await authorize(ctx.db, actor, 'meeting.run', { kind: 'meeting', meetingId });
	const now = ctx.now();
	const current = await row(ctx, meetingId);
	const set = change(current, now);
	if (Object.keys(set).length > 0) await ctx.db.updateTable('meetings').set(set).where('id', '=', meetingId).execute();
	// unfiltered: the live server sends it to each socket through stateFor
	return toState(await row(ctx, meetingId), now);
}

export function refuseWhenClosed(m: { status: string }) {
	if (m.status === 'gesloten') throw conflict('Dit overleg is gesloten; er kan niets meer worden gewijzigd.');
	// a cancelled meeting cannot be opened or run (meetings/schedule.ts)
	if (m.status === 'afgezegd') throw conflict('Dit overleg is afgezegd; het kan niet worden geopend.');
}

/** Moves the meeting to an agenda item; its timer starts fresh (running if the meeting is open). */
export function setCurrentItem(ctx: AppContext, actor: Actor, meetingId: number, itemId: string) {
	return runCommand(ctx, actor, meetingId, (m, now) => {
		refuseWhenClosed(m);
		if (m.current_item_id === itemId) return {};
		return {
			current_item_id: itemId,
			timer_item_id: itemId,
			timer_elapsed_ms: 0,
			timer_extra_ms: 0,
			timer_started_at: m.status === 'geopend' ? now.toISOString() : null
		};
	});
}

export function timerCommand(
	ctx: AppContext,
	actor: Actor,
	meetingId: number,
	action: 'start' | 'pause' | 'reset' | 'extend',
	minutes = 5
) {
	return runCommand(ctx, actor, meetingId, (m, now) => {
		refuseWhenClosed(m);
		const state = toState(m, now).timer;
		switch (action) {
			case 'start':
				return m.timer_started_at ? {} : { timer_started_at: now.toISOString(), timer_item_id: m.current_item_id };
			case 'pause':
				return { timer_elapsed_ms: Math.round(timerElapsed(state, now.getTime())), timer_started_at: null };
			case 'reset':
				return { timer_elapsed_ms: 0, timer_extra_ms: 0, timer_started_at: null };
			case 'extend':
				return { timer_extra_ms: m.timer_extra_ms + minutes * 60_000 };
		}
	});
}

export function openMeeting(ctx: AppContext, actor: Actor, meetingId: number) {
	return runCommand(ctx, actor, meetingId, (m, now) => {
		refuseWhenClosed(m);
		return { status: 'geopend', opened_at: m.opened_at ?? now.toISOString() };
	});
}

/** Closes the meeting: its documents become read-only for everyone. */
export async function closeMeeting(ctx: AppContext, actor: Actor, meetingId: number) {
	const state = await runCommand(ctx, actor, meetingId, (m, now) => {
		refuseWhenClosed(m);
		const timer = toState(m, now).timer;
		return {
			status: 'gesloten',
			closed_at: now.toISOString(),
			timer_elapsed_ms: Math.round(timerElapsed(timer, now.getTime())),
			timer_started_at: null
		};
	});
	// The meeting's own document and the minutes of each case discussed in it.
	ctx.realtime?.hub.makeReadOnly(
		(name) => name === `meeting:${meetingId}` || name.startsWith(`bespreking:${meetingId}:`)
	);
	return state;
}

/** The viewer's role at the meeting's table, for presence. */
export async function roleAtMeeting(ctx: AppContext, userId: number, meetingId: number): Promise<string | null> {
	const r = await ctx.db
		.selectFrom('meetings')
		.innerJoin('memberships', 'memberships.case_table_id', 'meetings.case_table_id')
		.select('memberships.role')
		.where('meetings.id', '=', meetingId)
		.where('memberships.user_id', '=', userId)
		.executeTakeFirst();
	return r?.role ?? null;
}
