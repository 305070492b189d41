import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/lib/server/errors';
import { SUBMIT_LIMIT, submitRequest } from '../../src/lib/server/requests/service';
import { actorFor, createTestContext, email, type TestContext } from './helpers/context';

/** The rate limit on aanmeldingen (requests to a table), in-process with a controllable clock. */
let t: TestContext;
beforeAll(async () => {
	t = await createTestContext(new Date('2026-03-02T09:00:00Z'));
});
afterAll(async () => {
	await t?.close();
});

const input = (i: number) => ({
	subjectKind: 'gezin',
	subjectName: `Gezin Stroom ${i}`,
	birthdate: '2015-01-01',
	hasIndication: false,
	reason: 'Zorgen over de veiligheid van de kinderen.',
	question: 'Wat moet er gebeuren?',
	inviteOrgIds: [],
	legalFrame: 'gedwongen kader',
	consentNote: ''
});

describe('aanmeldingen per user', () => {
	it(`at most ${SUBMIT_LIMIT.count} in an hour, then a Dutch THROTTLED answer; an hour later it works again`, async () => {
		const { ctx } = t;
		const jbt = (await ctx.db.selectFrom('case_tables').select('id').where('code_prefix', '=', 'JBT').executeTakeFirstOrThrow()).id;
		const kees = await actorFor(ctx, email('kees'));
		const count = async () =>
			Number((await ctx.db.selectFrom('requests').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
		const before = await count();
		let accepted = 0;
		let refusal: unknown = null;
		for (let i = 0; i < SUBMIT_LIMIT.count + 2 && !refusal; i++) {
			try {
				await submitRequest(ctx, kees, jbt, input(i));
				accepted += 1;
				t.clock.advance(60_000);
			} catch (e) {
				refusal = e;
			}
		}
		expect(refusal).toBeInstanceOf(AppError);
		expect((refusal as AppError).code).toBe('THROTTLED');
		expect((refusal as AppError).userMessage).toMatch(/afgelopen uur al 10 verzoeken ingediend/);
		expect(accepted).toBeLessThanOrEqual(SUBMIT_LIMIT.count);
		expect(await count()).toBe(before + accepted);
		// somebody else is not held back
		const linda = await actorFor(ctx, email('anouk'));
		await expect(submitRequest(ctx, linda, jbt, input(99)).then(() => 'ok', (e: AppError) => e.code)).resolves.not.toBe('THROTTLED');
		t.clock.advance(SUBMIT_LIMIT.windowMs);
		await submitRequest(ctx, kees, jbt, input(100));
	});
});
