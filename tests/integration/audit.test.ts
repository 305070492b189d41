import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateHOTP } from '@oslojs/otp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentAuditor, EDIT_WINDOW_MS } from '../../src/lib/server/audit/documents';
import { auditRowHash, GENESIS_HASH, verifyAuditChain } from '../../src/lib/server/audit/chain';
import { recordAudit } from '../../src/lib/server/audit/index';
import type { CollabConnection } from '../../src/lib/server/collab/hub';
import { migrateToLatest, migrator, openDatabase, sqliteHandle, type Db } from '../../src/lib/server/db/index';
import { caseTextOf, meetingNotesOf } from '../../src/lib/shared/documents';
import { createTestContext, type TestContext } from './helpers/context';
import { caseId, openShared, user, type SharedDb } from './helpers/db';
import { connectDoc, waitFor, type DocClient } from './helpers/realtime';
import { DEMO_PASSWORD } from '../../src/lib/server/seed/demo';
import { demoEmail, demoLogins, request, startServer, type TestServer } from './helpers/server';

/**
 * The audit log after NEN 7513: a hash chain over every row, append-only by database
 * triggers, a check that names the first broken row, document edits grouped per user, case
 * and five minutes, and the pages that show the log to those who may see it.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const rawRows = (db: SharedDb | ReturnType<typeof sqliteHandle>) =>
	db.prepare('select * from audit_log order by id').all() as { id: number; prev_hash: string; hash: string; action: string }[];

describe('the chain, in process', () => {
	let t: TestContext;
	beforeAll(async () => {
		t = await createTestContext();
	});
	afterAll(async () => {
		await t?.close();
	});

	it('chains concurrent writers, inside and outside transactions, without a fork', async () => {
		const { db } = t.ctx;
		const before = rawRows(sqliteHandle(db)).length;
		const writes: Promise<unknown>[] = [];
		for (let i = 0; i < 40; i++) {
			const entry = { at: t.ctx.now(), userId: null, organisationId: null, action: 'login.failure' as const, detail: { n: i } };
			writes.push(
				i % 2 === 0
					? recordAudit(db, entry)
					: db.transaction().execute(async (trx) => {
							await trx.selectFrom('users').select('id').limit(1).execute();
							await recordAudit(trx, entry);
						})
			);
		}
		await Promise.all(writes);
		const rows = rawRows(sqliteHandle(db));
		expect(rows.length).toBe(before + 40);
		expect(new Set(rows.map((r) => r.prev_hash)).size).toBe(rows.length);
		expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
		expect(await verifyAuditChain(db)).toEqual({ ok: true, rows: rows.length });
	});

	it('a rolled-back transaction leaves no gap in the chain', async () => {
		const { db } = t.ctx;
		await expect(
			db.transaction().execute(async (trx) => {
				await recordAudit(trx, { at: t.ctx.now(), userId: null, organisationId: null, action: 'logout' });
				throw new Error('rolled back');
			})
		).rejects.toThrow('rolled back');
		await recordAudit(db, { at: t.ctx.now(), userId: null, organisationId: null, action: 'logout' });
		expect((await verifyAuditChain(db)).ok).toBe(true);
	});

	it('fills the role at the table of the case', async () => {
		const { db } = t.ctx;
		const chair = await db.selectFrom('users').select(['id', 'organisation_id']).where('email', '=', demoEmail('voorzitter')).executeTakeFirstOrThrow();
		const c = await db.selectFrom('cases').select('id').where('code', '=', 'T150-2026-014').executeTakeFirstOrThrow();
		await recordAudit(db, { at: t.ctx.now(), userId: chair.id, organisationId: chair.organisation_id, action: 'case.view', caseId: c.id });
		const last = await db.selectFrom('audit_log').select(['role', 'action']).orderBy('id', 'desc').executeTakeFirstOrThrow();
		expect(last).toEqual({ role: 'voorzitter', action: 'case.view' });
	});

	it('the triggers refuse UPDATE and DELETE through a normal connection', () => {
		const raw = sqliteHandle(t.ctx.db);
		expect(() => raw.prepare("update audit_log set ip = '10.0.0.1' where id = 1").run()).toThrow(/append-only/);
		expect(() => raw.prepare('delete from audit_log where id = 1').run()).toThrow(/append-only/);
		expect(() => raw.prepare('delete from audit_log').run()).toThrow(/append-only/);
	});

	it('groups document edits per session, document and five minutes, every document kind, with a count', async () => {
		const { db } = t.ctx;
		const deelnemer = await db.selectFrom('users').select('id').where('email', '=', demoEmail('deelnemer')).executeTakeFirstOrThrow();
		const waarnemer = await db.selectFrom('users').select('id').where('email', '=', demoEmail('waarnemer')).executeTakeFirstOrThrow();
		const c = await db.selectFrom('cases').select('id').where('code', '=', 'T150-2026-014').executeTakeFirstOrThrow();
		const connection = (userId: number, docName: string, sessionId = `sessie-${userId}`) => ({ userId, docName, sessionId }) as unknown as CollabConnection;
		const raw = sqliteHandle(db);
		const edits = (action = 'case.document.edit') => (raw.prepare('select count(*) as n from audit_log where action = ?').get(action) as { n: number }).n;
		const countOf = (action: string, userId: number) =>
			(raw.prepare('select n.count from audit_log a join audit_counts n on n.audit_id = a.id where a.action = ? and a.user_id = ? order by a.id desc limit 1').get(action, userId) as { count: number } | undefined)?.count;
		// a fresh window: the clock at its start
		t.clock.set(new Date(Math.ceil(t.ctx.now().getTime() / EDIT_WINDOW_MS) * EDIT_WINDOW_MS));
		const audit = documentAuditor(t.ctx);
		const doc = `case:${c.id}`;
		for (let i = 0; i < 30; i++) audit.edit(connection(deelnemer.id, doc));
		await waitFor('the first edit row', () => edits() === 1);
		t.clock.advance(4 * 60_000);
		for (let i = 0; i < 10; i++) audit.edit(connection(deelnemer.id, doc));
		audit.edit(connection(waarnemer.id, doc)); // another user: a row of its own
		audit.edit(connection(deelnemer.id, 'meeting:1')); // a meeting document: recorded too
		audit.edit(connection(deelnemer.id, `bespreking:1:${c.id}`)); // and the minutes of a case
		await waitFor('the other user’s row', () => edits() === 2);
		await waitFor('the meeting document’s row', () => edits('meeting.document.edit') === 1 && edits('bespreking.document.edit') === 1);
		await audit.flush();
		expect(countOf('case.document.edit', deelnemer.id), 'every accepted update of the window is counted').toBe(40);
		audit.edit(connection(deelnemer.id, doc, 'een-andere-sessie')); // another session of the same person
		await waitFor('the other session’s row', () => edits() === 3);
		t.clock.advance(2 * 60_000); // the next window
		audit.edit(connection(deelnemer.id, doc));
		await waitFor('the next window’s row', () => edits() === 4);
		// a restarted server (a fresh auditor) does not log the same window twice: it counts on
		const afterRestart = documentAuditor(t.ctx);
		afterRestart.edit(connection(deelnemer.id, doc));
		await new Promise((r) => setTimeout(r, 200));
		expect(edits()).toBe(4);
		expect(countOf('case.document.edit', deelnemer.id)).toBe(2);
		const rows = await db.selectFrom('audit_log').select(['user_id', 'case_id', 'meeting_id']).where('action', 'like', '%.document.edit').orderBy('id').execute();
		const byKey = (r: { user_id: number | null; case_id: number | null; meeting_id: number | null }) => JSON.stringify(r);
		expect(rows.map(byKey).sort()).toEqual([
			{ user_id: deelnemer.id, case_id: c.id, meeting_id: null },
			{ user_id: waarnemer.id, case_id: c.id, meeting_id: null },
			{ user_id: deelnemer.id, case_id: null, meeting_id: 1 },
			{ user_id: deelnemer.id, case_id: c.id, meeting_id: 1 },
			{ user_id: deelnemer.id, case_id: c.id, meeting_id: null },
			{ user_id: deelnemer.id, case_id: c.id, meeting_id: null }
		].map(byKey).sort());
		expect((await verifyAuditChain(db)).ok).toBe(true);
	});

	it('names the first broken row after a direct change, and after a deletion', async () => {
		const raw = sqliteHandle(t.ctx.db);
		const rows = rawRows(raw);
		const target = rows[Math.floor(rows.length / 2)]!;
		// an attacker with access to the file drops the trigger first
		raw.exec('drop trigger audit_log_no_update; drop trigger audit_log_no_delete');
		raw.prepare("update audit_log set detail = '{\"n\":999}' where id = ?").run(target.id);
		const changed = await verifyAuditChain(t.ctx.db);
		expect(changed).toMatchObject({ ok: false, firstBrokenId: target.id });

		// the command says the same, with exit code 1
		const cli = spawnSync(process.execPath, ['--import', 'tsx', 'server/audit-verify.ts'], {
			cwd: ROOT,
			env: { ...process.env, DATABASE_URL: t.ctx.config.databaseUrl },
			encoding: 'utf8'
		});
		expect(cli.status).toBe(1);
		expect(cli.stderr).toContain(`row ${target.id}`);

		// a forged row with a recomputed hash still breaks the next row's link
		const stored = raw.prepare('select * from audit_log where id = ?').get(target.id) as Parameters<typeof auditRowHash>[0] & { prev_hash: string };
		raw.prepare('update audit_log set hash = ? where id = ?').run(auditRowHash(stored, stored.prev_hash), target.id);
		expect(await verifyAuditChain(t.ctx.db)).toMatchObject({ ok: false, firstBrokenId: rows[rows.indexOf(target) + 1]!.id });

		// deleting a row: the row after it is named
		const earlier = rows[3]!;
		raw.prepare('delete from audit_log where id = ?').run(earlier.id);
		expect(await verifyAuditChain(t.ctx.db)).toMatchObject({ ok: false, firstBrokenId: rows[4]!.id });
	});
});

describe('migration 0006 chains the rows written before it', () => {
	let dir: string;
	let db: Db;
	beforeAll(() => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casustafel-audit-mig-'));
		db = openDatabase(path.join(dir, 'db.sqlite'));
	});
	afterAll(async () => {
		await db?.destroy();
		fs.rmSync(dir, { recursive: true, force: true });
	});

	it('backfills in id order, then the chain verifies and goes on', async () => {
		const { error } = await migrator(db).migrateTo('0005_trust');
		expect(error).toBeUndefined();
		const raw = sqliteHandle(db);
		const insert = raw.prepare('insert into audit_log (at, user_id, organisation_id, action, case_id, detail, ip) values (?, ?, ?, ?, ?, ?, ?)');
		for (let i = 0; i < 5; i++) insert.run(`2026-01-0${i + 1}T10:00:00.000Z`, null, null, 'login.failure', null, JSON.stringify({ i }), '127.0.0.1');
		await migrateToLatest(db);
		const rows = rawRows(raw);
		expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
		expect(rows.every((r, i) => i === 0 || r.prev_hash === rows[i - 1]!.hash)).toBe(true);
		await recordAudit(db, { at: new Date(), userId: null, organisationId: null, action: 'logout' });
		expect(await verifyAuditChain(db)).toEqual({ ok: true, rows: 6 });
		// and down removes the triggers again
		await migrator(db).migrateTo('0005_trust');
		expect(() => raw.prepare('delete from audit_log where id = 6').run()).not.toThrow();
	});
});

describe('over HTTP, against the real server', () => {
	let server: TestServer;
	let db: SharedDb;
	let t150: number;
	const demo = demoLogins(() => server);
	/**
	 * Reading the audit trail needs a second factor: the chair and the secretaris get a TOTP key
	 * (written into their rows, as enrolment would) and log in with a code when asked.
	 */
	const TOTP_KEY = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
	const withTotp = new Map<string, Promise<string>>();
	async function loginWithTotp(local: string): Promise<string> {
		const writable = openShared(server.dbFile, { writable: true });
		try {
			writable
				.prepare('update users set totp_secret = ?, totp_enabled_at = ? where email = ?')
				.run(TOTP_KEY, new Date().toISOString(), demoEmail(local));
		} finally {
			writable.close();
		}
		const reply = await request(server.url, '/login', { form: { email: demoEmail(local), password: DEMO_PASSWORD } });
		if (reply.status !== 303 || !reply.sessionCookie) throw new Error(`login as ${local} failed: ${reply.status}`);
		if (reply.location?.startsWith('/login/tweede-factor')) {
			const code = generateHOTP(decodeBase32IgnorePadding(TOTP_KEY), BigInt(Math.floor(Date.now() / 30_000)), 6);
			const step = await request(server.url, reply.location, { cookie: reply.sessionCookie, form: { code } });
			if (step.status !== 303 || step.location?.startsWith('/login')) throw new Error(`second factor for ${local} failed: ${step.status}`);
			// the second factor issues a new session token (ASVS 7.2.4)
			return step.sessionCookie!;
		}
		return reply.sessionCookie;
	}
	const as = (local: string) => {
		if (local !== 'voorzitter' && local !== 'secretaris') return demo(local);
		if (!withTotp.has(local)) withTotp.set(local, loginWithTotp(local));
		return withTotp.get(local)!;
	};
	const get = async (who: string | null, pathname: string) => request(server.url, pathname, { cookie: who ? await as(who) : null });
	const clients: DocClient[] = [];

	beforeAll(async () => {
		server = await startServer();
		db = openShared(server.dbFile);
		t150 = caseId(db, 'T150-2026-014');
	}, 60_000);
	afterAll(async () => {
		for (const c of clients) c.destroy();
		db?.close();
		await server?.stop();
	});

	it('a run of real actions leaves a valid chain, with one edit row for many keystrokes', async () => {
		// a failed login, logins, case views, a verslag-free run of pages, a document edited
		expect((await request(server.url, '/login', { form: { email: demoEmail('deelnemer'), password: 'fout-wachtwoord-123' } })).status).toBe(401);
		expect((await get('voorzitter', `/casus/${t150}`)).status).toBe(200);
		expect((await get('deelnemer', `/casus/${t150}`)).status).toBe(200);
		const client = connectDoc(server.url, `case:${t150}`, await as('deelnemer'));
		clients.push(client);
		await client.synced;
		const text = caseTextOf(client.doc, 'zorgen');
		for (let i = 0; i < 25; i++) text.insert(text.length, 'x');
		const deelnemer = user(db, demoEmail('deelnemer')).id;
		const edits = () =>
			(db.prepare("select count(*) as n from audit_log where action = 'case.document.edit' and user_id = ? and case_id = ?").get(deelnemer, t150) as { n: number }).n;
		await waitFor('the edit row', () => edits() === 1);
		await new Promise((r) => setTimeout(r, 300));
		expect(edits()).toBe(1);
		const edit = db.prepare("select role, organisation_id from audit_log where action = 'case.document.edit' and user_id = ?").get(deelnemer) as { role: string; organisation_id: number };
		expect(edit).toEqual({ role: 'deelnemer', organisation_id: user(db, demoEmail('deelnemer')).organisationId });

		const verifier = openDatabase(server.dbFile);
		try {
			const result = await verifyAuditChain(verifier);
			expect(result.ok).toBe(true);
			const actions = new Set(rawRows(db).map((r) => r.action));
			for (const a of ['login.failure', 'login.success', 'case.view', 'case.document.open', 'case.document.edit']) expect(actions).toContain(a);
		} finally {
			await verifier.destroy();
		}
	});

	it('every document kind is audited when read and when edited, once per session and document, with a count; /beheer/audit says it in Dutch', async () => {
		const meetingId = (db.prepare("select id from meetings where case_table_id = (select case_table_id from cases where id = ?) and status = 'gepland' order by starts_at limit 1").get(t150) as { id: number }).id;
		const docs = { case: `case:${t150}`, bespreking: `bespreking:${meetingId}:${t150}`, meeting: `meeting:${meetingId}` };
		// the chair's session has opened no document before this test
		const cookie = await as('voorzitter');
		const chair = user(db, demoEmail('voorzitter')).id;
		const rowsOf = (action: string) =>
			db
				.prepare('select a.case_id, a.meeting_id, a.role, n.count from audit_log a left join audit_counts n on n.audit_id = a.id where a.action = ? and a.user_id = ? order by a.id')
				.all(action, chair) as { case_id: number | null; meeting_id: number | null; role: string | null; count: number | null }[];
		const before = { case: rowsOf('case.document.open').length, bespreking: rowsOf('bespreking.document.open').length, meeting: rowsOf('meeting.document.open').length };

		// opening each kind: one row each, naming the case and the meeting
		const opened = Object.values(docs).map((name) => connectDoc(server.url, name, cookie));
		clients.push(...opened);
		await Promise.all(opened.map((c) => c.synced));
		expect(rowsOf('case.document.open')).toHaveLength(before.case + 1);
		expect(rowsOf('case.document.open').at(-1)).toMatchObject({ case_id: t150, meeting_id: null, count: 1 });
		expect(rowsOf('bespreking.document.open')).toHaveLength(before.bespreking + 1);
		expect(rowsOf('bespreking.document.open').at(-1)).toMatchObject({ case_id: t150, meeting_id: meetingId, role: 'voorzitter', count: 1 });
		expect(rowsOf('meeting.document.open')).toHaveLength(before.meeting + 1);
		expect(rowsOf('meeting.document.open').at(-1)).toMatchObject({ case_id: null, meeting_id: meetingId, role: 'voorzitter', count: 1 });

		// 50 opens of the minutes in this one session (1 above, 7 × 7 here): still one row, counted 50 times
		for (let round = 0; round < 7; round++) {
			const again = Array.from({ length: 7 }, () => connectDoc(server.url, docs.bespreking, cookie));
			await Promise.all(again.map((c) => c.synced));
			for (const c of again) c.destroy();
		}
		expect(rowsOf('bespreking.document.open')).toHaveLength(before.bespreking + 1);
		expect(rowsOf('bespreking.document.open').at(-1)!.count).toBe(50);

		// edits of the meeting document (the chair's notes) and of the minutes are recorded
		meetingNotesOf(opened[2]!.doc).insert(0, 'Start 14.00 uur.');
		caseTextOf(opened[1]!.doc, 'afspraken').insert(0, 'Afspraak gemaakt.');
		await waitFor('the meeting document’s edit row', () => rowsOf('meeting.document.edit').length === 1 && rowsOf('bespreking.document.edit').length === 1);
		expect(rowsOf('meeting.document.edit')[0]).toMatchObject({ case_id: null, meeting_id: meetingId, role: 'voorzitter' });
		expect(rowsOf('bespreking.document.edit')[0]).toMatchObject({ case_id: t150, meeting_id: meetingId });

		// the privacy officer reads it in Dutch, with the count
		const page = await get('beheerder', '/beheer/audit?casus=T150-2026-014');
		expect(page.status).toBe(200);
		expect(page.body).toContain(`Bespreking T150-2026-014 in overleg ${meetingId} geopend`);
		expect(page.body).toContain('50 keer geopend in deze sessie');
		expect(page.body).toContain(`Bespreking T150-2026-014 in overleg ${meetingId} bewerkt`);
		expect(page.body).toContain('Casusdocument T150-2026-014 geopend');
		const meetingPage = await get('beheerder', '/beheer/audit?actie=meeting.document.edit');
		expect(meetingPage.body).toContain(`Agenda en notulen van overleg ${meetingId} bewerkt`);

		const verifier = openDatabase(server.dbFile);
		try {
			expect(await verifyAuditChain(verifier)).toMatchObject({ ok: true });
		} finally {
			await verifier.destroy();
		}
	});

	it('/beheer/audit: the beheerder searches; everyone else gets a 404', async () => {
		const all = await get('beheerder', '/beheer/audit');
		expect(all.status).toBe(200);
		expect(all.body).toContain('Auditlog');
		expect(all.body).toContain('Casusdocument bewerkt');
		const byCase = await get('beheerder', '/beheer/audit?casus=T150-2026-014&actie=case.view');
		expect(byCase.status).toBe(200);
		expect(byCase.body).toContain('Dossier ingezien');
		expect(byCase.body).not.toContain('Inloggen mislukt</td>');
		const bad = await get('beheerder', '/beheer/audit?van=gisteren');
		expect(bad.status).toBe(200);
		expect(bad.body).toContain('Vul een datum in als jjjj-mm-dd.');
		// no case content: the case's free text is not on the page
		expect(all.body).not.toContain('xxxxxxxxxx');
		for (const who of ['voorzitter', 'secretaris', 'deelnemer', 'waarnemer', 'geen-toegang']) {
			expect((await get(who, '/beheer/audit')).status, who).toBe(404);
		}
		const anonymous = await get(null, '/beheer/audit');
		expect(anonymous.status).toBe(303);
		expect(anonymous.location).toContain('/login');
	});

	it('/casus/<id>/inzage: the chair, the secretaris and the beheerder; not the members', async () => {
		for (const who of ['voorzitter', 'secretaris', 'beheerder']) {
			const reply = await get(who, `/casus/${t150}/inzage`);
			expect(reply.status, who).toBe(200);
			expect(reply.body).toContain('Wie heeft dit dossier ingezien');
			expect(reply.body).toContain('Sociaal Team Voorbeeld');
			expect(reply.body).toContain('Casusdocument bewerkt');
		}
		// members with access, members without, an organisation at another table: the same 404
		for (const who of ['deelnemer', 'waarnemer', 'geen-toegang', 'mehmet']) {
			expect((await get(who, `/casus/${t150}/inzage`)).status, who).toBe(404);
		}
		expect((await get('beheerder', '/casus/999999/inzage')).status).toBe(404);
		// the case page links to it for the chair only
		expect((await get('voorzitter', `/casus/${t150}`)).body).toContain(`/casus/${t150}/inzage`);
		expect((await get('deelnemer', `/casus/${t150}`)).body).not.toContain(`/casus/${t150}/inzage`);
	});
});
