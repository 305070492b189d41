import type * as Y from 'yjs';
import type { AppContext } from '../context';
import type { CollabHub } from '../collab/hub';
import { AGENDA_ROOTS, MAX_PROJECTED_ACTIONS, MAX_PROJECTED_AGENDA_ITEMS, readActions, readAgenda } from '../../shared/documents';
import { validDeadline } from '../../shared/format';

/**
 * The projection: SQL rows of what lives in the documents (the actions of each case, the agenda
 * of each meeting), so that Mijn acties, reminders, calendars and reports are plain queries.
 * The documents stay the truth. A document is projected shortly after every stored change
 * (debounced per document, one projection at a time) and the whole projection is rebuilt from
 * the stored documents at start-up, so a crash between a change and its projection loses
 * nothing that a restart does not restore.
 */
export interface ActionRow {
	caseId: number;
	actionId: string;
	position: number;
	text: string;
	actiehouderId: number | null;
	organisationId: number | null;
	deadline: string;
	status: string;
	leefgebied: string;
	note: string;
}

export interface ActionsChange {
	caseId: number;
	before: ActionRow[];
	after: ActionRow[];
	/** true while rebuilding at start-up: nothing new happened, so nobody is notified */
	rebuild: boolean;
}

type Listener = (change: ActionsChange) => void | Promise<void>;

const CASE_DOC = /^case:([1-9][0-9]{0,15})$/;
const MEETING_DOC = /^meeting:([1-9][0-9]{0,15})$/;
/** the root types the rows are read from (readActions, readAgenda) */
const CASE_ROOT = 'acties';
/** the agenda map and the legacy array it is migrated from (an old page may still write there) */
const MEETING_ROOTS: readonly string[] = AGENDA_ROOTS;

/**
 * What documents.ts newId() makes. An action whose id is anything else was not written by
 * Casustafel (a client can put any value in a document) and is not projected: ids end up in
 * URLs, forms and calendar UIDs, where a CR/LF or a quote must never arrive.
 */
export const ACTION_ID = /^[0-9a-z]{12}$/;

/**
 * Rows per INSERT statement. SQLite allows 32,766 bound variables in one statement; an action
 * row has 11 columns, so one statement with more than about 2,978 rows threw and the case was
 * never projected again. 200 rows (2,200 variables) stays far below it, also for agenda rows.
 */
export const INSERT_CHUNK = 200;

function chunks<T>(list: readonly T[], size = INSERT_CHUNK): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}

/**
 * The action rows of a case document, in document order, at most MAX_PROJECTED_ACTIONS of them;
 * actions with a foreign id are skipped, and a deadline that is not a date that exists (any writer
 * can put "2026-99-99" in the document) is projected as no deadline.
 */
export function actionRowsOf(caseId: number, doc: Y.Doc): ActionRow[] {
	return projectedActions(caseId, doc).rows;
}

/** The projected rows, and how many actions the cap left out. */
function projectedActions(caseId: number, doc: Y.Doc): { rows: ActionRow[]; over: number } {
	const actions = readActions(doc).filter((a) => ACTION_ID.test(a.id));
	const rows = actions.slice(0, MAX_PROJECTED_ACTIONS).map((a, position) => ({
		caseId,
		actionId: a.id,
		position,
		text: a.text,
		actiehouderId: a.actiehouderId,
		organisationId: a.organisationId,
		deadline: validDeadline(a.deadline),
		status: a.status,
		leefgebied: a.leefgebied,
		note: a.note ?? ''
	}));
	return { rows, over: actions.length - rows.length };
}

export class Projector {
	private timers = new Map<string, NodeJS.Timeout>();
	private chain: Promise<void> = Promise.resolve();
	private listeners: Listener[] = [];
	private closed = false;

	constructor(
		private readonly ctx: AppContext,
		private readonly hub: CollabHub,
		private readonly delayMs = 50
	) {}

	/** Called with every projected change of a case's actions (notifications, live lists). */
	onActionsChanged(listener: Listener): void {
		this.listeners.push(listener);
	}

	/**
	 * A document changed: project it shortly, once for a burst of typing. With `changedRoots`,
	 * only when the change touched what is projected (a case's actions, a meeting's agenda):
	 * typing in the other fields of a case does not rewrite its action rows.
	 */
	schedule(docName: string, changedRoots?: ReadonlySet<string>): void {
		if (this.closed) return;
		const projected = CASE_DOC.test(docName) ? [CASE_ROOT] : MEETING_DOC.test(docName) ? MEETING_ROOTS : null;
		if (!projected || (changedRoots && !projected.some((root) => changedRoots.has(root)))) return;
		const pending = this.timers.get(docName);
		if (pending) clearTimeout(pending);
		this.timers.set(
			docName,
			setTimeout(() => {
				this.timers.delete(docName);
				this.enqueue(docName, false);
			}, this.delayMs)
		);
	}

	private enqueue(docName: string, rebuild: boolean): Promise<void> {
		this.chain = this.chain
			.then(() => this.project(docName, rebuild))
			.catch((err) => this.ctx.log.error({ err, doc: docName }, 'projecting a document failed'));
		return this.chain;
	}

	/** Rebuilds every row from the stored documents (start-up). */
	async rebuildAll(): Promise<void> {
		const { db } = this.ctx;
		const names = new Set<string>();
		for (const r of await db.selectFrom('doc_snapshots').select('doc_name').execute()) names.add(r.doc_name);
		for (const r of await db.selectFrom('doc_updates').select('doc_name').distinct().execute()) names.add(r.doc_name);
		// rows whose document is gone are stale
		const caseIds = [...names].map((n) => CASE_DOC.exec(n)?.[1]).filter(Boolean).map(Number);
		const meetingIds = [...names].map((n) => MEETING_DOC.exec(n)?.[1]).filter(Boolean).map(Number);
		await db.deleteFrom('action_rows').where('case_id', 'not in', caseIds.length ? caseIds : [0]).execute();
		await db.deleteFrom('agenda_rows').where('meeting_id', 'not in', meetingIds.length ? meetingIds : [0]).execute();
		for (const name of names) await this.enqueue(name, true);
	}

	/** Waits until everything scheduled so far is projected (tests, shutdown). */
	async idle(): Promise<void> {
		for (const [name, timer] of this.timers) {
			clearTimeout(timer);
			this.timers.delete(name);
			void this.enqueue(name, false);
		}
		await this.chain;
	}

	async close(): Promise<void> {
		await this.idle();
		this.closed = true;
	}

	private async project(docName: string, rebuild: boolean): Promise<void> {
		const caseMatch = CASE_DOC.exec(docName);
		if (caseMatch) return this.projectCase(Number(caseMatch[1]), docName, rebuild);
		const meetingMatch = MEETING_DOC.exec(docName);
		if (meetingMatch) return this.projectMeeting(Number(meetingMatch[1]), docName);
	}

	private async projectCase(caseId: number, docName: string, rebuild: boolean): Promise<void> {
		const { db } = this.ctx;
		const exists = await db.selectFrom('cases').select('id').where('id', '=', caseId).executeTakeFirst();
		if (!exists) return;
		const { rows: after, over } = await this.hub.read(docName, (doc) => projectedActions(caseId, doc));
		const at = this.ctx.now().toISOString();
		// the projector is the only writer of these rows and projects one document at a time, so
		// rows read here are still current below; unchanged rows (typing that did not change an
		// action's projected fields) are not rewritten
		const old = await db.selectFrom('action_rows').selectAll().where('case_id', '=', caseId).orderBy('position').execute();
		const before = old.map(
			(r): ActionRow => ({
				caseId: r.case_id,
				actionId: r.action_id,
				position: r.position,
				text: r.text,
				actiehouderId: r.actiehouder_id,
				organisationId: r.organisation_id,
				deadline: r.deadline,
				status: r.status,
				leefgebied: r.leefgebied,
				note: r.note
			})
		);
		const same = JSON.stringify(before) === JSON.stringify(after);
		if (same) return;
		if (over > 0) this.ctx.log.warn({ doc: docName, cap: MAX_PROJECTED_ACTIONS, left: over }, 'a case has more actions than are projected; the rest is left out');
		await db.transaction().execute(async (trx) => {
			await trx.deleteFrom('action_rows').where('case_id', '=', caseId).execute();
			for (const chunk of chunks(after)) {
				await trx
					.insertInto('action_rows')
					.values(
						chunk.map((a) => ({
							case_id: a.caseId,
							action_id: a.actionId,
							position: a.position,
							text: a.text,
							actiehouder_id: a.actiehouderId,
							organisation_id: a.organisationId,
							deadline: a.deadline,
							status: a.status,
							leefgebied: a.leefgebied,
							note: a.note,
							projected_at: at
						}))
					)
					// two maps with the same id (a concurrent copy): the first in document order wins
					.onConflict((oc) => oc.columns(['case_id', 'action_id']).doNothing())
					.execute();
			}
		});
		for (const listener of this.listeners) {
			try {
				await listener({ caseId, before, after, rebuild });
			} catch (err) {
				this.ctx.log.error({ err, caseId }, 'an actions listener failed');
			}
		}
	}

	private async projectMeeting(meetingId: number, docName: string): Promise<void> {
		const { db } = this.ctx;
		const exists = await db.selectFrom('meetings').select('id').where('id', '=', meetingId).executeTakeFirst();
		if (!exists) return;
		const all = await this.hub.read(docName, (doc) => readAgenda(doc));
		if (all.length > MAX_PROJECTED_AGENDA_ITEMS) {
			this.ctx.log.warn({ doc: docName, cap: MAX_PROJECTED_AGENDA_ITEMS, left: all.length - MAX_PROJECTED_AGENDA_ITEMS }, 'a meeting has more agenda items than are projected; the rest is left out');
		}
		const items = all.slice(0, MAX_PROJECTED_AGENDA_ITEMS).map((item, position) => ({ item, position }));
		const at = this.ctx.now().toISOString();
		await db.transaction().execute(async (trx) => {
			await trx.deleteFrom('agenda_rows').where('meeting_id', '=', meetingId).execute();
			for (const chunk of chunks(items)) {
				await trx
					.insertInto('agenda_rows')
					.values(
						chunk.map(({ item, position }) => ({
							meeting_id: meetingId,
							item_id: item.id,
							position,
							case_id: item.caseId,
							title: item.title,
							planned_minutes: item.plannedMinutes,
							status: item.status,
							projected_at: at
						}))
					)
					.onConflict((oc) => oc.columns(['meeting_id', 'item_id']).doNothing())
					.execute();
			}
		});
	}
}
