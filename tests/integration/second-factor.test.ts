import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/lib/server/seed/demo';
import { openShared, user, type SharedDb } from './helpers/db';
import { demoEmail, login, request, startServer, type Reply, type TestServer } from './helpers/server';
import { DEMO_TOTP_SECRET, nextTotp, totpNow } from './helpers/totp';
import { connectLive, liveConnected, rawDocSocket } from './helpers/realtime';

/**
 * The second factor (TOTP) over HTTP against the real server: enrolment on /account, the login
 * step, throttled wrong codes, single-use recovery codes, disabling with a code, and beheer
 * closed to a beheerder without a confirmed factor. One server for the file; every test uses
 * its own demo account, so a lock or a disabled factor of one never meets another.
 */
let server: TestServer;
let db: SharedDb;

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
}, 60_000);

afterAll(async () => {
	db?.close();
	await server?.stop();
});

const STEP = '/login/tweede-factor';
const get = (cookie: string | null, path: string) => request(server.url, path, { cookie });
const post = (cookie: string | null, path: string, form: Record<string, string>) => request(server.url, path, { cookie, form });

/** Password only: the session cookie and where the server sends the browser next. */
async function passwordStep(local: string): Promise<{ cookie: string; location: string | null }> {
	const reply = await request(server.url, '/login?terug=%2Facties', { form: { email: demoEmail(local), password: DEMO_PASSWORD } });
	expect(reply.status).toBe(303);
	return { cookie: reply.sessionCookie!, location: reply.location };
}

const secretOn = (page: string) => /id="totp-secret"[^>]*>([A-Z2-7 ]+)</.exec(page)?.[1]?.replace(/ /g, '') ?? null;
const recoveryCodesOn = (page: string) => [...page.matchAll(/<code[^>]*>([a-z2-7]{5}-[a-z2-7]{5})<\/code>/g)].map((m) => m[1]!);
const auditCount = (email: string, action: string) =>
	(db.prepare('select count(*) as n from audit_log where user_id = ? and action = ?').get(user(db, email).id, action) as { n: number }).n;

/** Enrols `local` on /account; returns the key, the recovery codes and the session cookie. */
async function enrol(local: string): Promise<{ secret: string; codes: string[]; cookie: string }> {
	const cookie = await login(server.url, demoEmail(local), DEMO_PASSWORD);
	const started = await post(cookie, '/account?/totpStart', {});
	expect(started.status).toBe(200);
	const page = await get(cookie, '/account');
	const secret = secretOn(page.body);
	expect(secret, 'the key is shown as text for manual entry').toMatch(/^[A-Z2-7]{32}$/);
	expect(page.body).toContain('QR-code voor uw authenticator-app');
	expect(page.body).toContain('<svg');
	const confirmed = await post(cookie, '/account?/totpConfirm', { code: await nextTotp(secret!) });
	expect(confirmed.status).toBe(200);
	const codes = recoveryCodesOn(confirmed.body);
	expect(codes).toHaveLength(10);
	expect(new Set(codes).size).toBe(10);
	return { secret: secret!, codes, cookie };
}

describe('enrolment and the login step', () => {
	it('A user enrols with a code from the app; after that the password alone opens nothing until the code is given.', async () => {
		const cookie = await login(server.url, demoEmail('linda'), DEMO_PASSWORD);
		await post(cookie, '/account?/totpStart', {});
		const secret = secretOn((await get(cookie, '/account')).body)!;
		// a wrong code does not turn it on
		const wrong = await post(cookie, '/account?/totpConfirm', { code: totpNow(secret, 5) });
		expect(wrong.status).toBe(400);
		expect(wrong.body).toContain('Deze code klopt niet.');
		const row = db.prepare('select totp_secret, totp_enabled_at from users where email = ?').get(demoEmail('linda')) as { totp_secret: string; totp_enabled_at: string | null };
		expect(row.totp_secret).toBe(secret);
		expect(row.totp_enabled_at).toBeNull();
		// still no second step while unconfirmed
		expect((await passwordStep('linda')).location).toBe('/acties');

		const ok = await post(cookie, '/account?/totpConfirm', { code: await nextTotp(secret) });
		expect(ok.status).toBe(200);
		expect(recoveryCodesOn(ok.body)).toHaveLength(10);
		// shown once: the next view of the page has none, only the count
		const after = await get(cookie, '/account');
		expect(recoveryCodesOn(after.body)).toEqual([]);
		expect(after.body).toContain('De tweede factor staat aan');
		const stored = db.prepare('select code_hash from recovery_codes where user_id = ?').all(user(db, demoEmail('linda')).id) as { code_hash: string }[];
		expect(stored).toHaveLength(10);
		for (const c of recoveryCodesOn(ok.body)) expect(stored.map((s) => s.code_hash)).not.toContain(c);
		expect(auditCount(demoEmail('linda'), 'totp.enable')).toBe(1);

		// login: the password leads to the step, and everything but the step and logout waits
		const { cookie: pending, location } = await passwordStep('linda');
		expect(location).toBe(`${STEP}?terug=%2Facties`);
		for (const path of ['/', '/acties', '/account', '/meldingen']) {
			const r = await get(pending, path);
			expect(r.status, path).toBe(303);
			expect(r.location, path).toBe(`${STEP}?terug=${encodeURIComponent(path)}`);
		}
		expect((await get(pending, location!)).status).toBe(200);
		const refused = await post(pending, location!, { code: totpNow(secret, 10) });
		expect(refused.status).toBe(400);
		expect(refused.body).toContain('Deze code klopt niet.');
		expect(auditCount(demoEmail('linda'), 'totp.verify_failure')).toBeGreaterThanOrEqual(2);
		expect((await get(pending, '/acties')).status).toBe(303);

		const passed = await post(pending, location!, { code: await nextTotp(secret) });
		expect(passed.status).toBe(303);
		expect(passed.location).toBe('/acties');
		// the step issues a new session token (ASVS 7.2.4); the half-authenticated one has ended
		const full = passed.sessionCookie!;
		expect(full).not.toBe(pending);
		expect((await get(full, '/acties')).status).toBe(200);
		expect((await get(pending, '/acties')).location).toMatch(/^\/login\?/);
		// the step itself now just sends on
		expect((await get(full, `${STEP}?terug=%2Facties`)).location).toBe('/acties');
	});

	it('Wrong codes are throttled: after the fifth the account waits, even for the right code.', async () => {
		const { secret } = await enrol('anouk');
		const { cookie, location } = await passwordStep('anouk');
		for (let i = 0; i < 5; i++) {
			const r = await post(cookie, location!, { code: '000000' === totpNow(secret) ? '111111' : '000000' });
			expect(r.status, `attempt ${i + 1}`).toBe(400);
		}
		const locked = await post(cookie, location!, { code: totpNow(secret) });
		expect(locked.status).toBe(429);
		expect(locked.body).toContain('Te veel mislukte pogingen');
		expect((await get(cookie, '/acties')).status).toBe(303);
	});

	it('A recovery code lets one in once, and the page then says how many are left.', async () => {
		const { codes } = await enrol('bram');
		const first = await passwordStep('bram');
		const used = await post(first.cookie, first.location!, { code: codes[3]!.toUpperCase() });
		expect(used.status).toBe(303);
		expect(used.location).toBe('/account?herstelcodes=9#tweede-factor');
		const account = await get(used.sessionCookie!, '/account?herstelcodes=9');
		expect(account.body).toContain('U bent ingelogd met een herstelcode');
		expect(auditCount(demoEmail('bram'), 'totp.recovery_used')).toBe(1);

		const second = await passwordStep('bram');
		const again = await post(second.cookie, second.location!, { code: codes[3]! });
		expect(again.status).toBe(400);
		expect((await get(second.cookie, '/acties')).status).toBe(303);
		// another code still works
		expect((await post(second.cookie, second.location!, { code: codes[4]!.replace('-', '') })).status).toBe(303);
	});

	it('Turning the factor off needs a current code; new recovery codes too, and they replace the old ones.', async () => {
		const { secret, codes, cookie } = await enrol('tom');
		expect((await post(cookie, '/account?/totpRegenerate', { code: '' })).status).toBe(400);
		const renewed = await post(cookie, '/account?/totpRegenerate', { code: await nextTotp(secret) });
		expect(renewed.status).toBe(200);
		const fresh = recoveryCodesOn(renewed.body);
		expect(fresh).toHaveLength(10);
		expect(fresh.filter((c) => codes.includes(c))).toEqual([]);

		const wrong = await post(cookie, '/account?/totpDisable', { code: totpNow(secret, 7) });
		expect(wrong.status).toBe(400);
		// an old recovery code no longer counts
		expect((await post(cookie, '/account?/totpDisable', { code: codes[0]! })).status).toBe(400);
		expect((db.prepare('select totp_enabled_at from users where email = ?').get(demoEmail('tom')) as { totp_enabled_at: string | null }).totp_enabled_at).not.toBeNull();

		const off = await post(cookie, '/account?/totpDisable', { code: await nextTotp(secret) });
		expect(off.status).toBe(200);
		expect(off.body).toContain('De tweede factor staat uit.');
		expect(auditCount(demoEmail('tom'), 'totp.disable')).toBe(1);
		expect((db.prepare('select count(*) as n from recovery_codes where user_id = ?').get(user(db, demoEmail('tom')).id) as { n: number }).n).toBe(0);
		// the next login is the password only again
		expect((await passwordStep('tom')).location).toBe('/acties');
	});
});

describe('beheer needs the second factor', () => {
	const beheerder = demoEmail('beheerder');

	it('A non-beheerder with TOTP passes the step and still meets the 404 of beheer.', async () => {
		const { secret } = await enrol('eva');
		const cookie = await login(server.url, demoEmail('eva'), DEMO_PASSWORD, { totpSecret: secret });
		expect((await get(cookie, '/acties')).status).toBe(200);
		expect((await get(cookie, '/beheer')).status).toBe(404);
	});

	it('The demo beheerder passes the step with the seeded key and opens beheer; a session without the step cannot.', async () => {
		const cookie = await login(server.url, beheerder, DEMO_PASSWORD);
		expect((await get(cookie, '/beheer')).status).toBe(200);
		expect((await get(cookie, '/beheer/gebruikers')).status).toBe(200);
		const pending = await passwordStep('beheerder');
		const r = await get(pending.cookie, '/beheer/gebruikers');
		expect(r.status).toBe(303);
		expect(r.location).toBe(`${STEP}?terug=%2Fbeheer%2Fgebruikers`);
	});

	it('A session still waiting for its code opens no live connection and no document; after the code it does.', async () => {
		const pending = await passwordStep('beheerder');
		const socket = connectLive(server.url, pending.cookie);
		await expect(liveConnected(socket)).rejects.toThrow('UNAUTHENTICATED');
		socket.disconnect();
		const raw = rawDocSocket(server.url, 'meeting:1', pending.cookie);
		expect((await raw.closed).code).toBe(4401);
		const full = await login(server.url, beheerder, DEMO_PASSWORD);
		const ok = connectLive(server.url, full);
		await liveConnected(ok);
		ok.disconnect();
	});

	it('A beheerder without a confirmed factor is sent to set it up, for pages and form actions; with it, beheer opens.', async () => {
		const cookie = await login(server.url, beheerder, DEMO_PASSWORD);
		const off = await post(cookie, '/account?/totpDisable', { code: await nextTotp(DEMO_TOTP_SECRET) });
		expect(off.status).toBe(200);

		const expectSetup = (r: Reply, what: string) => {
			expect(r.status, what).toBe(303);
			expect(r.location, what).toBe('/account?tweede-factor=nodig#tweede-factor');
		};
		expectSetup(await get(cookie, '/beheer'), '/beheer');
		expectSetup(await get(cookie, '/beheer/gebruikers'), '/beheer/gebruikers');
		const audit = await get(cookie, '/beheer/audit');
		// the audit log page comes with the audit work; when it is there, it is closed the same way
		if (audit.status !== 404) expectSetup(audit, '/beheer/audit');
		// a form action is refused before it reads anything
		expectSetup(await post(cookie, '/beheer/organisaties?/create', { name: 'Zonder tweede factor', type: 'gemeente' }), 'form action');
		expect(db.prepare('select count(*) as n from organisations where name = ?').get('Zonder tweede factor')).toEqual({ n: 0 });
		// the page it is sent to explains why
		const account = await get(cookie, '/account?tweede-factor=nodig');
		expect(account.body).toContain('Voor beheer en voor het lezen van het auditlog is een tweede factor nodig');

		// a started but unconfirmed enrolment is not enough
		await post(cookie, '/account?/totpStart', {});
		expectSetup(await get(cookie, '/beheer'), 'unconfirmed');
		const secret = secretOn((await get(cookie, '/account')).body)!;
		expect((await post(cookie, '/account?/totpConfirm', { code: await nextTotp(secret) })).status).toBe(200);
		expect((await get(cookie, '/beheer')).status).toBe(200);
		if (audit.status !== 404) expect((await get(cookie, '/beheer/audit')).status).toBe(200);

		// and a fresh login needs the new key
		await expect(login(server.url, beheerder, DEMO_PASSWORD)).rejects.toThrow(/second factor/);
		const again = await login(server.url, beheerder, DEMO_PASSWORD, { totpSecret: secret });
		expect((await get(again, '/beheer')).status).toBe(200);
		// the demo key's fourth code within seconds: it waits for the app's next code, up to 30 s
	}, 60_000);
});
