import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { actorFor, caseIdOf, createTestContext, email, type TestContext } from './helpers/context';
import { caseId as sharedCaseId, openShared, type SharedDb } from './helpers/db';
import { demoLogins, request, startServer, type TestServer } from './helpers/server';
import { CollabHub, type CollabConnection } from '../../src/lib/server/collab/hub';
import { createSqliteDocStore } from '../../src/lib/server/collab/store';
import { sqliteHandle } from '../../src/lib/server/db/index';
import type { AppContext } from '../../src/lib/server/context';
import { tableFigures } from '../../src/lib/server/monitoring/index';
import { documentAccess } from '../../src/lib/server/policy/index';
import { readAgenda } from '../../src/lib/shared/documents';
import {
	PURGED_AGENDA_TITLE,
	PURGED_TITLE,
	comingDue,
	dueDate,
	dueForPurge,
	purgeDue,
	retentionIntervalHours,
	retentionOverview,
	startRetention
} from '../../src/lib/server/retention/index';

/**
 * Retention with a clock the test moves: demo cases closed on different days at tables with
 * different retention periods. At the purge moment exactly the cases past their term lose their
 * personal data (documents and their update log, projections, identifying fields, free text);
 * every other case, document and row stays byte for byte as it was, monitoring still counts the
 * purged cases, a second run purges nothing, and each purge is recorded and audited.
 */

let t: TestContext;
let ctx: AppContext;
let hub: CollabHub;

// the cases, by role in the test
const codes = {
	/** T150 (12 months), closed 2 March 2026: due 2 March 2027 */
	dueA: 'T150-2026-014',
	/** MDA (6 months), closed 1 September 2026: due 1 March 2027 */
	dueC: 'MDA-2026-001',
	/** OPH (24 months), closed 2 March 2026: due 2028 */
	keepB: 'OPH-2026-003',
	/** T150 (12 months), closed 1 April 2026: due 1 April 2027, three weeks after the purge moment */
	soonD: 'T150-2026-015',
	/** JBT, open; its closed_at is set long ago by mistake, but it is not 'afgesloten' */
	openE: 'JBT-2026-007',
	/** TWS, open, untouched */
	openF: 'TWS-2026-002'
};
const ids: Record<keyof typeof codes, number> = {} as Record<keyof typeof codes, number>;
const PURGE_AT = new Date('2027-03-10T09:00:00Z');

/** Every row that mentions a case, per table, plus every stored document, for comparison. */
/**
 * Meeting documents the purge rewrites (issue 13 item 6b): those whose stored log names one of
 * the cases. They are compared on their own, not byte for byte.
 */
const rewrittenMeetings = new Set<string>();
async function meetingDocsNaming(caseCodes: string[]): Promise<string[]> {
	const rows = [
		...(await ctx.db.selectFrom('doc_updates').select(['doc_name', 'data']).where('doc_name', 'like', 'meeting:%').execute()),
		...(await ctx.db.selectFrom('doc_snapshots').select(['doc_name', 'state as data']).where('doc_name', 'like', 'meeting:%').execute())
	];
	return [...new Set(rows.filter((r) => caseCodes.some((c) => Buffer.from(r.data).includes(Buffer.from(c)))).map((r) => r.doc_name))].sort();
}

async function dump(exceptCaseIds: number[]) {
	const { db } = ctx;
	const not = exceptCaseIds.length ? exceptCaseIds : [0];
	const byCase = async (table: 'cases' | 'action_rows' | 'attendance' | 'regie_assignments' | 'escalations' | 'item_closures' | 'notifications' | 'case_access') =>
		table === 'cases'
			? db.selectFrom('cases').selectAll().where('id', 'not in', not).orderBy('id').execute()
			: db.selectFrom(table).selectAll().where('case_id', 'not in', not).execute();
	const ownDoc = (name: string) => rewrittenMeetings.has(name) || exceptCaseIds.some((id) => name === `case:${id}` || name.endsWith(`:${id}`) && name.startsWith('bespreking:'));
	const updates = (await db.selectFrom('doc_updates').selectAll().orderBy('id').execute()).filter((r) => !ownDoc(r.doc_name));
	const snapshots = (await db.selectFrom('doc_snapshots').selectAll().orderBy('doc_name').execute()).filter((r) => !ownDoc(r.doc_name));
	return {
		cases: await byCase('cases'),
		action_rows: await byCase('action_rows'),
		attendance: await byCase('attendance'),
		regie: await byCase('regie_assignments'),
		escalations: await byCase('escalations'),
		closures: await byCase('item_closures'),
		notifications: await byCase('notifications'),
		access: await db.selectFrom('case_access').selectAll().orderBy('id').execute(),
		requests: await db
			.selectFrom('requests')
			.selectAll()
			.where((eb) => eb.or([eb('case_id', 'is', null), eb('case_id', 'not in', not)]))
			.orderBy('id')
			.execute(),
		updates: updates.map((r) => ({ ...r, data: Buffer.from(r.data).toString('hex') })),
		snapshots: snapshots.map((r) => ({ ...r, state: Buffer.from(r.state).toString('hex') }))
	};
}

async function writeText(docName: string, text: string) {
	await hub.change(docName, 'test', (doc) => doc.getText('situatie').insert(0, text));
}

async function storedNames(caseId: number): Promise<string[]> {
	const names = new Set<string>();
	for (const r of await ctx.db.selectFrom('doc_updates').select('doc_name').execute()) names.add(r.doc_name);
	for (const r of await ctx.db.selectFrom('doc_snapshots').select('doc_name').execute()) names.add(r.doc_name);
	return [...names].filter((n) => n === `case:${caseId}` || (n.startsWith('bespreking:') && n.endsWith(`:${caseId}`))).sort();
}

function fakeConnection(docName: string, closes: number[]): CollabConnection {
	return { id: `c-${docName}`, docName, userId: 1, sessionId: 's', access: 'write', send: () => {}, close: (code) => closes.push(code) };
}

beforeAll(async () => {
	t = await createTestContext(new Date('2026-03-02T09:00:00Z'));
	ctx = t.ctx;
	for (const key of Object.keys(codes) as (keyof typeof codes)[]) ids[key] = await caseIdOf(ctx, codes[key]);
	const store = createSqliteDocStore(sqliteHandle(ctx.db), { now: ctx.now, onWriteError: () => {} });
	hub = new CollabHub({ store, log: ctx.log, compactAfter: 1_000 });
	ctx.realtime = { hub } as unknown as AppContext['realtime'];

	// retention per table type
	const setRetention = async (code: string, months: number) => {
		const row = await ctx.db.selectFrom('cases').innerJoin('case_tables', 'case_tables.id', 'cases.case_table_id').select('case_tables.table_type_id').where('cases.code', '=', code).executeTakeFirstOrThrow();
		await ctx.db.updateTable('table_types').set({ retention_months: months }).where('id', '=', row.table_type_id).execute();
	};
	await setRetention(codes.dueA, 12);
	await setRetention(codes.dueC, 6);
	await setRetention(codes.keepB, 24);
	await setRetention(codes.openE, 1);
	await setRetention(codes.openF, 1);
	const close = (id: number, at: string) =>
		ctx.db.updateTable('cases').set({ status: 'afgesloten', closed_at: at, outcome: 'Uitkomst met naam', nazorg: 'Nazorg met naam' }).where('id', '=', id).execute();
	await close(ids.dueA, '2026-03-02T09:00:00.000Z');
	await close(ids.dueC, '2026-09-01T10:00:00.000Z');
	await close(ids.keepB, '2026-03-02T09:00:00.000Z');
	await close(ids.soonD, '2026-04-01T08:00:00.000Z');
	await ctx.db.updateTable('cases').set({ closed_at: '2020-01-01T00:00:00.000Z' }).where('id', '=', ids.openE).execute();

	// content in every case's documents: a snapshot and updates after it, and besprekingen
	const meeting = await ctx.db.selectFrom('meetings').select('id').orderBy('id').executeTakeFirstOrThrow();
	for (const key of Object.keys(codes) as (keyof typeof codes)[]) {
		await writeText(`case:${ids[key]}`, `Situatie van ${codes[key]} `);
		await writeText(`bespreking:${meeting.id}:${ids[key]}`, `Verslag van ${codes[key]} `);
	}
	await hub.shutdown(); // compacts: snapshots
	for (const key of Object.keys(codes) as (keyof typeof codes)[]) await writeText(`case:${ids[key]}`, 'en daarna ');
	await hub.shutdown();
	// and updates in the log after the snapshot (written to the store directly: the hub would compact on unload)
	for (const key of Object.keys(codes) as (keyof typeof codes)[]) {
		const extra = new Y.Doc();
		extra.getText('zorgen').insert(0, `Zorgen over ${codes[key]}`);
		await store.append(`case:${ids[key]}`, Y.encodeStateAsUpdate(extra));
		extra.destroy();
	}

	// rows that mention each case: actions, attendance, regie, escalations, closures, requests, notices
	const voorzitter = await actorFor(ctx, email('voorzitter'));
	const tableOf = async (id: number) => (await ctx.db.selectFrom('cases').select('case_table_id').where('id', '=', id).executeTakeFirstOrThrow()).case_table_id;
	for (const key of Object.keys(codes) as (keyof typeof codes)[]) {
		const id = ids[key];
		await ctx.db.deleteFrom('action_rows').where('case_id', '=', id).execute();
		await ctx.db
			.insertInto('action_rows')
			.values({ case_id: id, action_id: `a-${id}`, position: 0, text: `Bel moeder van ${codes[key]}`, actiehouder_id: voorzitter.userId, organisation_id: voorzitter.organisationId, deadline: '2026-04-01', status: 'gedaan', leefgebied: '', projected_at: '2026-03-02T09:00:00.000Z' })
			.execute();
		await ctx.db.insertInto('attendance').values({ meeting_id: meeting.id, case_id: id, kind: 'ouder', name: `Ouder van ${codes[key]}`, age: null, added_by: voorzitter.userId, created_at: '2026-03-02T09:00:00.000Z' }).execute();
		await ctx.db.insertInto('regie_assignments').values({ case_id: id, kind: 'casusregisseur', user_id: voorzitter.userId, assigned_at: '2026-03-02T09:00:00.000Z', ended_at: null, decided_by: voorzitter.userId, meeting_id: meeting.id, note: 'Notitie met naam' }).onConflict((oc) => oc.doNothing()).execute();
		await ctx.db.insertInto('escalations').values({ case_id: id, reason: 'Reden met naam', escalated_to: 'bestuurlijk', raised_by: voorzitter.userId, raised_at: '2026-03-02T09:00:00.000Z', outcome: 'Uitkomst met naam', resolved_by: voorzitter.userId, resolved_at: '2026-03-03T09:00:00.000Z' }).execute();
		await ctx.db.insertInto('item_closures').values({ meeting_id: meeting.id, item_id: `i-${id}`, case_id: id, closed_by: voorzitter.userId, closed_at: '2026-03-03T09:00:00.000Z', template_missing: '[]', template_reason: 'Reden met naam', regie_reason: 'Regie met naam' }).execute();
		await ctx.db
			.insertInto('requests')
			.values({ case_table_id: await tableOf(id), organisation_id: voorzitter.organisationId!, submitted_by: voorzitter.userId, subject_kind: 'persoon', subject_name: `Naam van ${codes[key]}`, subject_birthdate: '2004-03-12', has_indication: 0, reason: 'Reden met naam', question: 'Vraag met naam', invite_org_ids: '[]', legal_frame: 'vrijwillig', consent_note: 'Toestemming van moeder', status: 'geaccepteerd', triage_note: 'Triage met naam', decided_by: voorzitter.userId, decided_at: '2026-03-01T09:00:00.000Z', case_id: id, meeting_id: null, relapse_case_id: null, created_at: '2026-02-20T09:00:00.000Z', updated_at: '2026-03-01T09:00:00.000Z' })
			.execute();
		await ctx.db.insertInto('notifications').values({ user_id: voorzitter.userId, kind: 'regie', dedupe_key: `k-${id}`, case_id: id, meeting_id: null, text: `U bent casusregisseur van ${codes[key]}.`, link: `/casus/${id}`, created_at: '2026-03-02T09:00:00.000Z', read_at: null, email_sent_at: null }).execute();
	}
}, 60_000);

afterAll(async () => {
	await hub?.shutdown();
	await t?.close();
});

describe('retention with a controllable clock', () => {
	it('the term runs from closed_at, to the moment, months later', async () => {
		expect(dueDate('2026-03-02T09:00:00.000Z', 12)).toBe('2027-03-02T09:00:00.000Z');
		expect(dueDate('2026-08-31T10:00:00.000Z', 6)).toBe('2027-02-28T10:00:00.000Z');
		const before = await dueForPurge(ctx, new Date('2027-03-02T08:59:59.999Z'));
		expect(before.map((c) => c.code)).toEqual([codes.dueC]);
		const at = await dueForPurge(ctx, new Date('2027-03-02T09:00:00.000Z'));
		expect(at.map((c) => c.code)).toEqual([codes.dueC, codes.dueA]);
		expect(retentionIntervalHours({})).toBe(24);
		expect(retentionIntervalHours({ RETENTION_INTERVAL_HOURS: '6' })).toBe(6);
		expect(retentionIntervalHours({ RETENTION_INTERVAL_HOURS: 'nee' })).toBe(24);
	});

	it('lists what is due and what comes due, for beheerders only', async () => {
		t.clock.set(PURGE_AT);
		const admin = await actorFor(ctx, email('beheerder'));
		const overview = await retentionOverview(ctx, admin);
		expect(overview.due.map((c) => [c.code, c.dueAt])).toEqual([
			[codes.dueC, '2027-03-01T10:00:00.000Z'],
			[codes.dueA, '2027-03-02T09:00:00.000Z']
		]);
		expect(overview.upcoming.map((c) => [c.code, c.dueAt])).toEqual([[codes.soonD, '2027-04-01T08:00:00.000Z']]);
		expect((await comingDue(ctx, PURGE_AT, 10)).length).toBe(0);
		for (const who of ['voorzitter', 'deelnemer', 'geen-toegang']) {
			await expect(retentionOverview(ctx, await actorFor(ctx, email(who)))).rejects.toMatchObject({ code: 'NOT_FOUND' });
		}
	});

	it('purges exactly the cases past their term, and nothing else', async () => {
		t.clock.set(PURGE_AT);
		const purgedIds = [ids.dueA, ids.dueC];
		const naming = await meetingDocsNaming([codes.dueA, codes.dueC]);
		expect(naming.length).toBeGreaterThanOrEqual(1); // the demo's past meeting had T150-2026-014 on its agenda
		for (const name of naming) rewrittenMeetings.add(name);
		const untouchedBefore = await dump(purgedIds);
		expect(untouchedBefore.updates.length).toBeGreaterThan(0);
		expect(untouchedBefore.snapshots.length).toBeGreaterThan(0);
		const expected = new Map<number, Record<string, number>>();
		const countOf = async (table: 'action_rows' | 'attendance' | 'regie_assignments' | 'notifications' | 'escalations' | 'item_closures' | 'requests', id: number) =>
			(await ctx.db.selectFrom(table).select('case_id').where('case_id', '=', id).execute()).length;
		for (const id of purgedIds) {
			expect((await storedNames(id)).length).toBeGreaterThanOrEqual(2);
			expected.set(id, {
				documents: (await storedNames(id)).length,
				actionRows: await countOf('action_rows', id),
				attendance: await countOf('attendance', id),
				regieAssignments: await countOf('regie_assignments', id),
				notifications: await countOf('notifications', id),
				escalationsBlanked: await countOf('escalations', id),
				itemClosuresBlanked: await countOf('item_closures', id),
				requestsBlanked: await countOf('requests', id)
			});
		}

		// monitoring before, as the T150 and MDA chair sees it
		const chair = await actorFor(ctx, email('voorzitter'));
		const tables = await ctx.db.selectFrom('cases').select('case_table_id').where('id', 'in', purgedIds).execute();
		const counted = async () =>
			Promise.all(
				tables.map(async ({ case_table_id }) => {
					const f = await tableFigures(ctx, chair, case_table_id);
					return { byStatus: f.byStatus, caseload: f.caseload, escalations: f.escalations, firstBespreking: f.firstBespreking, terugval: f.terugval, regie: f.regie };
				})
			);
		const figuresBefore = await counted();
		const docAccess = () => documentAccess(ctx.db, chair, { kind: 'case', caseId: ids.dueA });
		expect(await docAccess()).toBe('write');
		expect(figuresBefore.every((f) => f.byStatus.find((s) => s.status === 'afgesloten')!.count >= 1)).toBe(true);

		// a live copy of a purged document, with an open connection
		const closes: number[] = [];
		await writeText(`case:${ids.dueA}`, 'live ');
		hub.connect(fakeConnection(`case:${ids.dueA}`, closes));
		expect(hub.isLoaded(`case:${ids.dueA}`)).toBe(true);

		const purged = await purgeDue(ctx, ctx.now());
		expect(purged.map((p) => p.code).sort()).toEqual([codes.dueA, codes.dueC].sort());

		// the live copy is gone, its connection closed with 4403, and nothing was written after
		expect(closes).toEqual([4403]);
		expect(hub.isLoaded(`case:${ids.dueA}`)).toBe(false);
		await new Promise((r) => setTimeout(r, 20));

		for (const p of purged) {
			expect(p.counts).toMatchObject(expected.get(p.caseId)!);
			expect(p.counts.actionRows).toBeGreaterThanOrEqual(1);
			expect(p.counts.docUpdates).toBeGreaterThanOrEqual(1);
			expect(p.counts.docSnapshots).toBeGreaterThanOrEqual(2);
			expect(p.counts.attendance).toBeGreaterThanOrEqual(1);
			expect(p.counts.requestsBlanked).toBeGreaterThanOrEqual(1);
		}
		for (const id of purgedIds) {
			expect(await storedNames(id)).toEqual([]);
			const c = await ctx.db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
			expect(c).toMatchObject({ title: PURGED_TITLE, subject_name: '', subject_birthdate: null, outcome: null, nazorg: null, status: 'afgesloten', purged_at: PURGE_AT.toISOString() });
			expect(c.closed_at).not.toBeNull();
			for (const table of ['action_rows', 'attendance', 'regie_assignments', 'notifications'] as const) {
				expect(await ctx.db.selectFrom(table).selectAll().where('case_id', '=', id).execute(), table).toEqual([]);
			}
			const escalations = await ctx.db.selectFrom('escalations').selectAll().where('case_id', '=', id).execute();
			expect(escalations.length).toBe(expected.get(id)!.escalationsBlanked);
			expect(escalations).toContainEqual(expect.objectContaining({ reason: '', outcome: '', escalated_to: 'bestuurlijk', resolved_at: '2026-03-03T09:00:00.000Z' }));
			expect(escalations.every((e) => e.reason === '' && (e.outcome === null || e.outcome === ''))).toBe(true);
			const closures = await ctx.db.selectFrom('item_closures').selectAll().where('case_id', '=', id).execute();
			expect(closures.length).toBe(expected.get(id)!.itemClosuresBlanked);
			expect(closures).toContainEqual(expect.objectContaining({ template_reason: null, regie_reason: null, closed_at: '2026-03-03T09:00:00.000Z' }));
			expect(closures.every((c) => c.template_reason === null && c.regie_reason === null)).toBe(true);
			const requests = await ctx.db.selectFrom('requests').selectAll().where('case_id', '=', id).execute();
			expect(requests).toContainEqual(expect.objectContaining({ status: 'geaccepteerd', created_at: '2026-02-20T09:00:00.000Z' }));
			for (const r of requests) expect(r).toMatchObject({ subject_name: '', subject_birthdate: null, reason: '', question: '', consent_note: '', triage_note: null });
			// no trace of the content left anywhere in the database's text columns we know of
			const text = JSON.stringify(await ctx.db.selectFrom('cases').selectAll().where('id', '=', id).execute());
			expect(text).not.toMatch(/met naam|Rens|Huishouden Testman/);
		}

		// the meeting documents that named a purged case no longer do, in any stored byte
		expect(await meetingDocsNaming([codes.dueA, codes.dueC])).toEqual([]);
		for (const name of naming) {
			const agenda = await hub.read(name, (doc) => readAgenda(doc));
			expect(agenda.filter((i) => i.caseId === ids.dueA || i.caseId === ids.dueC).every((i) => i.title === PURGED_AGENDA_TITLE && i.caseCode === null)).toBe(true);
		}

		// nobody writes personal data into a purged case's document again
		expect(await docAccess()).toBe('read');

		// everything else: byte-identical
		expect(await dump(purgedIds)).toEqual(untouchedBefore);

		// monitoring still counts the purged cases
		expect(await counted()).toEqual(figuresBefore);

		// recorded and audited, with counts and no content
		const purges = await ctx.db.selectFrom('purges').selectAll().orderBy('case_id').execute();
		expect(purges.map((p) => p.case_id).sort()).toEqual([...purgedIds].sort());
		for (const p of purges) {
			expect(p.purged_at).toBe(PURGE_AT.toISOString());
			expect(JSON.parse(p.detail)).toEqual(purged.find((x) => x.caseId === p.case_id)!.counts);
		}
		const audit = await ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'case.purge').execute();
		expect(audit.map((a) => a.case_id).sort()).toEqual([...purgedIds].sort());
		expect(audit.every((a) => a.user_id === null && a.at === PURGE_AT.toISOString())).toBe(true);
		expect(JSON.stringify(audit)).not.toMatch(/met naam|Situatie|Verslag/);

		// a second run purges nothing new
		expect(await purgeDue(ctx, ctx.now())).toEqual([]);
		expect(await ctx.db.selectFrom('purges').select('id').execute()).toHaveLength(2);
		expect(await dump(purgedIds)).toEqual(untouchedBefore);
	});

	it('the job runs at start with the context clock, and again on demand; later cases come due later', async () => {
		const soonBefore = await dump([ids.soonD, ids.dueA, ids.dueC]);
		t.clock.set(new Date('2027-04-01T07:59:59.000Z'));
		const early = startRetention(ctx, { intervalHours: 24 });
		expect(await early.run()).toEqual([]);
		await early.stop();
		expect((await ctx.db.selectFrom('cases').select('purged_at').where('id', '=', ids.soonD).executeTakeFirstOrThrow()).purged_at).toBeNull();

		t.clock.set(new Date('2027-04-01T08:00:00.000Z'));
		const job = startRetention(ctx, { intervalHours: 24 });
		// the run at start purged D; the one asked for now finds nothing new
		expect(await job.run()).toEqual([]);
		await job.stop();
		const d = await ctx.db.selectFrom('cases').selectAll().where('id', '=', ids.soonD).executeTakeFirstOrThrow();
		expect(d.purged_at).toBe('2027-04-01T08:00:00.000Z');
		expect(await storedNames(ids.soonD)).toEqual([]);
		expect(await dump([ids.soonD, ids.dueA, ids.dueC])).toEqual(soonBefore);

		// open cases are never touched, however old their dates
		t.clock.set(new Date('2040-01-01T00:00:00Z'));
		const late = await purgeDue(ctx, ctx.now());
		expect(late.map((p) => p.code)).toEqual([codes.keepB]);
		for (const key of ['openE', 'openF'] as const) {
			const c = await ctx.db.selectFrom('cases').selectAll().where('id', '=', ids[key]).executeTakeFirstOrThrow();
			expect(c.purged_at).toBeNull();
			expect(c.subject_name).not.toBe('');
			expect((await storedNames(ids[key])).length).toBeGreaterThanOrEqual(2);
		}
	});
});

describe('the beheerder page over HTTP', () => {
	let server: TestServer;
	let shared: SharedDb;
	const as = demoLogins(() => server);

	beforeAll(async () => {
		server = await startServer();
		shared = openShared(server.dbFile, { writable: true });
	}, 60_000);

	afterAll(async () => {
		shared?.close();
		await server?.stop();
	});

	it('shows codes and dates of what is due and what was removed; 404 for everybody else', async () => {
		// T150 keeps 60 months (demo): one case past it, one coming due in 30 days
		const now = Date.now();
		const monthsAgo = (months: number, plusDays = 0) => {
			const d = new Date(now + plusDays * 86_400_000);
			d.setUTCMonth(d.getUTCMonth() - months);
			return d.toISOString();
		};
		const months = (shared.prepare("select tt.retention_months as m from table_types tt join case_tables ct on ct.table_type_id = tt.id join cases c on c.case_table_id = ct.id where c.code = 'T150-2026-014'").get() as { m: number }).m;
		const close = shared.prepare("update cases set status = 'afgesloten', closed_at = ? where id = ?");
		close.run(monthsAgo(months, -2), sharedCaseId(shared, 'T150-2026-014'));
		close.run(monthsAgo(months, 30), sharedCaseId(shared, 'T150-2026-015'));

		const before = await request(server.url, '/beheer/bewaartermijnen', { cookie: await as('beheerder') });
		expect(before.status).toBe(200);
		expect(before.body).toContain('<h1>Bewaartermijnen</h1>');
		const due = before.body.slice(before.body.indexOf('id="nu-te-verwijderen"'), before.body.indexOf('id="binnenkort"'));
		const soon = before.body.slice(before.body.indexOf('id="binnenkort"'), before.body.indexOf('id="verwijderd"'));
		expect(due).toContain('T150-2026-014');
		expect(soon).toContain('T150-2026-015');
		expect(soon).not.toContain('T150-2026-014');
		// no personal data: neither the subject nor the title
		expect(before.body).not.toMatch(/Rens Verzonnen|Karin Bedacht|herhaalde inbraken|Overlast in de wijk/);

		for (const who of ['voorzitter', 'secretaris', 'deelnemer', 'geen-toegang']) {
			const reply = await request(server.url, '/beheer/bewaartermijnen', { cookie: await as(who) });
			expect(reply.status, who).toBe(404);
		}
		const anonymous = await request(server.url, '/beheer/bewaartermijnen');
		expect(anonymous.status).not.toBe(200);
		expect(anonymous.body).not.toContain('T150-2026-014');

		// a restart runs the job at start: the due case is purged, the other still waits
		await server.crash();
		server = await server.restart();
		const purgedAt = shared.prepare('select purged_at from cases where code = ?');
		for (let i = 0; i < 100 && (purgedAt.get('T150-2026-014') as { purged_at: string | null }).purged_at === null; i++) {
			await new Promise((r) => setTimeout(r, 50));
		}
		const purged = shared.prepare('select title, subject_name, purged_at from cases where code = ?').get('T150-2026-014') as { title: string; subject_name: string; purged_at: string | null };
		expect(purged.purged_at).not.toBeNull();
		expect(purged.subject_name).toBe('');
		const after = await request(server.url, '/beheer/bewaartermijnen', { cookie: await as('beheerder') });
		expect(after.status).toBe(200);
		const recent = after.body.slice(after.body.indexOf('id="verwijderd"'));
		expect(recent).toContain('T150-2026-014');
		expect(after.body.slice(after.body.indexOf('id="nu-te-verwijderen"'), after.body.indexOf('id="binnenkort"'))).not.toContain('T150-2026-014');
		expect(after.body.slice(after.body.indexOf('id="binnenkort"'), after.body.indexOf('id="verwijderd"'))).toContain('T150-2026-015');
	}, 60_000);
});
