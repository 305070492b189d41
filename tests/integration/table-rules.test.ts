import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, createTestContext, email, type TestContext } from './helpers/context';
import { migrator } from '../../src/lib/server/db/index';
import { listTableTypes } from '../../src/lib/server/admin/table-types';
import { eligibilitySummary } from '../../src/lib/server/requests/service';
import { TABLE_TYPES, type TableTypeSeed } from '../../src/lib/server/seed/table-types';
import { AddAttendee } from '../../src/lib/shared/live';
import { eligibilityProblems } from '../../src/lib/shared/tables';

/**
 * The table types' rules as the seed documents state them (issue 15, "Rules that are wrong").
 * Each test names the seed passage it holds the product to; docs/domain.md lists them all.
 */

const ON = new Date('2026-12-03T12:00:00Z');
const type = (slug: string): TableTypeSeed => {
	const t = TABLE_TYPES.find((x) => x.slug === slug);
	if (!t) throw new Error(`no table type ${slug}`);
	return t;
};
/** A birthdate that makes someone exactly `age` on ON (their birthday was yesterday). */
const bornAged = (age: number) => `${ON.getUTCFullYear() - age}-12-02`;
const eligible = (slug: string, age: number) =>
	eligibilityProblems(type(slug), { birthdate: bornAged(age), hasIndication: true, kind: 'persoon' }, ON).length === 0;

describe('the corrected rules, each against its seed passage', () => {
	it('RTIV "Kinderen van 0 tot 7 jaar" (001 §5.4.1): a child of 6 can be discussed, one of 7 not, and the rule reads "0 tot en met 6 jaar"', () => {
		expect(eligible('rtiv', 0)).toBe(true);
		expect(eligible('rtiv', 6)).toBe(true);
		expect(eligible('rtiv', 7)).toBe(false);
		expect(eligibilitySummary({ ...type('rtiv'), id: 1 })).toContain('Leeftijd 0 tot en met 6 jaar.');
		expect(eligibilityProblems(type('rtiv'), { birthdate: bornAged(7), hasIndication: false }, ON)[0]).toContain('0 tot en met 6 jaar; deze persoon is 7');
	});

	it('JBT "Kinderen ouder dan 12 jaar mogen meedoen aan dit gesprek" (001 §5.4.4): read as from 12, as youth law hears children from 12', () => {
		expect(type('jbt').childMinAge).toBe(12);
		expect(type('jbt').clientParticipation).toContain('ouder dan 12 jaar');
		expect(type('jbt').ruleBasis).toContain('art. 809');
	});

	it('Top X Plus "Op dit moment worden er 30 casussen in de Top X Plus besproken" (001 §5.4.7) is a count, not a cap', () => {
		expect(type('topx').caseloadCap).toBeNull();
		expect(eligibilitySummary({ ...type('topx'), id: 1 }).join(' ')).not.toMatch(/Ten hoogste/);
		expect(type('topx').ruleBasis).toContain('een telling, geen grens');
	});

	it('Top X Plus "Partners van de persoon mogen hierbij aansluiten" (001 §5.4.7) means organisations: no "partner" attendee at the client side any more', () => {
		expect(type('topx').clientParticipation).toMatch(/organisaties die bij de persoon betrokken zijn/);
		const add = (kind: string) => AddAttendee.safeParse({ meetingId: 1, caseId: 1, kind, name: 'Iemand', age: null }).success;
		expect(add('partner van de persoon')).toBe(false);
		expect(add('persoon zelf')).toBe(true);
	});

	it('Top 150 (001 §5.4.6), Top X Plus (001 §5.4.7) and Ketenoverleg Beschermd Wonen (001 §5.4.5) state no age: someone of 11 or 17 is not turned away for age', () => {
		for (const slug of ['t150', 'topx', 'kbw']) {
			expect(type(slug).minAge).toBeNull();
			expect(type(slug).maxAge).toBeNull();
			expect(eligible(slug, 11)).toBe(true);
			expect(eligible(slug, 17)).toBe(true);
		}
		// the BW-indicatie is what the seed does ask for
		expect(eligibilityProblems(type('kbw'), { birthdate: bornAged(30), hasIndication: false }, ON)).toEqual([
			'Ketenoverleg Beschermd Wonen bespreekt alleen cliënten met een BW-indicatie.'
		]);
	});

	it('OPH and TWS follow youth care "tot de jeugdige uiterlijk 23 jaar is" (001 §3.3.3): 22 is in, 23 is out; TWS has no lower limit in the seed (001 §5.4.8)', () => {
		for (const slug of ['oph', 'tws']) {
			expect(eligible(slug, 18)).toBe(true);
			expect(eligible(slug, 22)).toBe(true);
			expect(eligible(slug, 23)).toBe(false);
		}
		expect(type('tws').minAge).toBeNull();
		expect(eligible('tws', 15)).toBe(true);
	});

	it('Every seeded table type says where its rules come from, citing a seed passage', () => {
		for (const t of TABLE_TYPES) expect(t.ruleBasis, t.slug).toMatch(/\[(Werkdocument )?001 §\d/);
	});
});

describe('0022 on an existing database: corrections where nobody edited, a review where a beheerder did', () => {
	let t: TestContext;

	beforeAll(async () => {
		t = await createTestContext(ON);
		const { db } = t.ctx;
		// back to before the correction, with the rules as the product seeded them then
		const down = await migrator(db).migrateTo('0015_meeting_schedule');
		expect(down.error).toBeUndefined();
		const old: Record<string, Record<string, unknown>> = {
			rtiv: { min_age: 0, max_age: 7 },
			oph: { max_age: 17 },
			jbt: { max_age: 17, child_min_age: 13, client_participation: 'Ouders; kinderen ouder dan 12 jaar mogen meedoen.' },
			kbw: { min_age: 18 },
			t150: { min_age: 12, caseload_cap: 150 },
			topx: { min_age: 18, caseload_cap: 30, client_participation: 'Partners van de persoon mogen aansluiten.' },
			tws: { min_age: 16, max_age: 23 }
		};
		for (const [slug, values] of Object.entries(old)) await db.updateTable('table_types').set(values).where('slug', '=', slug).execute();
		// a beheerder raised the Top X Plus cap to 35 and left the rest
		await db
			.updateTable('table_types')
			.set({ caseload_cap: 35, updated_at: new Date('2026-06-01T10:00:00Z').toISOString() })
			.where('slug', '=', 'topx')
			.execute();
		// the projection of a case that was rounded off before: two actions
		const closed = await db.selectFrom('item_closures').select('case_id').where('case_id', 'is not', null).executeTakeFirstOrThrow();
		for (const [i, id] of ['actie-oud-1', 'actie-oud-2'].entries()) {
			await db
				.insertInto('action_rows')
				.values({ case_id: closed.case_id!, action_id: id, position: 100 + i, text: 'Eerder afgesproken', actiehouder_id: null, organisation_id: null, deadline: '', status: 'open', leefgebied: '', projected_at: ON.toISOString() })
				.onConflict((oc) => oc.doNothing())
				.execute();
		}
		const up = await migrator(db).migrateToLatest();
		expect(up.error).toBeUndefined();
	});

	afterAll(async () => {
		await t?.close();
	});

	const row = (slug: string) => t.ctx.db.selectFrom('table_types').selectAll().where('slug', '=', slug).executeTakeFirstOrThrow();

	it('types nobody edited get the rules of the seed documents, with their basis', async () => {
		expect(await row('rtiv')).toMatchObject({ min_age: 0, max_age: 6 });
		expect(await row('oph')).toMatchObject({ max_age: 22 });
		expect(await row('jbt')).toMatchObject({ max_age: 17, child_min_age: 12 });
		expect(await row('kbw')).toMatchObject({ min_age: null, required_indication: 'BW-indicatie' });
		expect(await row('t150')).toMatchObject({ min_age: null, caseload_cap: 150 });
		expect(await row('tws')).toMatchObject({ min_age: null, max_age: 22 });
		expect((await row('rtiv')).rule_basis).toContain('001 §5.4.1');
	});

	it('the type a beheerder saved keeps every value, and the beheer list names what the seed now says', async () => {
		const topx = await row('topx');
		expect(topx).toMatchObject({ min_age: 18, caseload_cap: 35, client_participation: 'Partners van de persoon mogen aansluiten.', rule_basis: '' });
		const beheerder = await actorFor(t.ctx, email('beheerder'));
		const types = await listTableTypes(t.ctx, beheerder);
		const reviews = types.find((x) => x.slug === 'topx')!.reviews;
		expect(reviews.map((r) => [r.field, r.current, r.proposed])).toEqual([
			['minAge', 18, null],
			['caseloadCap', 35, null],
			['clientParticipation', 'Partners van de persoon mogen aansluiten.', expect.stringMatching(/organisaties die bij de persoon betrokken zijn/)],
			['ruleBasis', '', expect.stringContaining('een telling, geen grens')]
		]);
		expect(reviews.find((r) => r.field === 'caseloadCap')!.reason).toContain('001 §5.4.7');
		// the types the migration corrected have nothing to review
		expect(types.filter((x) => x.slug !== 'topx').every((x) => x.reviews.length === 0)).toBe(true);
	});

	it('saving the type again is the answer: the review is gone', async () => {
		await t.ctx.db
			.updateTable('table_types')
			.set({ updated_at: new Date(Date.now() + 60_000).toISOString() })
			.where('slug', '=', 'topx')
			.execute();
		const beheerder = await actorFor(t.ctx, email('beheerder'));
		const types = await listTableTypes(t.ctx, beheerder);
		expect(types.find((x) => x.slug === 'topx')!.reviews).toEqual([]);
	});

	it('a bespreking rounded off before the upgrade counts the actions the case has now as earlier (MDA++ counts per bespreking, 001 §5.4.3)', async () => {
		const closures = await t.ctx.db.selectFrom('item_closures').select(['case_id', 'action_ids']).where('case_id', 'is not', null).execute();
		expect(closures.length).toBeGreaterThan(0);
		for (const c of closures) {
			const actions = await t.ctx.db.selectFrom('action_rows').select('action_id').where('case_id', '=', c.case_id!).execute();
			expect((JSON.parse(c.action_ids!) as string[]).sort()).toEqual(actions.map((a) => a.action_id).sort());
		}
		expect(closures.some((c) => (JSON.parse(c.action_ids!) as string[]).includes('actie-oud-2'))).toBe(true);
	});

	it('only a beheerder reads the list', async () => {
		const voorzitter = await actorFor(t.ctx, email('voorzitter'));
		await expect(listTableTypes(t.ctx, voorzitter)).rejects.toMatchObject({ code: 'NOT_FOUND' });
	});
});
