import type { AppContext } from '../context';
import type { ActionsChange } from '../projection/index';

/**
 * Notifications: a row per person and event, shown in the app and pushed live to the user's
 * sockets. The text names only the case code and what happened, never a person or case
 * content, because the same text goes out by e-mail.
 */
export const NOTICE_KINDS = ['action.assigned', 'action.deadline_near', 'action.overdue', 'regie.assigned', 'request.outcome'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export interface Notice {
	id: number;
	kind: NoticeKind;
	text: string;
	link: string;
	createdAt: string;
	readAt: string | null;
}

export interface NewNotice {
	userId: number;
	kind: NoticeKind;
	/** the event, so that it is sent once: e.g. `action:12:abc:assigned` */
	dedupeKey: string;
	caseId?: number | null;
	meetingId?: number | null;
	text: string;
	link: string;
}

/** Listeners run after a notification was stored (live push, e-mail). */
type Sender = (notice: Notice & { userId: number }) => void | Promise<void>;
const senders = new WeakMap<AppContext, Sender[]>();

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

/** A new action for me: someone became actiehouder of an action (not while rebuilding). */
export async function notifyNewActions(ctx: AppContext, change: ActionsChange): Promise<void> {
	if (change.rebuild) return;
	const before = new Map(change.before.map((a) => [a.actionId, a.actiehouderId]));
	for (const a of change.after) {
		if (a.actiehouderId === null || before.get(a.actionId) === a.actiehouderId) continue;
		const code = await caseCode(ctx, change.caseId);
		await notify(ctx, {
			userId: a.actiehouderId,
			kind: 'action.assigned',
			dedupeKey: `action:${change.caseId}:${a.actionId}:assigned:${a.actiehouderId}`,
			caseId: change.caseId,
			text: `U bent actiehouder van een nieuwe actie bij ${code}.`,
			link: '/acties'
		});
	}
}
