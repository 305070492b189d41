import type { AppContext } from '../context';
import { conflict, invalidInput, notFound } from '../errors';
import { authorize, type Actor } from '../policy/index';
import { recordAudit } from '../audit/index';
import { casesWithoutCasusregisseur } from '../cases/regie';
import { tableTypeOfTable } from '../tables/types';
import { fullMeetingState, refuseWhenClosed } from './control';
import {
	addDecision,
	besprekingDocName,
	caseSnapshot,
	hasLegacyAgenda,
	migrateLegacyAgenda,
	readAgenda,
	readDecisions,
	removeDecisions,
	updateAgendaItem
} from '../../shared/documents';
import { templateMissing, type Attendee, type AttendeeKind } from '../../shared/tables';
import type { MeetingState } from '../../shared/live';
import type { Executor } from '../db/index';

/**
 * Per case, the action ids it had when its latest bespreking in another meeting was rounded off:
 * what MDA++'s "drie acties" per bespreking [001 §5.4.3] does not count. Cases never rounded off
 * before are absent (a first bespreking counts every action).
 */
export async function earlierActionIds(db: Executor, caseIds: number[], meetingId: number): Promise<Map<number, string[]>> {
	const out = new Map<number, string[]>();
	if (caseIds.length === 0) return out;
	const rows = await db
		.selectFrom('item_closures')
		.select(['case_id', 'action_ids', 'closed_at'])
		.where('case_id', 'in', caseIds)
		.where('meeting_id', '!=', meetingId)
		.where('action_ids', 'is not', null)
		.orderBy('closed_at', 'desc')
		.execute();
	for (const r of rows) {
		if (r.case_id === null || out.has(r.case_id)) continue;
		let ids: unknown;
		try {
			ids = JSON.parse(r.action_ids ?? '[]');
		} catch {
			ids = [];
		}
		out.set(r.case_id, Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : []);
	}
	return out;
}

async function meetingRow(ctx: AppContext, meetingId: number) {
	const m = await ctx.db
		.selectFrom('meetings')
		.select(['id', 'status', 'case_table_id'])
		.where('id', '=', meetingId)
		.executeTakeFirst();
	if (!m) throw notFound();
	return m;
}

function hubOf(ctx: AppContext) {
	const hub = ctx.realtime?.hub;
	if (!hub) throw new Error('the document hub is not running');
	return hub;
}

/**
 * Moves an agenda stored as the legacy array into the agenda map, once, as a server change that
 * open pages receive like any other. Readers read both, so a meeting that is never migrated (a
 * closed one: its document is frozen) still shows its agenda; writers migrate first as well.
 * Returns whether anything was moved.
 */
export async function migrateAgenda(ctx: AppContext, meetingId: number): Promise<boolean> {
	const hub = ctx.realtime?.hub;
	if (!hub) return false;
	const name = `meeting:${meetingId}`;
	if (!(await hub.read(name, hasLegacyAgenda))) return false;
	let moved = false;
	await hub.change(name, 'agenda migrated', (doc) => {
		moved = migrateLegacyAgenda(doc);
	});
	if (moved) ctx.log.info({ doc: name }, 'agenda migrated to the agenda map');
	return moved;
}

/**
 * One rule for case content: a decision about a case belongs in the case's bespreking document.
 * Migration 0012 moved the stored ones; a page loaded before that release can still write one
 * into the meeting document. This moves any such decision (same id, once) and deletes it from
 * the meeting document; a decision of a purged case is only deleted. Returns how many moved.
 */
export async function moveCaseDecisions(ctx: AppContext, meetingId: number): Promise<number> {
	const hub = ctx.realtime?.hub;
	if (!hub) return 0;
	const name = `meeting:${meetingId}`;
	const stray = await hub.read(name, (doc) => {
		const caseOf = new Map(readAgenda(doc).flatMap((i) => (i.caseId !== null ? [[i.id, i.caseId] as const] : [])));
		return readDecisions(doc).flatMap((d) => (caseOf.has(d.itemId) ? [{ ...d, caseId: caseOf.get(d.itemId)! }] : []));
	});
	if (stray.length === 0) return 0;
	let moved = 0;
	for (const caseId of new Set(stray.map((d) => d.caseId))) {
		const c = await ctx.db.selectFrom('cases').select('purged_at').where('id', '=', caseId).executeTakeFirst();
		if (c?.purged_at) continue;
		await hub.change(besprekingDocName(meetingId, caseId), 'case decisions moved', (doc) => {
			const present = new Set(readDecisions(doc).map((d) => d.id));
			for (const d of stray) {
				if (d.caseId !== caseId || present.has(d.id)) continue;
				addDecision(doc, d.itemId, d.text, d.id);
				moved += 1;
			}
		});
	}
	await hub.change(name, 'case decisions moved', (doc) => void removeDecisions(doc, new Set(stray.map((d) => d.id))));
	ctx.log.info({ doc: name, moved }, 'case decisions moved to their bespreking documents');
	return moved;
}

/**
 * Closes (rondt af) an agenda item, a server command because it is a decision that must hold:
 * the case document is checked against the table's output template, and the case must have a
 * casusregisseur. Either may be missing only with an explicit reason, which is recorded with
 * the closure. The case moves to 'besproken' when it was aangemeld or gepland.
 */
export async function closeItem(
	ctx: AppContext,
	actor: Actor,
	input: { meetingId: number; itemId: string; templateReason?: string; regieReason?: string }
): Promise<MeetingState> {
	const { db } = ctx;
	await authorize(db, actor, 'meeting.run', { kind: 'meeting', meetingId: input.meetingId });
	const meeting = await meetingRow(ctx, input.meetingId);
	refuseWhenClosed(meeting);
	const hub = hubOf(ctx);
	const item = await hub.read(`meeting:${meeting.id}`, (doc) => readAgenda(doc).find((i) => i.id === input.itemId));
	if (!item) throw invalidInput({ itemId: 'Dit agendapunt bestaat niet (meer).' }, 'Dit agendapunt bestaat niet (meer).');
	const already = await db
		.selectFrom('item_closures')
		.select('id')
		.where('meeting_id', '=', meeting.id)
		.where('item_id', '=', item.id)
		.executeTakeFirst();
	if (already) return fullMeetingState(ctx, meeting.id);

	let caseId: number | null = null;
	let missing: string[] = [];
	let actionIds: string[] | null = null;
	let withoutRegie = false;
	if (item.caseId !== null) {
		const c = await db
			.selectFrom('cases')
			.select(['id', 'status'])
			.where('id', '=', item.caseId)
			.where('case_table_id', '=', meeting.case_table_id)
			.executeTakeFirst();
		if (c) {
			caseId = c.id;
			const type = await tableTypeOfTable(db, meeting.case_table_id);
			const snapshot = await hub.read(`case:${c.id}`, (doc) => caseSnapshot(doc, type.leefgebieden));
			snapshot.earlierActionIds = (await earlierActionIds(db, [c.id], meeting.id)).get(c.id) ?? [];
			actionIds = snapshot.actions.map((a) => a.id);
			missing = templateMissing(type.outputTemplate, type.leefgebieden, snapshot);
			withoutRegie = (await casesWithoutCasusregisseur(db, [c.id])).length > 0;
		}
	}
	const templateReason = input.templateReason?.trim() || null;
	const regieReason = input.regieReason?.trim() || null;
	const fields: Record<string, string> = {};
	if (missing.length > 0 && (!templateReason || templateReason.length < 5)) {
		fields.templateReason = `De uitkomst voldoet nog niet aan wat deze tafel vraagt: ${missing.join(' ')} Vul het aan of geef een reden om toch af te ronden.`;
	}
	if (withoutRegie && (!regieReason || regieReason.length < 5)) {
		fields.regieReason = 'Deze casus heeft nog geen casusregisseur. Wijs er een aan of leg vast waarom het punt toch wordt afgerond.';
	}
	if (Object.keys(fields).length > 0) throw conflict(Object.values(fields).join(' '), fields);

	const now = ctx.now();
	await db.transaction().execute(async (trx) => {
		await trx
			.insertInto('item_closures')
			.values({
				meeting_id: meeting.id,
				item_id: item.id,
				case_id: caseId,
				closed_by: actor.userId,
				closed_at: now.toISOString(),
				template_missing: JSON.stringify(missing),
				template_reason: missing.length > 0 ? templateReason : null,
				regie_reason: withoutRegie ? regieReason : null,
				action_ids: actionIds === null ? null : JSON.stringify(actionIds)
			})
			.onConflict((oc) => oc.columns(['meeting_id', 'item_id']).doNothing())
			.execute();
		if (caseId !== null) {
			await trx
				.updateTable('cases')
				.set({ status: 'besproken' })
				.where('id', '=', caseId)
				.where('status', 'in', ['aangemeld', 'gepland'])
				.execute();
		}
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'meeting.item_close',
			caseId,
			meetingId: meeting.id,
			detail: { itemId: item.id, templateMet: missing.length === 0, regie: !withoutRegie }
		});
	});
	await hub.change(`meeting:${meeting.id}`, 'item closed', (doc) => updateAgendaItem(doc, item.id, { status: 'besproken' }));
	// the whole state: the live server sends each member what the policy lets them see
	return fullMeetingState(ctx, meeting.id);
}

/** The client's side at one bespreking: parents, the young person, household, network. */
export async function attendance(ctx: AppContext, meetingId: number, caseId: number): Promise<Attendee[]> {
	const rows = await ctx.db
		.selectFrom('attendance')
		.select(['id', 'kind', 'name', 'age'])
		.where('meeting_id', '=', meetingId)
		.where('case_id', '=', caseId)
		.orderBy('id')
		.execute();
	return rows.map((r) => ({ ...r, kind: r.kind as AttendeeKind }));
}

/** Only those who may edit the case record attendance, while the meeting is not closed. */
async function authorizeAttendance(ctx: AppContext, actor: Actor, meetingId: number, caseId: number) {
	await authorize(ctx.db, actor, 'meeting.view', { kind: 'meeting', meetingId });
	await authorize(ctx.db, actor, 'case.edit', { kind: 'case', caseId });
	const meeting = await meetingRow(ctx, meetingId);
	const sameTable = await ctx.db
		.selectFrom('cases')
		.select('id')
		.where('id', '=', caseId)
		.where('case_table_id', '=', meeting.case_table_id)
		.executeTakeFirst();
	if (!sameTable) throw notFound();
	refuseWhenClosed(meeting);
	return meeting;
}

export async function addAttendee(
	ctx: AppContext,
	actor: Actor,
	input: { meetingId: number; caseId: number; kind: AttendeeKind; name: string; age: number | null }
): Promise<Attendee[]> {
	const meeting = await authorizeAttendance(ctx, actor, input.meetingId, input.caseId);
	if (input.kind === 'jeugdige') {
		const type = await tableTypeOfTable(ctx.db, meeting.case_table_id);
		if (type.childMinAge !== null) {
			if (input.age === null) {
				throw invalidInput({ age: `Vul de leeftijd in: bij ${type.name} mogen kinderen vanaf ${type.childMinAge} jaar meedoen.` }, `Vul de leeftijd in: bij ${type.name} mogen kinderen vanaf ${type.childMinAge} jaar meedoen.`);
			}
			if (input.age < type.childMinAge) {
				const message = `Bij ${type.name} mogen kinderen vanaf ${type.childMinAge} jaar meedoen aan het gesprek; dit kind is ${input.age}. Bespreek met de ouders hoe het kind op een andere manier gehoord wordt.`;
				throw invalidInput({ age: message }, message);
			}
		}
	}
	const now = ctx.now();
	await ctx.db
		.insertInto('attendance')
		.values({
			meeting_id: input.meetingId,
			case_id: input.caseId,
			kind: input.kind,
			name: input.name.trim(),
			age: input.age,
			added_by: actor.userId,
			created_at: now.toISOString()
		})
		.execute();
	await recordAudit(ctx.db, {
		at: now,
		userId: actor.userId,
		organisationId: actor.organisationId,
		action: 'meeting.attendance',
		caseId: input.caseId,
		meetingId: input.meetingId,
		detail: { kind: input.kind, change: 'add' }
	});
	return attendance(ctx, input.meetingId, input.caseId);
}

export async function removeAttendee(
	ctx: AppContext,
	actor: Actor,
	input: { meetingId: number; caseId: number; attendeeId: number }
): Promise<Attendee[]> {
	await authorizeAttendance(ctx, actor, input.meetingId, input.caseId);
	await ctx.db
		.deleteFrom('attendance')
		.where('id', '=', input.attendeeId)
		.where('meeting_id', '=', input.meetingId)
		.where('case_id', '=', input.caseId)
		.execute();
	await recordAudit(ctx.db, {
		at: ctx.now(),
		userId: actor.userId,
		organisationId: actor.organisationId,
		action: 'meeting.attendance',
		caseId: input.caseId,
		meetingId: input.meetingId,
		detail: { change: 'remove' }
	});
	return attendance(ctx, input.meetingId, input.caseId);
}
