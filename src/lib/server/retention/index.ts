import * as Y from 'yjs';
import type { AppContext } from '../context';
import type { Executor } from '../db/index';
import { recordAudit } from '../audit/index';
import { addMonths } from '../cases/lifecycle';
import { requireAdmin } from '../admin/service';
import { forgetEndedSessions, forgetStaleThrottles } from '../auth/cleanup';
import { sessionPolicy } from '../auth/session';
import { invalidInput, notFound } from '../errors';
import type { Actor } from '../policy/index';
import { agendaItemsOf, decisionsOf, legacyAgendaOf, meetingNotesOf } from '../../shared/documents';

/**
 * Retention (issue 6 item 6): a closed case keeps its personal data for the retention period of
 * its table type (table_types.retention_months), counted from closed_at. After that the daily
 * job removes the personal data: the case's documents with their update log and snapshots, the
 * projected action rows, attendance (names), regie history, notifications, the free text of
 * escalations, item closures and the aanmelding, and the case's identifying fields. What
 * monitoring counts stays: the case row with its status, dates, table and legal frame, the
 * request row with its dates and links, escalation and item-closure rows without their text,
 * and the organisations that had access (organisation ids only).
 *
 * Only a case that is closed ('afgesloten'), not purged yet, and past its term is ever touched;
 * every purge is checked again inside its own transaction.
 */

export const PURGED_TITLE = 'Verwijderd na bewaartermijn';
/** What an agenda item of a purged case is called afterwards, in the meeting document and its rows. */
export const PURGED_AGENDA_TITLE = 'Verwijderde casus';
const MEETING_DOC = /^meeting:(\d+)$/;

const CASE_DOC = (caseId: number) => `case:${caseId}`;
const BESPREKING_DOC = /^bespreking:(\d+):(\d+)$/;

export interface RetentionCase {
	caseId: number;
	code: string;
	tableId: number;
	tableName: string;
	typeName: string;
	retentionMonths: number;
	/** ISO timestamp the case was closed */
	closedAt: string;
	/** ISO timestamp from which the case is due for removal */
	dueAt: string;
}

/** When a case closed at `closedAt` passes a term of `months`: the same moment, months later. */
export function dueDate(closedAt: string, months: number): string {
	const iso = new Date(closedAt).toISOString();
	return `${addMonths(iso.slice(0, 10), months)}${iso.slice(10)}`;
}

async function closedUnpurged(db: Executor): Promise<RetentionCase[]> {
	const rows = await db
		.selectFrom('cases')
		.innerJoin('case_tables', 'case_tables.id', 'cases.case_table_id')
		.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
		.select([
			'cases.id',
			'cases.code',
			'cases.closed_at',
			'case_tables.id as tableId',
			'case_tables.name as tableName',
			'table_types.name as typeName',
			'table_types.retention_months'
		])
		.where('cases.status', '=', 'afgesloten')
		.where('cases.closed_at', 'is not', null)
		.where('cases.purged_at', 'is', null)
		.execute();
	return rows
		.map((r) => ({
			caseId: r.id,
			code: r.code,
			tableId: r.tableId,
			tableName: r.tableName,
			typeName: r.typeName,
			retentionMonths: r.retention_months,
			closedAt: new Date(r.closed_at!).toISOString(),
			dueAt: dueDate(r.closed_at!, r.retention_months)
		}))
		.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.code.localeCompare(b.code));
}

/** Closed cases past their term at `now`, not purged yet, earliest first. */
export async function dueForPurge(ctx: Pick<AppContext, 'db'>, now: Date): Promise<RetentionCase[]> {
	const at = now.toISOString();
	return (await closedUnpurged(ctx.db)).filter((c) => c.dueAt <= at);
}

/** Closed cases that become due within `days` after `now` (not yet due), earliest first. */
export async function comingDue(ctx: Pick<AppContext, 'db'>, now: Date, days = 90): Promise<RetentionCase[]> {
	const at = now.toISOString();
	const until = new Date(now.getTime() + days * 86_400_000).toISOString();
	return (await closedUnpurged(ctx.db)).filter((c) => c.dueAt > at && c.dueAt <= until);
}

/** What one purge removed or blanked, as counts (stored in purges.detail and the audit row). */
export interface PurgeCounts {
	documents: number;
	docUpdates: number;
	docSnapshots: number;
	actionRows: number;
	attendance: number;
	regieAssignments: number;
	notifications: number;
	escalationsBlanked: number;
	itemClosuresBlanked: number;
	requestsBlanked: number;
	/** meeting documents whose agenda item, decisions or note lines about the case were cleared */
	meetingDocsScrubbed: number;
	agendaRowsBlanked: number;
}

export interface PurgeResult {
	caseId: number;
	code: string;
	counts: PurgeCounts;
}

/** The names of every stored document of a case: its case document and its besprekingen. */
async function documentsOf(db: Executor, caseId: number): Promise<string[]> {
	const names = new Set<string>();
	const pattern = `bespreking:%:${caseId}`;
	const own = CASE_DOC(caseId);
	for (const table of ['doc_updates', 'doc_snapshots', 'doc_update_quarantine'] as const) {
		const rows = await db
			.selectFrom(table)
			.select('doc_name')
			.distinct()
			.where((eb) => eb.or([eb('doc_name', '=', own), eb('doc_name', 'like', pattern)]))
			.execute();
		for (const r of rows) names.add(r.doc_name);
	}
	// also the besprekingen of meetings that have the case on their agenda but stored nothing yet
	for (const table of ['item_closures', 'agenda_rows'] as const) {
		const meetings = await db.selectFrom(table).select('meeting_id').distinct().where('case_id', '=', caseId).execute();
		for (const m of meetings) names.add(`bespreking:${m.meeting_id}:${caseId}`);
	}
	names.add(own);
	return [...names].filter((n) => n === own || Number(BESPREKING_DOC.exec(n)?.[2]) === caseId).sort();
}

/** The meetings that may hold traces of a case in their meeting document. */
async function meetingsOf(db: Executor, caseId: number, docNames: string[]): Promise<number[]> {
	const ids = new Set<number>();
	for (const table of ['agenda_rows', 'item_closures', 'attendance'] as const) {
		for (const r of await db.selectFrom(table).select('meeting_id').distinct().where('case_id', '=', caseId).execute()) ids.add(r.meeting_id);
	}
	for (const name of docNames) {
		const m = BESPREKING_DOC.exec(name);
		if (m) ids.add(Number(m[1]));
	}
	return [...ids].sort((a, b) => a - b);
}

/** Words that identify the case in free text: its code, title and the subject's name. */
function needlesOf(row: { code: string; title: string; subject_name: string }): string[] {
	return [row.code, row.title, row.subject_name].map((s) => s.trim().toLowerCase()).filter((s) => s.length >= 3);
}

export interface MeetingScrub {
	agendaItems: number;
	decisions: number;
	noteLines: number;
}

/**
 * Clears one case from a meeting document: its agenda items keep their place but are called
 * "Verwijderde casus" without a case code, the decisions recorded for those items (or naming the
 * case) go, and so does every line of the meeting notes that names the case. Pure on the Y.Doc.
 */
export function scrubMeetingDoc(doc: Y.Doc, caseId: number, needles: string[]): MeetingScrub {
	const result: MeetingScrub = { agendaItems: 0, decisions: 0, noteLines: 0 };
	const names = (text: unknown) => typeof text === 'string' && needles.some((n) => text.toLowerCase().includes(n));
	const itemIds = new Set<string>();
	doc.transact(() => {
		const clear = (map: Y.Map<unknown>, id: unknown) => {
			if (map.get('caseId') !== caseId && !names(map.get('caseCode')) && !names(map.get('title'))) return;
			if (typeof id === 'string') itemIds.add(id);
			map.set('title', PURGED_AGENDA_TITLE);
			map.set('caseCode', null);
			result.agendaItems++;
		};
		for (const [id, value] of agendaItemsOf(doc).entries()) if (value instanceof Y.Map) clear(value, id);
		for (const value of legacyAgendaOf(doc).toArray()) if (value instanceof Y.Map) clear(value, value.get('id'));
		const decisions = decisionsOf(doc);
		for (let i = decisions.length - 1; i >= 0; i--) {
			const d = decisions.get(i);
			if (!(d instanceof Y.Map)) continue;
			if (itemIds.has(d.get('itemId') as string) || names(d.get('text'))) {
				decisions.delete(i, 1);
				result.decisions++;
			}
		}
		const notes = meetingNotesOf(doc);
		const text = notes.toString();
		if (names(text)) {
			// every line that names the case goes; the rest is written anew (the old text is collected)
			const lines = text.split('\n');
			const kept = lines.filter((line) => !names(line));
			result.noteLines = lines.length - kept.length;
			notes.delete(0, notes.length);
			notes.insert(0, kept.join('\n'));
		}
	});
	return result;
}

/**
 * Rewrites a stored meeting document without the case: the stored log (snapshot, updates and
 * any quarantined updates) is loaded, scrubbed, and replaced by one fresh snapshot. A Y.Doc
 * collects the content of deleted items (gc), so the snapshot holds no trace of the old text,
 * and the old update rows, which still did, are deleted (and zeroed: secure_delete).
 */
async function rewriteMeetingDoc(trx: Executor, name: string, caseId: number, needles: string[], at: string): Promise<MeetingScrub | null> {
	const snapshot = await trx.selectFrom('doc_snapshots').select(['state', 'last_update_id']).where('doc_name', '=', name).executeTakeFirst();
	const updates = await trx
		.selectFrom('doc_updates')
		.select(['id', 'data'])
		.where('doc_name', '=', name)
		.where('id', '>', snapshot?.last_update_id ?? 0)
		.orderBy('id')
		.execute();
	if (!snapshot && updates.length === 0) return null;
	const doc = new Y.Doc();
	try {
		if (snapshot) Y.applyUpdate(doc, new Uint8Array(snapshot.state));
		for (const u of updates) {
			try {
				Y.applyUpdate(doc, new Uint8Array(u.data));
			} catch {
				/* an update that does not apply is dropped with the rest of the log */
			}
		}
		const scrub = scrubMeetingDoc(doc, caseId, needles);
		const quarantined = await trx.selectFrom('doc_update_quarantine').select('id').where('doc_name', '=', name).executeTakeFirst();
		// a snapshot alone holds no deleted content (the hub's documents collect it): when the case
		// is not in it and no log follows it, there is nothing to rewrite
		if (scrub.agendaItems + scrub.decisions + scrub.noteLines === 0 && updates.length === 0 && !quarantined) return null;
		const state = Y.encodeStateAsUpdate(doc);
		const upto = updates.at(-1)?.id ?? snapshot?.last_update_id ?? 0;
		await trx.deleteFrom('doc_updates').where('doc_name', '=', name).where('id', '<=', upto).execute();
		await trx.deleteFrom('doc_update_quarantine').where('doc_name', '=', name).execute();
		await trx
			.insertInto('doc_snapshots')
			.values({ doc_name: name, state, last_update_id: upto, updated_at: at })
			.onConflict((oc) => oc.column('doc_name').doUpdateSet({ state, last_update_id: upto, updated_at: at }))
			.execute();
		return scrub;
	} finally {
		doc.destroy();
	}
}

const changed = (r: { numUpdatedRows?: bigint; numDeletedRows?: bigint } | undefined) =>
	Number(r?.numUpdatedRows ?? r?.numDeletedRows ?? 0n);

/**
 * Removes the personal data of one case in one transaction, if (checked again inside it) the
 * case is closed, not purged yet and past its term at `now`. Returns null when it was not.
 */
async function purgeCase(ctx: AppContext, caseId: number, now: Date): Promise<PurgeResult | null> {
	const hub = ctx.realtime?.hub;
	const at = now.toISOString();
	const docNames = await documentsOf(ctx.db, caseId);
	const meetingDocs = (await meetingsOf(ctx.db, caseId, docNames)).map((id) => `meeting:${id}`);
	// Live copies go first (pending writes land), so nothing is written after the delete...
	if (hub) for (const name of [...docNames, ...meetingDocs]) await hub.forget(name);

	const result = await ctx.db.transaction().execute(async (trx) => {
		const row = await trx
			.selectFrom('cases')
			.innerJoin('case_tables', 'case_tables.id', 'cases.case_table_id')
			.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
			.select(['cases.id', 'cases.code', 'cases.title', 'cases.subject_name', 'cases.status', 'cases.closed_at', 'cases.purged_at', 'cases.case_table_id', 'table_types.retention_months'])
			.where('cases.id', '=', caseId)
			.executeTakeFirst();
		if (!row || row.status !== 'afgesloten' || !row.closed_at || row.purged_at !== null) return null;
		if (dueDate(row.closed_at, row.retention_months) > at) return null;

		const names = await documentsOf(trx, caseId);
		// the case's traces in the meeting documents: rewritten without them, old log dropped
		const needles = needlesOf(row);
		const meetings = (await meetingsOf(trx, caseId, names)).map((id) => `meeting:${id}`);
		let meetingDocsScrubbed = 0;
		for (const name of meetings) if (await rewriteMeetingDoc(trx, name, caseId, needles, at)) meetingDocsScrubbed++;
		let docUpdates = 0;
		let docSnapshots = 0;
		const stored = new Set<string>();
		for (const name of names) {
			const u = changed(await trx.deleteFrom('doc_updates').where('doc_name', '=', name).executeTakeFirst());
			const s = changed(await trx.deleteFrom('doc_snapshots').where('doc_name', '=', name).executeTakeFirst());
			// updates set aside as not applicable hold case content too
			const q = changed(await trx.deleteFrom('doc_update_quarantine').where('doc_name', '=', name).executeTakeFirst());
			if (u + s + q > 0) stored.add(name);
			docUpdates += u;
			docSnapshots += s;
		}
		const counts: PurgeCounts = {
			documents: stored.size,
			docUpdates,
			docSnapshots,
			actionRows: changed(await trx.deleteFrom('action_rows').where('case_id', '=', caseId).executeTakeFirst()),
			attendance: changed(await trx.deleteFrom('attendance').where('case_id', '=', caseId).executeTakeFirst()),
			regieAssignments: changed(await trx.deleteFrom('regie_assignments').where('case_id', '=', caseId).executeTakeFirst()),
			notifications: changed(
				await trx
					.deleteFrom('notifications')
					// also a notice that names the case without being linked to it
					.where((eb) => eb.or([eb('case_id', '=', caseId), eb('text', 'like', `%${row.code}%`)]))
					.executeTakeFirst()
			),
			escalationsBlanked: changed(
				await trx
					.updateTable('escalations')
					.set((eb) => ({ reason: '', outcome: eb.case().when('outcome', 'is', null).then(null).else('').end() }))
					.where('case_id', '=', caseId)
					.executeTakeFirst()
			),
			itemClosuresBlanked: changed(
				await trx
					.updateTable('item_closures')
					.set({ template_reason: null, regie_reason: null })
					.where('case_id', '=', caseId)
					.executeTakeFirst()
			),
			requestsBlanked: changed(
				await trx
					.updateTable('requests')
					.set({ subject_name: '', subject_birthdate: null, reason: '', question: '', consent_note: '', triage_note: null, purged_at: at })
					.where('case_id', '=', caseId)
					.executeTakeFirst()
			),
			meetingDocsScrubbed,
			agendaRowsBlanked: changed(
				await trx.updateTable('agenda_rows').set({ title: PURGED_AGENDA_TITLE }).where('case_id', '=', caseId).executeTakeFirst()
			)
		};
		// regie notes of the case went with its regie rows; attendance (names) too
		await trx
			.updateTable('cases')
			.set({ title: PURGED_TITLE, subject_name: '', subject_birthdate: null, outcome: null, nazorg: null, purged_at: at })
			.where('id', '=', caseId)
			.execute();
		await trx
			.insertInto('purges')
			.values({ case_id: caseId, case_table_id: row.case_table_id, closed_at: row.closed_at, purged_at: at, detail: JSON.stringify(counts) })
			.execute();
		await recordAudit(trx, {
			at: now,
			userId: null,
			organisationId: null,
			action: 'case.purge',
			caseId,
			detail: { code: row.code, retentionMonths: row.retention_months, ...counts }
		});
		return { caseId, code: row.code, counts, docNames: [...names, ...meetings] };
	});
	if (!result) return null;
	// ...and again after it, in case a connection loaded a document in between.
	if (hub) for (const name of result.docNames) await hub.forget(name);
	return { caseId: result.caseId, code: result.code, counts: result.counts };
}

/** Purges every case past its term at `now`, one transaction per case; returns what was purged. */
export async function purgeDue(ctx: AppContext, now: Date): Promise<PurgeResult[]> {
	const purged: PurgeResult[] = [];
	for (const c of await dueForPurge(ctx, now)) {
		try {
			const result = await purgeCase(ctx, c.caseId, now);
			if (result) purged.push(result);
		} catch (err) {
			// one case failing (it rolled back) does not stop the others; the next run retries it
			ctx.log.error({ err, caseId: c.caseId }, 'retention purge of a case failed');
		}
	}
	if (purged.length > 0) ctx.log.info({ cases: purged.length }, 'retention purge');
	return purged;
}

// ---- aanmeldingen that never became a case ----

/** Request statuses that end without a case: their data has a (short) term of its own. */
export const ENDED_WITHOUT_CASE = ['afgewezen', 'ingetrokken'] as const;

export interface RequestDue {
	requestId: number;
	tableName: string;
	status: string;
	/** when it was declined or withdrawn */
	endedAt: string;
	retentionMonths: number;
	dueAt: string;
}

async function endedUnpurgedRequests(db: Executor): Promise<RequestDue[]> {
	const rows = await db
		.selectFrom('requests')
		.innerJoin('case_tables', 'case_tables.id', 'requests.case_table_id')
		.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
		.select(['requests.id', 'requests.status', 'requests.decided_at', 'requests.updated_at', 'case_tables.name as tableName', 'table_types.request_retention_months'])
		.where('requests.status', 'in', [...ENDED_WITHOUT_CASE])
		.where('requests.case_id', 'is', null)
		.where('requests.purged_at', 'is', null)
		.execute();
	return rows
		.map((r) => {
			const endedAt = new Date(r.decided_at ?? r.updated_at).toISOString();
			return {
				requestId: r.id,
				tableName: r.tableName,
				status: r.status,
				endedAt,
				retentionMonths: r.request_retention_months,
				dueAt: dueDate(endedAt, r.request_retention_months)
			};
		})
		.sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.requestId - b.requestId);
}

/** Declined and withdrawn aanmeldingen past their term at `now`, not purged yet. */
export async function requestsDueForPurge(ctx: Pick<AppContext, 'db'>, now: Date): Promise<RequestDue[]> {
	const at = now.toISOString();
	return (await endedUnpurgedRequests(ctx.db)).filter((r) => r.dueAt <= at);
}

/**
 * Removes the personal data of every declined or withdrawn aanmelding past its table type's
 * `request_retention_months` (counted from the decision or withdrawal): the subject's name and
 * birthdate, the reason, the question, the consent note and the triage note. What stays is a
 * stub without a name (table, organisation, dates, status, legal frame) so monitoring still
 * counts it. One transaction per request, each checked again inside it.
 */
export async function purgeRequestsDue(ctx: AppContext, now: Date): Promise<number[]> {
	const at = now.toISOString();
	const purged: number[] = [];
	for (const r of await requestsDueForPurge(ctx, now)) {
		try {
			const done = await ctx.db.transaction().execute(async (trx) => {
				const row = await trx
					.selectFrom('requests')
					.innerJoin('case_tables', 'case_tables.id', 'requests.case_table_id')
					.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
					.select(['requests.status', 'requests.case_id', 'requests.purged_at', 'requests.decided_at', 'requests.updated_at', 'table_types.request_retention_months'])
					.where('requests.id', '=', r.requestId)
					.executeTakeFirst();
				if (!row || row.case_id !== null || row.purged_at !== null) return false;
				if (!(ENDED_WITHOUT_CASE as readonly string[]).includes(row.status)) return false;
				if (dueDate(row.decided_at ?? row.updated_at, row.request_retention_months) > at) return false;
				await trx
					.updateTable('requests')
					.set({ subject_name: '', subject_birthdate: null, reason: '', question: '', consent_note: '', triage_note: null, purged_at: at })
					.where('id', '=', r.requestId)
					.execute();
				await recordAudit(trx, {
					at: now,
					userId: null,
					organisationId: null,
					action: 'request.purge',
					detail: { requestId: r.requestId, status: row.status, retentionMonths: row.request_retention_months }
				});
				return true;
			});
			if (done) purged.push(r.requestId);
		} catch (err) {
			ctx.log.error({ err, requestId: r.requestId }, 'retention purge of an aanmelding failed');
		}
	}
	if (purged.length > 0) ctx.log.info({ requests: purged.length }, 'retention purge of aanmeldingen');
	return purged;
}

/** Sets a table type's term for aanmeldingen that never became a case (beheerder only). */
export async function setRequestRetention(ctx: AppContext, actor: Actor, tableTypeId: number, months: number, meta: { ip?: string | null } = {}): Promise<void> {
	await requireAdmin(ctx, actor);
	if (!Number.isInteger(months) || months < 1 || months > 120) {
		throw invalidInput({ months: 'Kies een termijn van 1 tot en met 120 maanden.' }, 'Kies een termijn van 1 tot en met 120 maanden.');
	}
	await ctx.db.transaction().execute(async (trx) => {
		const row = await trx.selectFrom('table_types').select(['id', 'request_retention_months']).where('id', '=', tableTypeId).executeTakeFirst();
		if (!row) throw notFound();
		if (row.request_retention_months === months) return;
		await trx.updateTable('table_types').set({ request_retention_months: months, updated_at: ctx.now().toISOString() }).where('id', '=', tableTypeId).execute();
		await recordAudit(trx, {
			at: ctx.now(),
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'tabletype.update',
			detail: { tableTypeId, fields: ['requestRetentionMonths'], from: row.request_retention_months, to: months },
			ip: meta.ip ?? null
		});
	});
}

export interface PurgeRecord {
	caseId: number;
	code: string;
	tableName: string;
	closedAt: string;
	purgedAt: string;
	counts: Partial<PurgeCounts>;
}

/** The most recent purges, newest first: codes and dates only. */
export async function recentPurges(ctx: Pick<AppContext, 'db'>, limit = 50): Promise<PurgeRecord[]> {
	const rows = await ctx.db
		.selectFrom('purges')
		.leftJoin('cases', 'cases.id', 'purges.case_id')
		.leftJoin('case_tables', 'case_tables.id', 'purges.case_table_id')
		.select(['purges.case_id', 'cases.code', 'case_tables.name as tableName', 'purges.closed_at', 'purges.purged_at', 'purges.detail'])
		.orderBy('purges.purged_at', 'desc')
		.orderBy('purges.id', 'desc')
		.limit(limit)
		.execute();
	return rows.map((r) => {
		let counts: Partial<PurgeCounts> = {};
		try {
			counts = JSON.parse(r.detail) as Partial<PurgeCounts>;
		} catch {
			/* an unreadable detail shows no counts */
		}
		return {
			caseId: r.case_id,
			code: r.code ?? `#${r.case_id}`,
			tableName: r.tableName ?? '',
			closedAt: r.closed_at,
			purgedAt: r.purged_at,
			counts
		};
	});
}

// ---- the daily job ----

export interface RetentionJob {
	/** runs a purge now (also what the timer does); resolves when it is done */
	run(): Promise<PurgeResult[]>;
	stop(): Promise<void>;
}

/** Hours between runs: RETENTION_INTERVAL_HOURS, else 24. */
export function retentionIntervalHours(env: NodeJS.ProcessEnv = process.env): number {
	const hours = Number(env.RETENTION_INTERVAL_HOURS);
	return Number.isFinite(hours) && hours > 0 ? hours : 24;
}

/**
 * Purges once now and then every interval (default 24 h), with the context's clock. Runs
 * never overlap.
 */
export function startRetention(ctx: AppContext, options: { intervalHours?: number } = {}): RetentionJob {
	const hours = options.intervalHours ?? retentionIntervalHours();
	let running: Promise<PurgeResult[]> = Promise.resolve([]);
	let stopped = false;
	const run = () => {
		running = running
			.catch(() => [])
			.then(async () => {
				if (stopped) return [];
				try {
					const now = ctx.now();
					const cases = await purgeDue(ctx, now);
					await purgeRequestsDue(ctx, now);
					const sessions = await forgetEndedSessions(ctx.db, now, sessionPolicy(ctx));
					const throttles = await forgetStaleThrottles(ctx.db, now);
					if (sessions + throttles > 0) ctx.log.info({ sessions, throttles }, 'forgot ended sessions and stale login counters');
					return cases;
				} catch (err) {
					ctx.log.error({ err }, 'retention run failed');
					return [];
				}
			});
		return running;
	};
	// setInterval holds at most 2^31-1 ms (about 24.8 days)
	const timer = setInterval(() => void run(), Math.min(2 ** 31 - 1, Math.max(60_000, hours * 3_600_000)));
	timer.unref();
	void run();
	return {
		run,
		async stop() {
			stopped = true;
			clearInterval(timer);
			await running.catch(() => undefined);
		}
	};
}

// ---- the beheerder's overview ----

export interface RetentionOverview {
	/** past their term, waiting for the next run */
	due: RetentionCase[];
	/** becoming due within `horizonDays` */
	upcoming: RetentionCase[];
	horizonDays: number;
	recent: PurgeRecord[];
	types: { id: number; name: string; retentionMonths: number; requestRetentionMonths: number }[];
	intervalHours: number;
	/** declined and withdrawn aanmeldingen: past their term (waiting for the next run), and removed */
	requests: { due: number; purged: number };
}

/** What is due for removal and when, and what was removed: codes and dates only, for beheerders. */
export async function retentionOverview(ctx: AppContext, actor: Actor, horizonDays = 90): Promise<RetentionOverview> {
	await requireAdmin(ctx, actor);
	const now = ctx.now();
	const types = await ctx.db.selectFrom('table_types').select(['id', 'name', 'retention_months', 'request_retention_months']).orderBy('name').execute();
	const purgedRequests = await ctx.db
		.selectFrom('requests')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('purged_at', 'is not', null)
		.where('case_id', 'is', null)
		.executeTakeFirst();
	return {
		due: await dueForPurge(ctx, now),
		upcoming: await comingDue(ctx, now, horizonDays),
		horizonDays,
		recent: await recentPurges(ctx),
		types: types.map((t) => ({ id: t.id, name: t.name, retentionMonths: t.retention_months, requestRetentionMonths: t.request_retention_months })),
		intervalHours: retentionIntervalHours(),
		requests: { due: (await requestsDueForPurge(ctx, now)).length, purged: Number(purgedRequests?.n ?? 0) }
	};
}
