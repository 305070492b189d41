import type { AppContext } from '../context';
import type { Executor } from '../db/index';
import { invalidInput } from '../errors';
import { authorize, type Actor } from '../policy/index';
import { recordAudit } from '../audit/index';
import { notifyRegieAssigned } from '../notifications/index';
import { REGIE_KINDS, type RegieKind, type RegieState } from '../../shared/tables';

/**
 * 1 gezin, 1 plan, 1 regisseur, with procesregie and casusregie kept apart: per case at most
 * one active procesregisseur and one active casusregisseur (a unique index holds that), each
 * change a new row, so the history says who, from when, decided by whom, in which meeting.
 */
export async function regieState(db: Executor, caseId: number): Promise<RegieState> {
	const rows = await db
		.selectFrom('regie_assignments as r')
		.leftJoin('users as u', 'u.id', 'r.user_id')
		.leftJoin('organisations as o', 'o.id', 'u.organisation_id')
		.innerJoin('users as d', 'd.id', 'r.decided_by')
		.leftJoin('meetings as m', 'm.id', 'r.meeting_id')
		.select([
			'r.kind',
			'r.user_id',
			'u.name',
			'o.name as organisationName',
			'r.assigned_at',
			'r.ended_at',
			'd.name as decidedByName',
			'r.meeting_id',
			'm.starts_at as meetingStartsAt',
			'r.note'
		])
		.where('r.case_id', '=', caseId)
		.orderBy('r.assigned_at', 'desc')
		.orderBy('r.id', 'desc')
		.execute();
	const state: RegieState = { caseId, current: { procesregisseur: null, casusregisseur: null }, history: [] };
	for (const r of rows) {
		const kind = r.kind as RegieKind;
		const holder = { userId: r.user_id, name: r.name, organisationName: r.organisationName, since: r.assigned_at };
		if (r.ended_at === null) state.current[kind] = r.user_id === null ? null : holder;
		state.history.push({
			...holder,
			kind,
			until: r.ended_at,
			decidedByName: r.decidedByName,
			meetingId: r.meeting_id,
			meetingStartsAt: r.meetingStartsAt,
			note: r.note
		});
	}
	return state;
}

/** Case ids among `caseIds` that have no active casusregisseur. */
export async function casesWithoutCasusregisseur(db: Executor, caseIds: number[]): Promise<number[]> {
	if (caseIds.length === 0) return [];
	const rows = await db
		.selectFrom('regie_assignments')
		.select('case_id')
		.where('case_id', 'in', caseIds)
		.where('kind', '=', 'casusregisseur')
		.where('ended_at', 'is', null)
		.where('user_id', 'is not', null)
		.execute();
	const held = new Set(rows.map((r) => r.case_id));
	return caseIds.filter((id) => !held.has(id));
}

export interface AssignRegie {
	caseId: number;
	kind: RegieKind;
	/** null leaves the role explicitly empty */
	userId: number | null;
	meetingId: number | null;
	note?: string | null;
}

/**
 * Sets the procesregisseur or casusregisseur: the voorzitter or secretaris decides (policy
 * 'case.assignRegie'); the regisseur must be an active user of an organisation with access to
 * the case, or the chair themself. Returns the new state for broadcasting.
 */
export async function assignRegie(ctx: AppContext, actor: Actor, input: AssignRegie): Promise<RegieState> {
	const { db } = ctx;
	if (!REGIE_KINDS.includes(input.kind)) throw invalidInput({ kind: 'Kies procesregisseur of casusregisseur.' });
	await authorize(db, actor, 'case.assignRegie', { kind: 'case', caseId: input.caseId });
	if (input.userId !== null) {
		const eligible = await db
			.selectFrom('users')
			.leftJoin('case_access', (j) =>
				j
					.onRef('case_access.organisation_id', '=', 'users.organisation_id')
					.on('case_access.case_id', '=', input.caseId)
					.on('case_access.withdrawn_at', 'is', null)
			)
			.select(['users.id', 'case_access.id as accessId'])
			.where('users.id', '=', input.userId)
			.where('users.disabled_at', 'is', null)
			.executeTakeFirst();
		if (!eligible || (eligible.accessId === null && input.userId !== actor.userId)) {
			throw invalidInput({ userId: 'Deze persoon kan geen regisseur zijn: de organisatie heeft geen toegang tot de casus.' }, 'Deze persoon kan geen regisseur zijn: de organisatie heeft geen toegang tot de casus.');
		}
	}
	if (input.meetingId !== null) {
		const sameTable = await db
			.selectFrom('meetings')
			.innerJoin('cases', 'cases.case_table_id', 'meetings.case_table_id')
			.select('meetings.id')
			.where('meetings.id', '=', input.meetingId)
			.where('cases.id', '=', input.caseId)
			.executeTakeFirst();
		if (!sameTable) throw invalidInput({ meetingId: 'Dit overleg hoort niet bij de tafel van de casus.' }, 'Dit overleg hoort niet bij de tafel van de casus.');
	}
	const now = ctx.now();
	const at = now.toISOString();
	const note = input.note?.trim().slice(0, 500) || null;
	await db.transaction().execute(async (trx) => {
		const current = await trx
			.selectFrom('regie_assignments')
			.select(['id', 'user_id'])
			.where('case_id', '=', input.caseId)
			.where('kind', '=', input.kind)
			.where('ended_at', 'is', null)
			.executeTakeFirst();
		if (current && current.user_id === input.userId) return; // no change, no history row
		if (!current && input.userId === null) return;
		if (current) await trx.updateTable('regie_assignments').set({ ended_at: at }).where('id', '=', current.id).execute();
		await trx
			.insertInto('regie_assignments')
			.values({
				case_id: input.caseId,
				kind: input.kind,
				user_id: input.userId,
				assigned_at: at,
				decided_by: actor.userId,
				meeting_id: input.meetingId,
				note
			})
			.execute();
		await recordAudit(trx, {
			at: now,
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'case.regie',
			caseId: input.caseId,
			meetingId: input.meetingId,
			detail: { kind: input.kind, userId: input.userId }
		});
	});
	// after the commit; a notice that cannot be sent must not undo the assignment
	await notifyRegieAssigned(ctx, actor.userId, input).catch((err) =>
		ctx.log.error({ err, caseId: input.caseId }, 'notifying the new regisseur failed')
	);
	return regieState(db, input.caseId);
}
