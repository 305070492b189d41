import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, createTestContext, email, type TestContext } from './helpers/context';
import { relapseMonths, setRelapseMonths } from '../../src/lib/server/admin/region-settings';
import { findRelapse } from '../../src/lib/server/requests/service';

/**
 * Terugval (issue 15 item 7): a new aanmelding matches an earlier case only on name and
 * birthdate together, within a period the region sets. Rens Verzonnen (T150-2026-014) was
 * discussed at Top 150 fourteen days before the demo's "now".
 */
const START = new Date('2026-03-02T09:00:00Z');
let t: TestContext;
let rens: { name: string; birthdate: string };

beforeAll(async () => {
	t = await createTestContext(START);
	const row = await t.ctx.db.selectFrom('cases').select(['subject_name', 'subject_birthdate']).where('code', '=', 'T150-2026-014').executeTakeFirstOrThrow();
	rens = { name: row.subject_name, birthdate: row.subject_birthdate! };
});
afterAll(async () => {
	await t?.close();
});

describe('matching', () => {
	it('name and birthdate together match, spelled differently', async () => {
		const match = await findRelapse(t.ctx.db, { name: `  ${rens.name.toUpperCase()} `, birthdate: rens.birthdate }, t.ctx.now());
		expect(match?.code).toBe('T150-2026-014');
	});

	it('the name alone, without a birthdate, is no terugval: a namesake is not the same person', async () => {
		expect(await findRelapse(t.ctx.db, { name: rens.name, birthdate: null }, t.ctx.now())).toBeNull();
	});

	it('the same name with another birthdate is no terugval', async () => {
		expect(await findRelapse(t.ctx.db, { name: rens.name, birthdate: '1990-01-01' }, t.ctx.now())).toBeNull();
	});
});

describe('the region sets the period', () => {
	it('twelve months by default; a beheerder sets one month, after which a bespreking of fourteen days ago still matches and one of two months ago does not', async () => {
		expect(await relapseMonths(t.ctx.db)).toBe(12);
		const beheerder = await actorFor(t.ctx, email('beheerder'));
		await setRelapseMonths(t.ctx, beheerder, 1);
		expect(await relapseMonths(t.ctx.db)).toBe(1);
		expect((await findRelapse(t.ctx.db, rens, t.ctx.now()))?.code).toBe('T150-2026-014');
		t.clock.advance(50 * 86_400_000);
		expect(await findRelapse(t.ctx.db, rens, t.ctx.now())).toBeNull();
		const audit = await t.ctx.db.selectFrom('audit_log').select(['user_id', 'detail']).where('action', '=', 'region.update').execute();
		expect(audit).toEqual([{ user_id: beheerder.userId, detail: JSON.stringify({ setting: 'relapseMonths', from: 12, to: 1 }) }]);
		t.clock.set(START);
	});

	it('a period outside 1 to 60 months is refused with a Dutch message; nothing changes', async () => {
		const beheerder = await actorFor(t.ctx, email('beheerder'));
		for (const months of [0, 61, 2.5, Number.NaN]) {
			await expect(setRelapseMonths(t.ctx, beheerder, months)).rejects.toMatchObject({ code: 'INVALID_INPUT', fields: { months: 'Kies een periode van 1 tot en met 60 maanden.' } });
		}
		expect(await relapseMonths(t.ctx.db)).toBe(1);
	});

	it('only a beheerder sets it: a voorzitter, a deelnemer and a waarnemer are refused', async () => {
		for (const who of ['voorzitter', 'deelnemer', 'waarnemer']) {
			const actor = await actorFor(t.ctx, email(who));
			await expect(setRelapseMonths(t.ctx, actor, 24)).rejects.toMatchObject({ code: expect.stringMatching(/FORBIDDEN|NOT_FOUND/) });
		}
		expect(await relapseMonths(t.ctx.db)).toBe(1);
	});
});
