import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/lib/server/errors';
import { authorize, can, loadFacts, type Actor } from '../../src/lib/server/policy/index';
import { grantCaseAccess, viewCase, withdrawCaseAccess } from '../../src/lib/server/cases/service';
import { getTableForMember } from '../../src/lib/server/tables/service';
import { actorFor, caseIdOf, createTestContext, email, organisationIdOf, type TestContext } from './helpers/context';

/**
 * The policy against a real migrated SQLite database with the demo region: does `loadFacts`
 * find the right membership and the right (active) grant, and do `can`/`authorize` answer a
 * forbidden target exactly like a missing one?
 */
let t: TestContext;
let deelnemer: Actor; // Sociaal Team; deelnemer at Top 150, OPH and JBT
let geenToegang: Actor; // Politie; deelnemer at Top 150
let waarnemer: Actor; // GGZ; waarnemer at Top 150
let voorzitter: Actor; // ZVH; voorzitter at Top 150 and MDA++
let beheerder: Actor; // Gemeente; no membership at Top 150
let linda: Actor; // Sociaal Team like deelnemer, but not a member of Top 150
let t150: number; // T150-2026-014: access for Sociaal Team and GGZ
let sociaalTeam: number;
const NO_SUCH_CASE = 999_999;
const meta = { ip: '192.0.2.10' };

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
	try {
		await promise;
	} catch (e) {
		if (e instanceof AppError) return e;
		throw e;
	}
	throw new Error('expected an AppError, but the call succeeded');
}

/** Everything a caller can observe about an AppError. */
const observable = (e: AppError) => ({
	name: e.name,
	code: e.code,
	message: e.message,
	userMessage: e.userMessage,
	fields: e.fields
});

beforeAll(async () => {
	t = await createTestContext();
	const { ctx } = t;
	[deelnemer, geenToegang, waarnemer, voorzitter, beheerder, linda] = await Promise.all(
		['deelnemer', 'geen-toegang', 'waarnemer', 'voorzitter', 'beheerder', 'linda'].map((u) => actorFor(ctx, email(u)))
	) as [Actor, Actor, Actor, Actor, Actor, Actor];
	t150 = await caseIdOf(ctx, 'T150-2026-014');
	sociaalTeam = await organisationIdOf(ctx, 'Sociaal Team Voorbeeld');
});

afterAll(async () => {
	await t?.close();
});

describe('loading the facts for a case', () => {
	it('A deelnemer whose organisation was granted access is found to be a deelnemer with access, and may view the case.', async () => {
		const { db } = t.ctx;
		// the demo region made her casusregisseur of this case at the last Top 150 meeting
		expect(await loadFacts(db, deelnemer, { kind: 'case', caseId: t150 })).toEqual({
			tableRole: 'deelnemer',
			organisationHasCaseAccess: true,
			isRegisseur: true
		});
		expect(await can(db, deelnemer, 'case.view', { kind: 'case', caseId: t150 })).toBe(true);
		await expect(authorize(db, deelnemer, 'case.view', { kind: 'case', caseId: t150 })).resolves.toBeUndefined();
	});

	it('A deelnemer at the same table whose organisation was not granted access may not view the case.', async () => {
		const { db } = t.ctx;
		expect(await loadFacts(db, geenToegang, { kind: 'case', caseId: t150 })).toEqual({
			tableRole: 'deelnemer',
			organisationHasCaseAccess: false,
			isRegisseur: false
		});
		expect(await can(db, geenToegang, 'case.view', { kind: 'case', caseId: t150 })).toBe(false);
	});

	it("A colleague from an organisation with access who is not a member of the case's table may not view it.", async () => {
		const { db } = t.ctx;
		expect(await loadFacts(db, linda, { kind: 'case', caseId: t150 })).toEqual({
			tableRole: null,
			organisationHasCaseAccess: true,
			isRegisseur: false
		});
		expect(await can(db, linda, 'case.view', { kind: 'case', caseId: t150 })).toBe(false);
	});

	it("Membership of one table does not open another table's case that the organisation has access to.", async () => {
		const { db } = t.ctx;
		// Sociaal Team has access to TWS-2026-002 and MDA-2026-001; the deelnemer sits at neither table
		for (const code of ['TWS-2026-002', 'MDA-2026-001']) {
			const caseId = await caseIdOf(t.ctx, code);
			expect(await loadFacts(db, deelnemer, { kind: 'case', caseId })).toEqual({
				tableRole: null,
				organisationHasCaseAccess: true,
				isRegisseur: false
			});
			expect(await can(db, deelnemer, 'case.view', { kind: 'case', caseId }), code).toBe(false);
		}
	});

	it('A beheerder can manage the region but does not see case content by being beheerder.', async () => {
		const { db } = t.ctx;
		expect(await can(db, beheerder, 'admin.manage', { kind: 'region' })).toBe(true);
		expect(await can(db, beheerder, 'case.view', { kind: 'case', caseId: t150 })).toBe(false);
		expect(await can(db, voorzitter, 'admin.manage', { kind: 'region' })).toBe(false);
	});

	it('The voorzitter sees a case that no organisation has been granted access to yet.', async () => {
		const caseId = await caseIdOf(t.ctx, 'T150-2026-016');
		expect(await can(t.ctx.db, voorzitter, 'case.view', { kind: 'case', caseId })).toBe(true);
		expect(await can(t.ctx.db, deelnemer, 'case.view', { kind: 'case', caseId })).toBe(false);
	});
});

describe('withdrawn access', () => {
	it('After the voorzitter withdraws the organisation’s access it no longer counts, while the grant stays in the history.', async () => {
		const { ctx } = t;
		await withdrawCaseAccess(ctx, voorzitter, t150, sociaalTeam, meta);

		expect(await loadFacts(ctx.db, deelnemer, { kind: 'case', caseId: t150 })).toEqual({
			tableRole: 'deelnemer',
			organisationHasCaseAccess: false,
			isRegisseur: true
		});
		expect(await can(ctx.db, deelnemer, 'case.view', { kind: 'case', caseId: t150 })).toBe(false);
		expect(await can(ctx.db, deelnemer, 'case.edit', { kind: 'case', caseId: t150 })).toBe(false);
		expect((await errorOf(viewCase(ctx, deelnemer, t150, meta))).code).toBe('NOT_FOUND');

		// the table's case list no longer shows it either
		const { case_table_id } = await ctx.db.selectFrom('cases').select('case_table_id').where('id', '=', t150).executeTakeFirstOrThrow();
		const table = await getTableForMember(ctx, deelnemer, case_table_id);
		expect(table.cases.map((c) => c.code)).not.toContain('T150-2026-014');

		const history = await ctx.db
			.selectFrom('case_access')
			.select(['withdrawn_at', 'withdrawn_by'])
			.where('case_id', '=', t150)
			.where('organisation_id', '=', sociaalTeam)
			.execute();
		expect(history).toEqual([{ withdrawn_at: t.clock.now.toISOString(), withdrawn_by: voorzitter.userId }]);
	});

	it("Withdrawing one organisation's access leaves another organisation's access in place.", async () => {
		expect(await can(t.ctx.db, waarnemer, 'case.view', { kind: 'case', caseId: t150 })).toBe(true);
	});

	it('Granting access again after a withdrawal counts again, next to the withdrawn row.', async () => {
		const { ctx } = t;
		t.clock.advance(60_000);
		await grantCaseAccess(ctx, voorzitter, t150, sociaalTeam, meta);
		expect(await can(ctx.db, deelnemer, 'case.view', { kind: 'case', caseId: t150 })).toBe(true);
		const rows = await ctx.db
			.selectFrom('case_access')
			.select('withdrawn_at')
			.where('case_id', '=', t150)
			.where('organisation_id', '=', sociaalTeam)
			.execute();
		expect(rows.filter((r) => r.withdrawn_at === null)).toHaveLength(1);
		expect(rows.filter((r) => r.withdrawn_at !== null)).toHaveLength(1);
	});
});

describe('a forbidden target looks exactly like a missing one', () => {
	it('Viewing a case without access throws the same NOT_FOUND error as viewing a case id that does not exist.', async () => {
		const { db } = t.ctx;
		const forbidden = await errorOf(authorize(db, geenToegang, 'case.view', { kind: 'case', caseId: t150 }));
		const missing = await errorOf(authorize(db, geenToegang, 'case.view', { kind: 'case', caseId: NO_SUCH_CASE }));
		expect(forbidden.code).toBe('NOT_FOUND');
		expect(observable(forbidden)).toEqual(observable(missing));
		expect(await can(db, geenToegang, 'case.view', { kind: 'case', caseId: NO_SUCH_CASE })).toBe(false);
		expect(await loadFacts(db, geenToegang, { kind: 'case', caseId: NO_SUCH_CASE })).toBeNull();
	});

	it('The case service answers a forbidden case and a missing case with the same error, for viewing, granting and withdrawing.', async () => {
		const { ctx } = t;
		const politie = geenToegang.organisationId;
		const pairs: [Promise<unknown>, Promise<unknown>][] = [
			[viewCase(ctx, geenToegang, t150, meta), viewCase(ctx, geenToegang, NO_SUCH_CASE, meta)],
			[grantCaseAccess(ctx, geenToegang, t150, politie, meta), grantCaseAccess(ctx, geenToegang, NO_SUCH_CASE, politie, meta)],
			[withdrawCaseAccess(ctx, geenToegang, t150, sociaalTeam, meta), withdrawCaseAccess(ctx, geenToegang, NO_SUCH_CASE, sociaalTeam, meta)]
		];
		for (const [forbidden, missing] of pairs) {
			const a = await errorOf(forbidden);
			const b = await errorOf(missing);
			expect(a.code).toBe('NOT_FOUND');
			expect(observable(a)).toEqual(observable(b));
		}
		// and nothing changed: Politie still has no access, Sociaal Team still has
		expect(await can(ctx.db, geenToegang, 'case.view', { kind: 'case', caseId: t150 })).toBe(false);
		expect(await can(ctx.db, deelnemer, 'case.view', { kind: 'case', caseId: t150 })).toBe(true);
	});

	it('A deelnemer with access may view but not manage access, and is told the case does not exist when trying.', async () => {
		const { ctx } = t;
		const attempt = await errorOf(grantCaseAccess(ctx, deelnemer, t150, geenToegang.organisationId, meta));
		const missing = await errorOf(grantCaseAccess(ctx, deelnemer, NO_SUCH_CASE, geenToegang.organisationId, meta));
		expect(observable(attempt)).toEqual(observable(missing));
		expect(await can(ctx.db, geenToegang, 'case.view', { kind: 'case', caseId: t150 })).toBe(false);
	});

	it("A table you are not a member of throws the same error as a table id that does not exist.", async () => {
		const { ctx } = t;
		const tws = await ctx.db
			.selectFrom('case_tables')
			.select('id')
			.where('name', '=', 'Tussen Wal en Schip Regio Voorbeeld')
			.executeTakeFirstOrThrow();
		const forbidden = await errorOf(getTableForMember(ctx, geenToegang, tws.id));
		const missing = await errorOf(getTableForMember(ctx, geenToegang, NO_SUCH_CASE));
		expect(forbidden.code).toBe('NOT_FOUND');
		expect(observable(forbidden)).toEqual(observable(missing));
	});

	it("Meetings follow the table: members may view them, others get the same answer as for a meeting that does not exist.", async () => {
		const { db } = t.ctx;
		const meeting = await db
			.selectFrom('meetings')
			.innerJoin('case_tables', 'case_tables.id', 'meetings.case_table_id')
			.select('meetings.id')
			.where('case_tables.name', '=', 'Top 150 Regio Voorbeeld')
			.executeTakeFirstOrThrow();
		expect(await can(db, geenToegang, 'meeting.view', { kind: 'meeting', meetingId: meeting.id })).toBe(true);
		expect(await can(db, geenToegang, 'meeting.run', { kind: 'meeting', meetingId: meeting.id })).toBe(false);
		expect(await can(db, voorzitter, 'meeting.run', { kind: 'meeting', meetingId: meeting.id })).toBe(true);
		expect(await can(db, linda, 'meeting.view', { kind: 'meeting', meetingId: meeting.id })).toBe(false);
		expect(await can(db, voorzitter, 'meeting.view', { kind: 'meeting', meetingId: NO_SUCH_CASE })).toBe(false);
	});

	it("Users may end their own sessions, only a beheerder may end another user's, and an unknown user is simply no.", async () => {
		const { db } = t.ctx;
		expect(await can(db, deelnemer, 'session.end', { kind: 'user', userId: deelnemer.userId })).toBe(true);
		expect(await can(db, deelnemer, 'session.end', { kind: 'user', userId: waarnemer.userId })).toBe(false);
		expect(await can(db, beheerder, 'session.end', { kind: 'user', userId: waarnemer.userId })).toBe(true);
		expect(await can(db, beheerder, 'session.end', { kind: 'user', userId: NO_SUCH_CASE })).toBe(false);
	});
});
