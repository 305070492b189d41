import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, caseIdOf, createTestContext, email, organisationIdOf, type TestContext } from './helpers/context';
import { myNotices, notifyNewActions, notifyRegieAssigned, notifyRequestOutcome, unreadCount } from '../../src/lib/server/notifications/index';
import { GONE_ACTION, NO_LONGER_ACTION, NO_LONGER_CASE } from '../../src/lib/server/notifications/about';
import { scanReminders } from '../../src/lib/server/notifications/reminders';
import type { ActionRow } from '../../src/lib/server/projection/index';

/**
 * Issue 14 item 8: a melding says in the app which action or which aanmelding it is about, asked
 * of the policy when it is read; the stored text (the e-mail's) still names neither. A real,
 * migrated and seeded SQLite database; the action rows are the projection's table, written as
 * the projection would.
 */
let t: TestContext;
beforeAll(async () => {
	t = await createTestContext(new Date('2026-11-29T09:00:00Z'));
});
afterAll(async () => {
	await t?.close();
});

const userId = async (local: string) => (await actorFor(t.ctx, email(local))).userId;

async function putAction(caseId: number, actionId: string, text: string, holder: number | null, deadline = '2026-12-10'): Promise<ActionRow> {
	const row: ActionRow = { caseId, actionId, position: 0, text, actiehouderId: holder, organisationId: null, deadline, status: 'open', leefgebied: '', note: '' };
	await t.ctx.db
		.insertInto('action_rows')
		.values({ case_id: caseId, action_id: actionId, position: 0, text, actiehouder_id: holder, organisation_id: null, deadline, status: 'open', leefgebied: '', note: '', projected_at: t.ctx.now().toISOString() })
		.onConflict((oc) => oc.columns(['case_id', 'action_id']).doUpdateSet({ actiehouder_id: holder, text }))
		.execute();
	return row;
}

describe('a melding about an action', () => {
	it('names the action and its deadline for its actiehouder; the stored text (the e-mail) does not', async () => {
		const t150 = await caseIdOf(t.ctx, 'T150-2026-014');
		const linda = await actorFor(t.ctx, email('linda'));
		// Sociaal Team has access to 014: linda may hold its actions, though not a member of Top 150
		const row = await putAction(t150, 'telefoon-1', 'Huisbezoek met de wijkagent plannen', linda.userId);
		await notifyNewActions(t.ctx, { caseId: t150, before: [], after: [row], rebuild: false });

		const [notice] = await myNotices(t.ctx.db, linda);
		expect(notice?.text).toBe('U bent actiehouder van een nieuwe actie bij T150-2026-014.');
		expect(notice?.about).toBe('Actie: Huisbezoek met de wijkagent plannen (T150-2026-014, deadline 10 dec 2026)');
		const stored = await t.ctx.db.selectFrom('notifications').select(['text', 'action_id']).where('user_id', '=', linda.userId).executeTakeFirstOrThrow();
		expect(stored).toEqual({ text: 'U bent actiehouder van een nieuwe actie bij T150-2026-014.', action_id: 'telefoon-1' });
	});

	it('reassigned to someone else: a reader who may not view the case gets a neutral sentence, a member still the description', async () => {
		const t150 = await caseIdOf(t.ctx, 'T150-2026-014');
		const linda = await actorFor(t.ctx, email('linda'));
		const fatima = await actorFor(t.ctx, email('deelnemer'));
		const row = await putAction(t150, 'telefoon-2', 'Schuldeisers bellen', fatima.userId);
		await notifyNewActions(t.ctx, { caseId: t150, before: [], after: [row], rebuild: false });
		// now linda holds it, then it goes back to Fatima: both were told once
		await putAction(t150, 'telefoon-2', 'Schuldeisers bellen', linda.userId);
		await notifyNewActions(t.ctx, { caseId: t150, before: [row], after: [{ ...row, actiehouderId: linda.userId }], rebuild: false });
		await putAction(t150, 'telefoon-2', 'Schuldeisers bellen', fatima.userId);

		const lindas = (await myNotices(t.ctx.db, linda)).find((n) => n.about !== null && !n.about.includes('Huisbezoek'));
		expect(lindas?.about).toBe(NO_LONGER_ACTION);
		const fatimas = await myNotices(t.ctx.db, fatima);
		expect(fatimas.map((n) => n.about)).toContain('Actie: Schuldeisers bellen (T150-2026-014, deadline 10 dec 2026)');
	});

	it('deleted: who may view the case reads that it no longer exists, who may not a neutral sentence', async () => {
		const t150 = await caseIdOf(t.ctx, 'T150-2026-014');
		const linda = await actorFor(t.ctx, email('linda'));
		const fatima = await actorFor(t.ctx, email('deelnemer'));
		await t.ctx.db.deleteFrom('action_rows').where('case_id', '=', t150).where('action_id', 'in', ['telefoon-1', 'telefoon-2']).execute();
		expect((await myNotices(t.ctx.db, fatima)).map((n) => n.about)).toContain(GONE_ACTION);
		const about = (await myNotices(t.ctx.db, linda)).map((n) => n.about);
		expect(about).toEqual([NO_LONGER_ACTION, NO_LONGER_ACTION]);
		expect(about.join(' ')).not.toContain('Huisbezoek');
	});

	it('a reminder from the scan names the action too', async () => {
		const t150 = await caseIdOf(t.ctx, 'T150-2026-014');
		const lotte = await actorFor(t.ctx, email('waarnemer'));
		await putAction(t150, 'telefoon-3', 'Intake verslavingszorg plannen', lotte.userId, '2026-11-26');
		expect(await scanReminders(t.ctx)).toEqual({ sent: 1 });
		const overdue = (await myNotices(t.ctx.db, lotte)).find((n) => n.kind === 'action.overdue');
		expect(overdue?.text).toBe('De deadline van uw actie bij T150-2026-014 is verstreken.');
		expect(overdue?.about).toBe('Actie: Intake verslavingszorg plannen (T150-2026-014, deadline 26 nov 2026)');
	});

	it('once her organisation loses access to the case, the melding is gone for her, as before', async () => {
		const t150 = await caseIdOf(t.ctx, 'T150-2026-014');
		const lotte = await actorFor(t.ctx, email('waarnemer'));
		const ggz = await organisationIdOf(t.ctx, 'GGZ Voorbeeld');
		const before = await unreadCount(t.ctx.db, lotte.userId);
		await t.ctx.db.updateTable('case_access').set({ withdrawn_at: t.ctx.now().toISOString() }).where('case_id', '=', t150).where('organisation_id', '=', ggz).execute();
		expect((await myNotices(t.ctx.db, lotte)).filter((n) => n.kind.startsWith('action.'))).toEqual([]);
		expect(await unreadCount(t.ctx.db, lotte.userId)).toBe(before - 1);
	});
});

describe('a melding about regie', () => {
	it('names the case and its title while the reader may view it, then a neutral sentence', async () => {
		const t150 = await caseIdOf(t.ctx, 'T150-2026-014');
		const voorzitter = await userId('voorzitter');
		const fatima = await actorFor(t.ctx, email('deelnemer'));
		// the seed made her casusregisseur without a notice: the assignment row is there
		await notifyRegieAssigned(t.ctx, voorzitter, { caseId: t150, kind: 'casusregisseur', userId: fatima.userId });
		const regie = () => myNotices(t.ctx.db, fatima).then((list) => list.find((n) => n.kind === 'regie.assigned'));
		expect((await regie())?.about).toBe('Casus T150-2026-014: Jongvolwassene, herhaalde inbraken en schulden');

		const sociaalTeam = await organisationIdOf(t.ctx, 'Sociaal Team Voorbeeld');
		await t.ctx.db.updateTable('case_access').set({ withdrawn_at: t.ctx.now().toISOString() }).where('case_id', '=', t150).where('organisation_id', '=', sociaalTeam).execute();
		expect((await regie())?.about).toBe(NO_LONGER_CASE);
		expect((await regie())?.text).toBe('U bent casusregisseur van T150-2026-014.');
	});
});

describe('a melding about an aanmelding', () => {
	it('names the table, the day and the subject as the aanmelder may see it; purged, without the name', async () => {
		const kees = await actorFor(t.ctx, email('kees'));
		const noor = await userId('noor');
		const request = await t.ctx.db.selectFrom('requests').select(['id', 'created_at']).where('submitted_by', '=', kees.userId).executeTakeFirstOrThrow();
		await notifyRequestOutcome(t.ctx, noor, request.id, 'vraag');

		const [notice] = await myNotices(t.ctx.db, kees);
		expect(notice?.text).toBe('Er is een vraag over uw aanmelding bij Jeugdbeschermingstafel Regio Voorbeeld.');
		expect(notice?.about).toMatch(/^Aanmelding bij Jeugdbeschermingstafel Regio Voorbeeld van \d{1,2} \w+ 2026, over (Gezin Bedenkhof|Gezin B\.)$/);

		await t.ctx.db.updateTable('requests').set({ subject_name: '', purged_at: t.ctx.now().toISOString() }).where('id', '=', request.id).execute();
		const [purged] = await myNotices(t.ctx.db, kees);
		expect(purged?.about).toMatch(/^Aanmelding bij Jeugdbeschermingstafel Regio Voorbeeld van \d{1,2} \w+ 2026$/);
	});
});
