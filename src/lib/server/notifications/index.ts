import type { AppContext } from '../context';
import type { Executor } from '../db/index';
import { notFound } from '../errors';
import { allowedActiehouders, casesUserMayHold, type Actor } from '../policy/index';
import { describeNotices } from './about';
import type { ActionsChange } from '../projection/index';

/**
 * Notifications: a row per person and event, shown in the app and pushed live to the user's
 * sockets. The text names only the case code and what happened, never a person or case
 * content, because the same text goes out by e-mail. The row also keeps which action or
 * aanmelding it is about; the app names it when the notice is read (`about.ts`).
 */
export const NOTICE_KINDS = [
	'action.assigned',
	'action.deadline_near',
	'action.overdue',
	'regie.assigned',
	'request.outcome',
	'meeting.invited',
	'meeting.changed',
	'meeting.cancelled'
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface Notice {
	id: number;
	kind: NoticeKind;
	text: string;
	link: string;
	createdAt: string;
	readAt: string | null;
}

/** A notice as its reader sees it in the app: with what it is about, as the policy allows now. */
export interface ShownNotice extends Notice {
	about: string | null;
}

export interface NewNotice {
	userId: number;
	kind: NoticeKind;
	/** the event, so that it is sent once: e.g. `action:12:abc:assigned` */
	dedupeKey: string;
	caseId?: number | null;
	meetingId?: number | null;
	/** the action (its id in the case document) the notice is about */
	actionId?: string | null;
	/** the aanmelding the notice is about */
	requestId?: number | null;
	text: string;
	link: string;
}

/** Listeners run after a notification was stored (live push, e-mail). */
type Sender = (notice: Notice & { userId: number }) => void | Promise<void>;
/**
 * Kept on globalThis, like the context itself: the SvelteKit bundle (form actions) and the
 * server's own modules (projection, live events) are separate module graphs with one context,
 * and a notice from a form action must reach the senders the server registered.
 */
const SENDERS = Symbol.for('casustafel.notice-senders');
const senders: WeakMap<AppContext, Sender[]> = ((globalThis as { [SENDERS]?: WeakMap<AppContext, Sender[]> })[SENDERS] ??= new WeakMap());

export function onNotice(ctx: AppContext, sender: Sender): void {
	const list = senders.get(ctx) ?? [];
	list.push(sender);
	senders.set(ctx, list);
}

/** Stores a notification once per user and event; returns it when it is new. */
export async function notify(ctx: AppContext, n: NewNotice): Promise<Notice | null> {
	const at = ctx.now().toISOString();
	const row = await ctx.db
		.insertInto('notifications')
		.values({
			user_id: n.userId,
			kind: n.kind,
			dedupe_key: n.dedupeKey,
			case_id: n.caseId ?? null,
			meeting_id: n.meetingId ?? null,
			action_id: n.actionId ?? null,
			request_id: n.requestId ?? null,
			text: n.text,
			link: n.link,
			created_at: at
		})
		.onConflict((oc) => oc.columns(['user_id', 'dedupe_key']).doNothing())
		.returning('id')
		.executeTakeFirst();
	if (!row) return null;
	const notice: Notice = { id: row.id, kind: n.kind, text: n.text, link: n.link, createdAt: at, readAt: null };
	for (const send of senders.get(ctx) ?? []) {
		try {
			await send({ ...notice, userId: n.userId });
		} catch (err) {
			ctx.log.error({ err, notice: notice.id }, 'sending a notification failed');
		}
	}
	return notice;
}

async function caseCode(ctx: AppContext, caseId: number): Promise<string> {
	const row = await ctx.db.selectFrom('cases').select('code').where('id', '=', caseId).executeTakeFirst();
	return row?.code ?? 'een casus';
}

/**
 * At most this many "new action" notices per recipient per case per hour come from edits of
 * the case document: a writer who keeps reassigning actions cannot flood someone's inbox.
 */
export const ACTION_NOTICES_PER_HOUR = 10;

async function actionNoticesLastHour(ctx: AppContext, userId: number, caseId: number): Promise<number> {
	const since = new Date(ctx.now().getTime() - 3_600_000).toISOString();
	const row = await ctx.db
		.selectFrom('notifications')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('user_id', '=', userId)
		.where('case_id', '=', caseId)
		.where('kind', '=', 'action.assigned')
		.where('created_at', '>', since)
		.executeTakeFirst();
	return Number(row?.n ?? 0);
}

/**
 * A new action for me: someone became actiehouder of an action (not while rebuilding). Only an
 * actiehouder the policy allows (`mayHoldAction`) is told; whoever else a writer puts in the
 * document hears nothing, and the editor shows why.
 */
export async function notifyNewActions(ctx: AppContext, change: ActionsChange): Promise<void> {
	if (change.rebuild) return;
	const before = new Map(change.before.map((a) => [a.actionId, a.actiehouderId]));
	let allowed: Set<number> | null = null;
	for (const a of change.after) {
		if (a.actiehouderId === null || before.get(a.actionId) === a.actiehouderId) continue;
		allowed ??= await allowedActiehouders(ctx.db, change.caseId);
		if (!allowed.has(a.actiehouderId)) {
			ctx.log.info({ caseId: change.caseId, actionId: a.actionId, userId: a.actiehouderId }, 'no notice: the actiehouder may not hold actions of this case');
			continue;
		}
		if ((await actionNoticesLastHour(ctx, a.actiehouderId, change.caseId)) >= ACTION_NOTICES_PER_HOUR) {
			ctx.log.warn({ caseId: change.caseId, actionId: a.actionId, userId: a.actiehouderId, limit: ACTION_NOTICES_PER_HOUR }, 'notice dropped: too many new-action notices for this person and case in the last hour');
			continue;
		}
		const code = await caseCode(ctx, change.caseId);
		await notify(ctx, {
			userId: a.actiehouderId,
			kind: 'action.assigned',
			dedupeKey: `action:${change.caseId}:${a.actionId}:assigned:${a.actiehouderId}`,
			caseId: change.caseId,
			actionId: a.actionId,
			text: `U bent actiehouder van een nieuwe actie bij ${code}.`,
			link: '/acties'
		});
	}
}

// ---- triggers elsewhere in the app ----

const REGIE_WORD = { procesregisseur: 'procesregisseur', casusregisseur: 'casusregisseur' } as const;

/**
 * Regie assigned to someone (after the assignment committed): they hear it, unless they
 * assigned themself. Once per assignment row, so repeating the same choice sends nothing.
 */
export async function notifyRegieAssigned(
	ctx: AppContext,
	actorId: number,
	input: { caseId: number; kind: keyof typeof REGIE_WORD; userId: number | null; meetingId?: number | null }
): Promise<void> {
	if (input.userId === null || input.userId === actorId) return;
	const row = await ctx.db
		.selectFrom('regie_assignments')
		.select('id')
		.where('case_id', '=', input.caseId)
		.where('kind', '=', input.kind)
		.where('user_id', '=', input.userId)
		.where('ended_at', 'is', null)
		.executeTakeFirst();
	if (!row) return;
	const code = await caseCode(ctx, input.caseId);
	await notify(ctx, {
		userId: input.userId,
		kind: 'regie.assigned',
		dedupeKey: `regie:${row.id}`,
		caseId: input.caseId,
		meetingId: input.meetingId ?? null,
		text: `U bent ${REGIE_WORD[input.kind]} van ${code}.`,
		link: `/casus/${input.caseId}`
	});
}

export type RequestOutcome = 'geaccepteerd' | 'afgewezen' | 'vraag';

/**
 * A triage outcome for an aanmelding (after it committed), to whoever submitted it. The text
 * names the table, never the person the request is about.
 */
export async function notifyRequestOutcome(ctx: AppContext, actorId: number, requestId: number, outcome: RequestOutcome): Promise<void> {
	const r = await ctx.db
		.selectFrom('requests')
		.innerJoin('case_tables', 'case_tables.id', 'requests.case_table_id')
		.select(['requests.submitted_by', 'requests.case_id', 'requests.updated_at', 'case_tables.name as tableName'])
		.where('requests.id', '=', requestId)
		.executeTakeFirst();
	if (!r || r.submitted_by === actorId) return;
	const text =
		outcome === 'vraag'
			? `Er is een vraag over uw aanmelding bij ${r.tableName}.`
			: `Uw aanmelding bij ${r.tableName} is ${outcome}.`;
	await notify(ctx, {
		userId: r.submitted_by,
		kind: 'request.outcome',
		// a request can be asked about more than once (after each supplement): one per question
		dedupeKey: outcome === 'vraag' ? `request:${requestId}:vraag:${r.updated_at}` : `request:${requestId}:${outcome}`,
		caseId: outcome === 'geaccepteerd' ? r.case_id : null,
		requestId,
		text,
		link: `/aanmelden/${requestId}`
	});
}

// ---- reading and marking, always of one's own notifications ----

const toNotice = (r: { id: number; kind: string; text: string; link: string; created_at: string; read_at: string | null }): Notice => ({
	id: r.id,
	kind: r.kind as NoticeKind,
	text: r.text,
	link: r.link,
	createdAt: r.created_at,
	readAt: r.read_at
});

/**
 * Drops notices about actions of cases the user may not (any longer) hold actions of: the
 * policy's actiehouder rule, asked when they are read.
 */
async function stillAllowed<T extends { kind: string; case_id: number | null }>(db: Executor, userId: number, rows: T[]): Promise<T[]> {
	const about = [...new Set(rows.filter((r) => r.kind.startsWith('action.') && r.case_id !== null).map((r) => r.case_id!))];
	if (about.length === 0) return rows;
	const may = await casesUserMayHold(db, userId, about);
	return rows.filter((r) => !r.kind.startsWith('action.') || r.case_id === null || may.has(r.case_id));
}

/** My notifications, newest first, each with what it is about as far as I may see that now. */
export async function myNotices(db: Executor, actor: Actor, limit = 200): Promise<ShownNotice[]> {
	const rows = await db
		.selectFrom('notifications')
		.select(['id', 'kind', 'text', 'link', 'created_at', 'read_at', 'case_id', 'action_id', 'request_id'])
		.where('user_id', '=', actor.userId)
		.orderBy('created_at', 'desc')
		.orderBy('id', 'desc')
		.limit(limit)
		.execute();
	const shown = await stillAllowed(db, actor.userId, rows);
	const about = await describeNotices(db, actor, shown);
	return shown.map((r, i) => ({ ...toNotice(r), about: about[i] ?? null }));
}

export async function unreadCount(db: Executor, userId: number): Promise<number> {
	const rows = await db
		.selectFrom('notifications')
		.select(['kind', 'case_id'])
		.where('user_id', '=', userId)
		.where('read_at', 'is', null)
		.execute();
	return (await stillAllowed(db, userId, rows)).length;
}

/** Marks one of my notifications read; someone else's (or a missing one) is NOT_FOUND. */
export async function markRead(ctx: AppContext, userId: number, id: number): Promise<void> {
	const row = await ctx.db.selectFrom('notifications').select(['id', 'read_at']).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
	if (!row) throw notFound();
	if (row.read_at !== null) return;
	await ctx.db.updateTable('notifications').set({ read_at: ctx.now().toISOString() }).where('id', '=', id).where('user_id', '=', userId).execute();
}

/** Marks all my notifications read; returns how many were unread. */
export async function markAllRead(ctx: AppContext, userId: number): Promise<number> {
	const result = await ctx.db
		.updateTable('notifications')
		.set({ read_at: ctx.now().toISOString() })
		.where('user_id', '=', userId)
		.where('read_at', 'is', null)
		.executeTakeFirst();
	return Number(result.numUpdatedRows);
}
