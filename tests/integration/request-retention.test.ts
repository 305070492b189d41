import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, createTestContext, email, type TestContext } from './helpers/context';
import { openShared, type SharedDb } from './helpers/db';
import { demoLogins, request, startServer, type TestServer } from './helpers/server';
import type { AppContext } from '../../src/lib/server/context';
import { acceptRequest, declineRequest, submitRequest, withdrawRequest } from '../../src/lib/server/requests/service';
import { purgeRequestsDue, requestsDueForPurge, retentionOverview, setRequestRetention, startRetention } from '../../src/lib/server/retention/index';

/**
 * Issue 13 item 6a: an aanmelding that never became a case (declined or withdrawn) keeps the
 * person's data for its table type's own, short term (table_types.request_retention_months,
 * migration 0011, default 3 months), counted from the decline or withdrawal. Then the retention
 * job blanks name, birthdate, reason, question, consent note and triage note, and keeps a stub
 * without a name for the counts. Open and accepted requests are never touched by it. The term is
 * shown and set on /beheer/bewaartermijnen, by beheerders only.
 */
let t: TestContext;
let ctx: AppContext;
let jbt: number;
let jbtType: number;

const NAME = 'Kanarie Aanmeldnaam';
const input = (n: string) => ({
	subjectKind: 'gezin',
	subjectName: `${NAME} ${n}`,
	birthdate: '2015-04-04',
	hasIndication: false,
	reason: `Reden-canary ${n}: zorgen over de kinderen thuis.`,
	question: `Vraag-canary ${n}: wat is er nodig?`,
	inviteOrgIds: [],
	legalFrame: 'gedwongen kader',
	consentNote: `Toestemming-canary ${n} van moeder`
});

async function row(id: number) {
	return ctx.db.selectFrom('requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

const ids: Record<'declined' | 'withdrawn' | 'open' | 'accepted', number> = { declined: 0, withdrawn: 0, open: 0, accepted: 0 };

beforeAll(async () => {
	t = await createTestContext(new Date('2026-03-02T09:00:00Z'));
	ctx = t.ctx;
	jbt = (await ctx.db.selectFrom('case_tables').select('id').where('code_prefix', '=', 'JBT').executeTakeFirstOrThrow()).id;
	jbtType = (await ctx.db.selectFrom('case_tables').select('table_type_id').where('id', '=', jbt).executeTakeFirstOrThrow()).table_type_id;
	const kees = await actorFor(ctx, email('kees'));
	const noor = await actorFor(ctx, email('noor'));
	ids.declined = (await submitRequest(ctx, kees, jbt, input('afgewezen'))).requestId;
	ids.withdrawn = (await submitRequest(ctx, kees, jbt, input('ingetrokken'))).requestId;
	ids.open = (await submitRequest(ctx, kees, jbt, input('open'))).requestId;
	ids.accepted = (await submitRequest(ctx, kees, jbt, input('geaccepteerd'))).requestId;
	t.clock.advance(86_400_000); // decided a day later: 3 March 2026, 09:00
	await declineRequest(ctx, noor, ids.declined, { reason: 'Triage-canary: hoort bij het sociaal team thuis.' });
	await withdrawRequest(ctx, kees, ids.withdrawn);
	const meeting = await ctx.db.selectFrom('meetings').select('id').where('case_table_id', '=', jbt).where('status', '=', 'gepland').executeTakeFirstOrThrow();
	await acceptRequest(ctx, noor, ids.accepted, { meetingId: meeting.id, title: 'Gezin, zorgen', plannedMinutes: 20, inviteOrgIds: [] });
}, 60_000);

afterAll(async () => {
	await t?.close();
});

describe('aanmeldingen that never became a case', () => {
	it('every table type starts with a term of 3 months (migration 0011)', async () => {
		const terms = await ctx.db.selectFrom('table_types').select('request_retention_months').execute();
		expect(terms.length).toBeGreaterThan(0);
		expect(new Set(terms.map((r) => r.request_retention_months))).toEqual(new Set([3]));
	});

	it('are kept until 3 months after the decline or withdrawal, then lose name, birthdate and every free text; a stub stays; open and accepted ones are untouched', async () => {
		const untouched = { open: await row(ids.open), accepted: await row(ids.accepted) };
		const before = { declined: await row(ids.declined), withdrawn: await row(ids.withdrawn) };
		expect(before.declined.triage_note).toContain('Triage-canary');

		// one millisecond before the term: nothing
		expect(await purgeRequestsDue(ctx, new Date('2026-06-03T08:59:59.999Z'))).toEqual([]);
		expect((await requestsDueForPurge(ctx, new Date('2026-06-03T09:00:00.000Z'))).map((r) => r.requestId).sort()).toEqual([ids.declined, ids.withdrawn].sort());

		t.clock.set(new Date('2026-06-03T09:00:00.000Z'));
		const purged = await purgeRequestsDue(ctx, ctx.now());
		expect(purged.sort()).toEqual([ids.declined, ids.withdrawn].sort());
		for (const key of ['declined', 'withdrawn'] as const) {
			const r = await row(ids[key]);
			expect(r).toMatchObject({ subject_name: '', subject_birthdate: null, reason: '', question: '', consent_note: '', triage_note: null, purged_at: '2026-06-03T09:00:00.000Z' });
			// the stub: what monitoring counts, no name
			expect(r).toMatchObject({
				status: before[key].status,
				case_table_id: jbt,
				organisation_id: before[key].organisation_id,
				subject_kind: 'gezin',
				legal_frame: 'gedwongen kader',
				created_at: before[key].created_at,
				decided_at: before[key].decided_at
			});
		}
		expect(await row(ids.open)).toEqual(untouched.open);
		expect(await row(ids.accepted)).toEqual(untouched.accepted);
		// no row anywhere in requests still holds the name of a purged one
		const names = await ctx.db.selectFrom('requests').select('subject_name').execute();
		expect(names.filter((n) => n.subject_name.includes('afgewezen') || n.subject_name.includes('ingetrokken'))).toEqual([]);

		// audited without a name; a second run purges nothing
		const audit = await ctx.db.selectFrom('audit_log').select(['detail']).where('action', '=', 'request.purge').execute();
		expect(audit).toHaveLength(2);
		for (const a of audit) expect(a.detail).not.toContain(NAME);
		expect(await purgeRequestsDue(ctx, ctx.now())).toEqual([]);
	});

	it('the term is per table type: a beheerder sets 1 month for the Jeugdbeschermingstafel; nobody else may, and 0 or 121 months are refused', async () => {
		const admin = await actorFor(ctx, email('beheerder'));
		for (const who of ['noor', 'voorzitter', 'kees']) {
			await expect(setRequestRetention(ctx, await actorFor(ctx, email(who)), jbtType, 1)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		}
		await expect(setRequestRetention(ctx, admin, jbtType, 0)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
		await expect(setRequestRetention(ctx, admin, jbtType, 121)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
		await expect(setRequestRetention(ctx, admin, 999_999, 2)).rejects.toMatchObject({ code: 'NOT_FOUND' });
		await setRequestRetention(ctx, admin, jbtType, 1);
		const overview = await retentionOverview(ctx, admin);
		expect(overview.types.find((x) => x.id === jbtType)?.requestRetentionMonths).toBe(1);

		const kees = await actorFor(ctx, email('kees'));
		const noor = await actorFor(ctx, email('noor'));
		const id = (await submitRequest(ctx, kees, jbt, input('kort'))).requestId;
		await declineRequest(ctx, noor, id, { reason: 'Triage-canary: past niet bij deze tafel.' });
		const decidedAt = (await row(id)).decided_at!;
		const oneMonthLater = new Date(new Date(decidedAt).getTime() + 31 * 86_400_000);
		// the daily job does it too
		t.clock.set(oneMonthLater);
		const job = startRetention(ctx, { intervalHours: 24 });
		await job.run();
		await job.stop();
		expect(await row(id)).toMatchObject({ subject_name: '', reason: '', triage_note: null, purged_at: oneMonthLater.toISOString() });
	});
});

describe('/beheer/bewaartermijnen over HTTP', () => {
	let server: TestServer;
	let db: SharedDb;
	const as = demoLogins(() => server);
	beforeAll(async () => {
		server = await startServer();
		db = openShared(server.dbFile);
	});
	afterAll(async () => {
		db?.close();
		await server?.stop();
	});

	it('shows the term for aanmeldingen per table type and lets the beheerder change it; others get 404', async () => {
		const type = db.prepare("select id, name from table_types order by name limit 1").get() as { id: number; name: string };
		const page = await request(server.url, '/beheer/bewaartermijnen', { cookie: await as('beheerder') });
		expect(page.status).toBe(200);
		expect(page.body).toContain('Aanmeldingen die geen casus werden');
		expect(page.body).toMatch(new RegExp(`data-testid="aanmeldtermijn-${type.id}"[^>]*>drie maanden<`));

		const saved = await request(server.url, '/beheer/bewaartermijnen?/requestTerm', { cookie: await as('beheerder'), form: { tableTypeId: type.id, months: 2 } });
		expect(saved.status).toBe(200);
		expect(saved.body).toContain('De bewaartermijn voor aanmeldingen is 2 maanden.');
		expect((db.prepare('select request_retention_months as m from table_types where id = ?').get(type.id) as { m: number }).m).toBe(2);

		const bad = await request(server.url, '/beheer/bewaartermijnen?/requestTerm', { cookie: await as('beheerder'), form: { tableTypeId: type.id, months: 'veel' } });
		expect(bad.status).toBe(400);
		expect(bad.body).toContain('Kies een termijn van 1 tot en met 120 maanden.');

		for (const who of ['voorzitter', 'noor']) {
			const refused = await request(server.url, '/beheer/bewaartermijnen?/requestTerm', { cookie: await as(who), form: { tableTypeId: type.id, months: 1 } });
			expect(refused.status, who).toBe(404);
		}
		expect((db.prepare('select request_retention_months as m from table_types where id = ?').get(type.id) as { m: number }).m).toBe(2);
	});
});
