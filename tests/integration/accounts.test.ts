import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/lib/server/seed/demo';
import { openShared, organisationId, user, type SharedDb } from './helpers/db';
import { startMailbox, type Mailbox, type ReceivedMail } from './helpers/mailbox';
import { connectLive, liveConnected, nextEvent, sleep, waitFor } from './helpers/realtime';
import { demoEmail, login, request, startServer, type Reply, type TestServer } from './helpers/server';

/**
 * Accounts by e-mail (issue 14 item 7) against the real server with a real SMTP server: a
 * beheerder invites, the invitee chooses a password from the link and logs in; "wachtwoord
 * vergeten" answers the same for every address and mails only a known one; links are single
 * use, expire and say so in Dutch with a stable code; setting a password ends every session of
 * the user and keeps the second factor; requests are throttled; only a beheerder may invite.
 */
const PUBLIC_URL = 'https://casustafel.test';
const NEW_PASSWORD = 'Een zin van vier woorden';
const FORGOTTEN_ANSWER = 'Als dit adres bij ons bekend is, ontvangt u een e-mail';
let mailbox: Mailbox;
let server: TestServer;
let db: SharedDb;
let beheerder: string;

beforeAll(async () => {
	mailbox = await startMailbox();
	server = await startServer({ env: { SMTP_URL: mailbox.url, MAIL_FROM: 'Casustafel <noreply@casustafel.example>', PUBLIC_URL } });
	db = openShared(server.dbFile, { writable: true });
	beheerder = await login(server.url, demoEmail('beheerder'), DEMO_PASSWORD);
}, 60_000);

afterAll(async () => {
	db?.close();
	await server?.stop();
	await mailbox?.close();
});

const post = (cookie: string | null, path: string, form: Record<string, string | number>) => request(server.url, path, { cookie, form });

/** The one-time link in a mail, and its token. */
function linkIn(mail: ReceivedMail): { url: string; token: string; path: string } {
	const match = /(https:\/\/casustafel\.test\/wachtwoord\/instellen\/([a-z2-7]{32}))/.exec(mail.text);
	if (!match) throw new Error(`no link in the mail:\n${mail.text}`);
	return { url: match[1]!, token: match[2]!, path: new URL(match[1]!).pathname };
}

/** The invitation and reset mails to an address (notifications of the demo region left out). */
const LINK_SUBJECTS = ['Casustafel: uitnodiging voor uw account', 'Casustafel: nieuw wachtwoord kiezen'];
const mailsTo = (address: string) => mailbox.to(address).filter((m) => LINK_SUBJECTS.includes(m.subject));
const nextMailTo = (address: string, after = 0) => waitFor(`a mail to ${address}`, () => mailsTo(address)[after], 10_000, 25);

/** The form's answer to a reset request, without the address the form keeps. */
const forgot = (email: string) => post(null, '/wachtwoord/vergeten', { email });

function invite(cookie: string, email: string, name = 'Sanne Nieuwland') {
	return post(cookie, '/beheer/gebruikers?/create', { name, email, organisationId: organisationId(db, 'Sociaal Team Voorbeeld') });
}

function expectRefusedLink(reply: Reply, code: string, message: string) {
	expect(reply.body).toContain(`data-code="${code}"`);
	expect(reply.body).toContain(message);
	expect(reply.body).toContain('href="/wachtwoord/vergeten"');
}

function auditActions(userId: number): string[] {
	return (db.prepare('select action from audit_log where user_id = ? order by id').all(userId) as { action: string }[]).map((r) => r.action);
}

describe('a beheerder invites a user by e-mail', () => {
	it('sends a one-time link; the invitee chooses a password and logs in', async () => {
		const email = 'sanne.nieuwland@casustafel.example';
		const reply = await invite(beheerder, email);
		expect(reply.status).toBe(200);
		expect(reply.body).toContain('Sanne Nieuwland is uitgenodigd. Er is een e-mail gestuurd naar sanne.nieuwland@casustafel.example');
		// the form has no password field at all
		expect((await request(server.url, '/beheer/gebruikers', { cookie: beheerder })).body).not.toContain('name="password" type="password" autocomplete="new-password" required value=""');
		const invited = db.prepare('select id, invited_at from users where email = ?').get(email) as { id: number; invited_at: string | null };
		expect(invited.invited_at).not.toBeNull();

		const mail = await nextMailTo(email);
		expect(mail.subject).toBe('Casustafel: uitnodiging voor uw account');
		expect(mail.text).toContain('U bent uitgenodigd voor Casustafel');
		expect(mail.text).toContain('De link werkt één keer en is 7 dagen geldig');
		// no names, no case content: not even the invitee's own name
		expect(mail.text).not.toContain('Sanne');
		expect(mail.html).not.toContain('Sanne');
		const link = linkIn(mail);

		// only the token's hash is stored, and nothing else holds the token
		const rows = db.prepare('select id, purpose, created_at, expires_at, used_at from account_tokens where user_id = ?').all(invited.id) as {
			id: string; purpose: string; created_at: string; expires_at: string; used_at: string | null;
		}[];
		expect(rows).toHaveLength(1);
		expect(rows[0]!.id).toMatch(/^[0-9a-f]{64}$/);
		expect(rows[0]!.purpose).toBe('invite');
		expect(Date.parse(rows[0]!.expires_at) - Date.parse(rows[0]!.created_at)).toBe(7 * 24 * 3_600_000);
		const everything = JSON.stringify(db.prepare('select * from audit_log').all()) + JSON.stringify(db.prepare('select * from account_tokens').all());
		expect(everything).not.toContain(link.token);

		// before the invitation is accepted nobody can log in to the account
		const early = await post(null, '/login', { email, password: DEMO_PASSWORD });
		expect(early.status).toBe(401);
		expect(early.body).toContain('Het e-mailadres of het wachtwoord klopt niet.');

		const page = await request(server.url, link.path);
		expect(page.status).toBe(200);
		expect(page.body).toContain('Welkom bij Casustafel');
		// the link is never sent on to another site
		expect(page.headers.get('referrer-policy')).toBe('same-origin');

		const mismatch = await post(null, link.path, { password: NEW_PASSWORD, repeat: 'iets anders dan dat' });
		expect(mismatch.status).toBe(400);
		expect(mismatch.body).toContain('De twee wachtwoorden zijn niet gelijk.');
		const short = await post(null, link.path, { password: 'kort', repeat: 'kort' });
		expect(short.status).toBe(400);
		expect(short.body).toContain('Kies een wachtwoord van minstens 12 tekens.');

		const set = await post(null, link.path, { password: NEW_PASSWORD, repeat: NEW_PASSWORD });
		expect(set.status).toBe(303);
		expect(set.location).toBe('/login?wachtwoord=ingesteld');
		expect((await request(server.url, '/login?wachtwoord=ingesteld')).body).toContain('Uw wachtwoord is ingesteld.');

		const cookie = await login(server.url, email, NEW_PASSWORD);
		const home = await request(server.url, '/account', { cookie });
		expect(home.status).toBe(200);
		expect((db.prepare('select invited_at from users where id = ?').get(invited.id) as { invited_at: string | null }).invited_at).toBeNull();
		expect(auditActions(invited.id)).toEqual(expect.arrayContaining(['password.set', 'login.success']));
		const inviteRow = db.prepare("select user_id, detail from audit_log where action = 'user.invite' order by id desc").get() as { user_id: number; detail: string };
		expect(inviteRow.user_id).toBe(user(db, demoEmail('beheerder')).id);
		expect(JSON.parse(inviteRow.detail)).toMatchObject({ targetUserId: invited.id });

		// used once: the page and the form both refuse it now, in Dutch, with a stable code
		expectRefusedLink(await request(server.url, link.path), 'LINK_USED', 'Deze link is al gebruikt');
		const again = await post(null, link.path, { password: 'Nog een ander wachtwoord', repeat: 'Nog een ander wachtwoord' });
		expect(again.status).toBe(410);
		expectRefusedLink(again, 'LINK_USED', 'Deze link is al gebruikt');
		await login(server.url, email, NEW_PASSWORD);
	}, 30_000);

	it('refuses an address that is taken, and keeps what was typed', async () => {
		const reply = await invite(beheerder, demoEmail('deelnemer'), 'Dubbel Adres');
		expect(reply.status).toBe(409);
		expect(reply.body).toContain('Dit e-mailadres is al in gebruik.');
		expect(reply.body).toContain('value="Dubbel Adres"');
	});

	it('sends an invitation again; the older link stops working, and the invitation expires', async () => {
		const email = 'ruben.later@casustafel.example';
		expect((await invite(beheerder, email, 'Ruben Later')).status).toBe(200);
		const first = linkIn(await nextMailTo(email));
		const id = user(db, email).id;
		const again = await post(beheerder, '/beheer/gebruikers?/resendInvite', { userId: id });
		expect(again.status).toBe(200);
		const second = linkIn(await nextMailTo(email, 1));
		expect(second.token).not.toBe(first.token);
		expectRefusedLink(await request(server.url, first.path), 'LINK_INVALID', 'Deze link werkt niet.');

		// seven days later: the invitation has expired
		db.prepare("update account_tokens set expires_at = ? where user_id = ? and used_at is null").run(new Date(Date.now() - 1_000).toISOString(), id);
		expectRefusedLink(await request(server.url, second.path), 'LINK_EXPIRED', 'Deze uitnodiging is verlopen.');
		const late = await post(null, second.path, { password: NEW_PASSWORD, repeat: NEW_PASSWORD });
		expect(late.status).toBe(410);
		expect(late.body).toContain('data-code="LINK_EXPIRED"');

		// a third invitation in the hour is the last one allowed for this address
		expect((await post(beheerder, '/beheer/gebruikers?/resendInvite', { userId: id })).status).toBe(200);
		await nextMailTo(email, 2);
		const throttled = await post(beheerder, '/beheer/gebruikers?/resendInvite', { userId: id });
		expect(throttled.status).toBe(429);
		expect(throttled.body).toContain('Er zijn te veel uitnodigingen verstuurd.');
		expect(throttled.body).toContain('data-code="THROTTLED"');
	}, 30_000);

	it('lets nobody but a beheerder invite: every other role gets "not found" and nothing is created or mailed', async () => {
		const before = (db.prepare('select count(*) as n from users').get() as { n: number }).n;
		const pending = user(db, 'ruben.later@casustafel.example').id;
		const mailsBefore = mailbox.received.length;
		for (const role of ['voorzitter', 'secretaris', 'deelnemer', 'waarnemer', 'geen-toegang', 'kees']) {
			const cookie = await login(server.url, demoEmail(role), DEMO_PASSWORD);
			const created = await invite(cookie, `poging-${role}@casustafel.example`);
			expect(created.status, role).toBe(404);
			const resent = await post(cookie, '/beheer/gebruikers?/resendInvite', { userId: pending });
			expect(resent.status, role).toBe(404);
			const resetLink = await post(cookie, '/beheer/gebruikers?/sendResetLink', { userId: user(db, demoEmail('linda')).id });
			expect(resetLink.status, role).toBe(404);
		}
		const anonymous = await invite('', 'anoniem@casustafel.example');
		expect(anonymous.status).toBe(303);
		expect(anonymous.location).toMatch(/^\/login\?terug=/);
		expect((db.prepare('select count(*) as n from users').get() as { n: number }).n).toBe(before);
		await sleep(300);
		expect(mailbox.received.slice(mailsBefore).filter((m) => LINK_SUBJECTS.includes(m.subject))).toEqual([]);
	}, 60_000);
});

describe('a beheerder has a reset link sent', () => {
	it('mails the user a link; the beheerder types no password and the old one works until the new one is set', async () => {
		const email = demoEmail('linda');
		const target = user(db, email).id;
		const page = await request(server.url, '/beheer/gebruikers', { cookie: beheerder });
		expect(page.body).not.toContain('type="password"');
		const reply = await post(beheerder, '/beheer/gebruikers?/sendResetLink', { userId: target });
		expect(reply.status).toBe(200);
		expect(reply.body).toContain('Linda Bos krijgt een e-mail met een link om een nieuw wachtwoord te kiezen.');
		const link = linkIn(await nextMailTo(email));
		await login(server.url, email, DEMO_PASSWORD);
		expect((await request(server.url, link.path)).body).toContain('Nieuw wachtwoord kiezen');
		const row = db.prepare("select user_id, detail from audit_log where action = 'password.reset_request' order by id desc").get() as { user_id: number; detail: string };
		expect(row.user_id).toBe(user(db, demoEmail('beheerder')).id);
		expect(JSON.parse(row.detail)).toMatchObject({ targetUserId: target, byBeheerder: true });
	}, 30_000);
});

describe('wachtwoord vergeten', () => {
	it('answers the same for a known and an unknown address, and mails only the known one', async () => {
		const known = await forgot(demoEmail('deelnemer'));
		const unknown = await forgot('niemand-hier@casustafel.example');
		expect(known.status).toBe(200);
		expect(unknown.status).toBe(200);
		expect(known.body).toContain(FORGOTTEN_ANSWER);
		const withoutAddress = (r: Reply, address: string) => r.body.replaceAll(address, '<adres>').replace(/nonce="[^"]*"/g, '').replace(/data-sveltekit-[^\s>]*/g, '');
		expect(withoutAddress(known, demoEmail('deelnemer'))).toBe(withoutAddress(unknown, 'niemand-hier@casustafel.example'));

		const mail = await nextMailTo(demoEmail('deelnemer'));
		expect(mail.subject).toBe('Casustafel: nieuw wachtwoord kiezen');
		expect(mail.text).toContain('De link werkt één keer en is 1 uur geldig');
		expect(mail.text).not.toContain('Fatima');
		await sleep(300);
		expect(mailsTo('niemand-hier@casustafel.example')).toEqual([]);
		// both requests are in the audit log, the known one with its account, never the token
		const rows = db.prepare("select user_id, detail from audit_log where action = 'password.reset_request'").all() as { user_id: number | null; detail: string }[];
		expect(rows.map((r) => r.user_id)).toEqual(expect.arrayContaining([user(db, demoEmail('deelnemer')).id, null]));
		expect(JSON.stringify(rows)).not.toContain(linkIn(mail).token);
	}, 30_000);

	it('ends every session of the user, live connections included, when the new password is set', async () => {
		const email = demoEmail('waarnemer');
		const laptop = await login(server.url, email, DEMO_PASSWORD);
		const phone = await login(server.url, email, DEMO_PASSWORD);
		const sessions = (db.prepare('select count(*) as n from sessions where user_id = ?').get(user(db, email).id) as { n: number }).n;
		expect(sessions).toBeGreaterThanOrEqual(2);
		const live = connectLive(server.url, phone);
		await liveConnected(live);
		const closed = nextEvent<string>(live, 'disconnect', 5_000);

		expect((await forgot(email)).status).toBe(200);
		const link = linkIn(await nextMailTo(email));
		const reset = await request(server.url, link.path);
		expect(reset.body).toContain('Nieuw wachtwoord kiezen');
		const set = await post(laptop, link.path, { password: NEW_PASSWORD, repeat: NEW_PASSWORD });
		expect(set.status).toBe(303);
		expect(await closed).toBe('io server disconnect');
		live.disconnect();
		for (const cookie of [laptop, phone]) {
			const r = await request(server.url, '/account', { cookie });
			expect(r.status).toBe(303);
			expect(r.location).toMatch(/^\/login/);
		}
		expect((db.prepare('select count(*) as n from sessions where user_id = ?').get(user(db, email).id) as { n: number }).n).toBe(0);
		const old = await post(null, '/login', { email, password: DEMO_PASSWORD });
		expect(old.status).toBe(401);
		await login(server.url, email, NEW_PASSWORD);
		const detail = db.prepare("select detail from audit_log where action = 'password.set' and user_id = ? order by id desc").get(user(db, email).id) as { detail: string };
		expect(JSON.parse(detail.detail)).toMatchObject({ via: 'reset', sessionsEnded: sessions });
	}, 30_000);

	it('keeps the second factor: a beheerder with TOTP still needs the code after a reset', async () => {
		const email = demoEmail('beheerder');
		expect((await forgot(email)).status).toBe(200);
		const link = linkIn(await nextMailTo(email));
		expect((await post(null, link.path, { password: NEW_PASSWORD, repeat: NEW_PASSWORD })).status).toBe(303);
		const first = await post(null, '/login', { email, password: NEW_PASSWORD });
		expect(first.status).toBe(303);
		expect(first.location).toMatch(/^\/login\/tweede-factor/);
		// the password step alone opens nothing
		expect((await request(server.url, '/beheer/gebruikers', { cookie: first.sessionCookie })).location).toMatch(/^\/login\/tweede-factor/);
		beheerder = await login(server.url, email, NEW_PASSWORD);
		expect((await request(server.url, '/beheer/gebruikers', { cookie: beheerder })).status).toBe(200);
	}, 30_000);

	it('refuses an expired reset link, a replaced one and one that never existed', async () => {
		const email = demoEmail('secretaris');
		await forgot(email);
		const older = linkIn(await nextMailTo(email));
		const row = db.prepare("select created_at, expires_at from account_tokens where purpose = 'reset' and used_at is null and user_id = ?").get(user(db, email).id) as { created_at: string; expires_at: string };
		expect(Date.parse(row.expires_at) - Date.parse(row.created_at)).toBe(60 * 60_000);
		await forgot(email);
		const newer = linkIn(await nextMailTo(email, 1));
		expectRefusedLink(await request(server.url, older.path), 'LINK_INVALID', 'Deze link werkt niet.');

		db.prepare("update account_tokens set expires_at = ? where user_id = ? and used_at is null").run(new Date(Date.now() - 1_000).toISOString(), user(db, email).id);
		expectRefusedLink(await request(server.url, newer.path), 'LINK_EXPIRED', 'Deze link is verlopen');
		const late = await post(null, newer.path, { password: NEW_PASSWORD, repeat: NEW_PASSWORD });
		expect(late.status).toBe(410);
		await login(server.url, email, DEMO_PASSWORD);

		expectRefusedLink(await request(server.url, '/wachtwoord/instellen/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'), 'LINK_INVALID', 'Deze link werkt niet.');
		expectRefusedLink(await request(server.url, '/wachtwoord/instellen/niet-eens-een-token'), 'LINK_INVALID', 'Deze link werkt niet.');
	}, 30_000);

	it('checks the address before anything else', async () => {
		const reply = await forgot('geen adres');
		expect(reply.status).toBe(400);
		expect(reply.body).toContain('Vul een geldig e-mailadres in, zoals naam@organisatie.nl.');
		expect(reply.body).toContain('value="geen adres"');
	});
});

describe('throttling', () => {
	it('allows three requests per address an hour, known or not, with the same answer', async () => {
		for (const address of [demoEmail('mehmet'), 'onbekend-1@casustafel.example']) {
			for (let i = 0; i < 3; i++) expect((await forgot(address)).body).toContain(FORGOTTEN_ANSWER);
			const fourth = await forgot(address);
			expect(fourth.status).toBe(429);
			expect(fourth.body).toContain('data-code="THROTTLED"');
			expect(fourth.body).toContain('U hebt te vaak om een nieuwe link gevraagd.');
		}
		await nextMailTo(demoEmail('mehmet'), 2);
		await sleep(300);
		expect(mailsTo(demoEmail('mehmet'))).toHaveLength(3);
		expect(db.prepare("select count(*) as n from audit_log where action = 'password.reset_throttled'").get()).toMatchObject({ n: expect.any(Number) });
	}, 30_000);

	it('allows twenty requests per client address an hour, whatever the address', async () => {
		let refusedAt = 0;
		for (let i = 1; i <= 25 && !refusedAt; i++) {
			const r = await forgot(`verschillend-${i}@casustafel.example`);
			if (r.status === 429) refusedAt = i;
		}
		// some of the twenty were used by the tests above (this file has one client address)
		expect(refusedAt).toBeGreaterThan(0);
		const total = (db.prepare("select failures from login_throttle where key = 'reset-ip:127.0.0.1'").get() as { failures: number }).failures;
		expect(total).toBe(21);
	}, 30_000);

	it('locks a client address out after eleven links that do not work (ten are free)', async () => {
		// the refused links of the tests above count too (this file has one client address)
		const key = 'link-ip:127.0.0.1';
		const before = (db.prepare('select failures from login_throttle where key = ?').get(key) as { failures: number } | undefined)?.failures ?? 0;
		expect(before).toBeLessThan(11);
		for (let i = before; i < 11; i++) {
			const r = await post(null, `/wachtwoord/instellen/${'b'.repeat(31)}${'abcdefghijk'[i]}`, { password: NEW_PASSWORD, repeat: NEW_PASSWORD });
			expect(r.status).toBe(404);
			expect(r.body).toContain('data-code="LINK_INVALID"');
		}
		const locked = await post(null, `/wachtwoord/instellen/${'c'.repeat(32)}`, { password: NEW_PASSWORD, repeat: NEW_PASSWORD });
		expect(locked.status).toBe(429);
		expect(locked.body).toContain('data-code="THROTTLED"');
		expect(locked.body).toContain('Te veel links geprobeerd die niet werken.');
	}, 30_000);
});
