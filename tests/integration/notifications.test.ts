import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JoinResult } from '../../src/lib/shared/live';
import { addAction } from '../../src/lib/shared/documents';
import { caseId, openShared, tableId, user, type SharedDb } from './helpers/db';
import { closedPort, startMailbox, type Mailbox, type ReceivedMail } from './helpers/mailbox';
import { createTestContext, type TestContext } from './helpers/context';
import { scanReminders } from '../../src/lib/server/notifications/reminders';
import { composeNotificationMail } from '../../src/lib/server/mail/index';
import { connectDoc, connectLive, emitAck, liveConnected, sleep, waitFor, type DocClient, type LiveSocket } from './helpers/realtime';
import { demoEmail, demoLogins, request, startServer, type Reply, type TestServer } from './helpers/server';

/**
 * Notifications (issue 5 item 3) against the real server in a child process, with a real SMTP
 * server on 127.0.0.1 receiving the e-mails: a new action from a real Yjs client, regie assigned
 * in a meeting, triage outcomes, the reminder scan, the /meldingen page and its form actions, and
 * an SMTP server that is down. Every e-mail is read as the recipient would get it: the case code
 * and a link, never a name or case content.
 */
const PUBLIC_URL = 'https://casustafel.test';
let mailbox: Mailbox;
let server: TestServer;
let db: SharedDb;
const as = demoLogins(() => server);
const sockets: LiveSocket[] = [];
const docs: DocClient[] = [];

interface NotificationRow {
	id: number;
	user_id: number;
	kind: string;
	dedupe_key: string;
	case_id: number | null;
	text: string;
	link: string;
	read_at: string | null;
	email_sent_at: string | null;
}
const rowsOf = (d: SharedDb, local: string) =>
	d.prepare('select * from notifications where user_id = ? order by id').all(user(d, demoEmail(local)).id) as NotificationRow[];
const rowsSince = (d: SharedDb, id: number) => d.prepare('select * from notifications where id > ? order by id').all(id) as NotificationRow[];
const lastId = (d: SharedDb) => (d.prepare('select coalesce(max(id), 0) as n from notifications').get() as { n: number }).n;

/** Names and case content that no e-mail may carry (the demo's people and T150-2026-014's subject). */
const NEVER_IN_MAIL = [
	'Fatima', 'El Amrani', 'Lotte', 'Jansen', 'Hanna', 'de Vries', 'Joris', 'Bakker', 'Pieter', 'Kees', 'Mulder',
	'Rens', 'Verzonnen', 'Rik Verzinsel', 'Bedenkhof', 'Intake verslavingszorg', 'schuldhulp', 'inbraak'
];
function expectNothingPersonal(mail: ReceivedMail) {
	for (const word of NEVER_IN_MAIL) {
		expect(mail.subject, `subject has "${word}"`).not.toContain(word);
		expect(mail.text, `text has "${word}"`).not.toContain(word);
		expect(mail.html, `html has "${word}"`).not.toContain(word);
		expect(mail.raw, `the raw message has "${word}"`).not.toContain(word);
	}
	// the recipient is a bare address: no display name in To
	expect(mail.headers.to).toMatch(/^<?[^<>\s]+@casustafel\.example>?$/);
}

async function live(who: string, s = server): Promise<{ socket: LiveSocket; notices: { kind: string; text: string; link: string }[] }> {
	const socket = connectLive(s.url, await as(who));
	sockets.push(socket);
	await liveConnected(socket);
	const notices: { kind: string; text: string; link: string }[] = [];
	socket.on('notice', (n) => notices.push(n));
	return { socket, notices };
}
async function openDoc(who: string, name: string, s = server): Promise<DocClient> {
	const client = connectDoc(s.url, name, await as(who));
	docs.push(client);
	await client.synced;
	return client;
}
const post = async (who: string, path: string, form: Record<string, string | number>, accept: 'html' | 'json' = 'html'): Promise<Reply> =>
	request(server.url, path, { cookie: await as(who), form, accept });
const get = async (who: string | null, path: string): Promise<Reply> => request(server.url, path, { cookie: who ? await as(who) : null });
const unreadBadge = (body: string) => Number(/class="count[^"]*"[^>]*>(?:<!---->)?(\d+)/.exec(body)?.[1] ?? 0);

beforeAll(async () => {
	mailbox = await startMailbox();
	server = await startServer({
		env: {
			SMTP_URL: mailbox.url,
			MAIL_FROM: 'Casustafel <meldingen@casustafel.example>',
			PUBLIC_URL,
			// a scan every 1.2 s, so "a second scan" happens within the test
			REMINDER_INTERVAL_MINUTES: '0.02'
		}
	});
	db = openShared(server.dbFile);
	await Promise.all(['voorzitter', 'secretaris', 'deelnemer', 'waarnemer', 'geen-toegang', 'kees', 'noor', 'eva', 'beheerder'].map(as));
});
afterEach(() => {
	for (const s of sockets.splice(0)) s.disconnect();
	for (const d of docs.splice(0)) d.destroy();
});
afterAll(async () => {
	db?.close();
	await server?.stop();
	await mailbox?.close();
});

describe('the reminder scan', () => {
	it('tells the actiehouder of the overdue seeded action (waarnemer@) once, even after more scans, by e-mail without names', async () => {
		const t150 = caseId(db, 'T150-2026-014');
		const overdue = await waitFor('the overdue reminder', () => rowsOf(db, 'waarnemer').find((r) => r.kind === 'action.overdue'), 10_000, 50);
		expect(overdue).toMatchObject({
			case_id: t150,
			text: 'De deadline van uw actie bij T150-2026-014 is verstreken.',
			link: '/acties'
		});
		expect(overdue.dedupe_key).toMatch(new RegExp(`^action:${t150}:[^:]+:overdue:\\d{4}-\\d{2}-\\d{2}$`));
		const mail = await waitFor('the reminder e-mail', () => mailbox.to(demoEmail('waarnemer'))[0], 10_000, 50);
		expect(mail.subject).toBe('Casustafel: deadline verstreken bij T150-2026-014');
		expect(mail.text).toContain('De deadline van uw actie bij T150-2026-014 is verstreken.');
		expect(mail.text).toContain(`${PUBLIC_URL}/acties`);
		expect(mail.html).toContain(`href="${PUBLIC_URL}/acties"`);
		expect(mail.headers.from).toBe('Casustafel <meldingen@casustafel.example>');
		expectNothingPersonal(mail);
		await waitFor('the e-mail to be marked sent', () => rowsOf(db, 'waarnemer').find((r) => r.id === overdue.id)?.email_sent_at, 5_000, 50);

		// three more scans: still one notification and one e-mail
		await sleep(4_000);
		expect(rowsOf(db, 'waarnemer').filter((r) => r.kind === 'action.overdue')).toHaveLength(1);
		expect(mailbox.to(demoEmail('waarnemer')).filter((m) => m.subject.includes('deadline verstreken'))).toHaveLength(1);
		// nobody else has an action that is due: deelnemer's open one is 10 days away, her other one is done
		const reminders = db.prepare("select user_id from notifications where kind in ('action.overdue', 'action.deadline_near')").all() as { user_id: number }[];
		expect(reminders.map((r) => r.user_id)).toEqual([user(db, demoEmail('waarnemer')).id]);
	}, 20_000);

	it('a deadline moved to tomorrow or into the past is reminded at the next scan; a done action is not', async () => {
		const t150 = caseId(db, 'T150-2026-014');
		const fatima = user(db, demoEmail('deelnemer'));
		const doc = await openDoc('voorzitter', `case:${t150}`);
		const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam' }).format(new Date());
		const shift = (days: number) => {
			const d = new Date(`${today}T00:00:00Z`);
			d.setUTCDate(d.getUTCDate() + days);
			return d.toISOString().slice(0, 10);
		};
		const base = { actiehouderId: fatima.id, actiehouderName: 'Fatima El Amrani', organisationId: fatima.organisationId, organisationName: 'Sociaal Team Voorbeeld', leefgebied: 'Wonen' };
		const before = lastId(db);
		const soon = addAction(doc.doc, { ...base, text: 'Huurachterstand bespreken met Rens', deadline: shift(1), status: 'open' });
		const late = addAction(doc.doc, { ...base, text: 'Brief aan Rens versturen', deadline: shift(-1), status: 'bezig' });
		addAction(doc.doc, { ...base, text: 'Al gedaan voor Rens', deadline: shift(-2), status: 'gedaan' });
		const near = await waitFor('the deadline-near reminder', () => rowsSince(db, before).find((r) => r.kind === 'action.deadline_near'), 10_000, 50);
		expect(near).toMatchObject({ user_id: fatima.id, text: 'De deadline van uw actie bij T150-2026-014 is morgen.' });
		expect(near.dedupe_key).toContain(soon);
		const passed = await waitFor('the overdue reminder', () => rowsSince(db, before).find((r) => r.kind === 'action.overdue'), 10_000, 50);
		expect(passed).toMatchObject({ user_id: fatima.id, text: 'De deadline van uw actie bij T150-2026-014 is verstreken.' });
		expect(passed.dedupe_key).toContain(late);
		await sleep(2_500);
		// one "new action" each (three), one near, one overdue: nothing for the done one
		const mine = rowsSince(db, before);
		expect(mine.every((r) => r.user_id === fatima.id)).toBe(true);
		expect(mine.filter((r) => r.kind === 'action.assigned')).toHaveLength(3);
		expect(mine.filter((r) => r.kind === 'action.deadline_near')).toHaveLength(1);
		expect(mine.filter((r) => r.kind === 'action.overdue')).toHaveLength(1);
		const mails = await waitFor('the reminder e-mails', () => {
			const m = mailbox.to(demoEmail('deelnemer')).filter((x) => x.subject.includes('deadline'));
			return m.length === 2 && m;
		}, 5_000, 50);
		expect(mails.map((m) => m.subject).sort()).toEqual(['Casustafel: deadline nadert bij T150-2026-014', 'Casustafel: deadline verstreken bij T150-2026-014']);
		for (const m of mails) expectNothingPersonal(m);
	}, 20_000);
});

describe('a new action for me', () => {
	it('assigned to deelnemer@ through a real Yjs client: a notification row, a live notice on her socket and an e-mail with the case code and a link only', async () => {
		const t150 = caseId(db, 'T150-2026-014');
		const fatima = user(db, demoEmail('deelnemer'));
		const her = await live('deelnemer');
		const chairSocket = await live('voorzitter');
		const doc = await openDoc('voorzitter', `case:${t150}`);
		const before = lastId(db);
		const mailsBefore = mailbox.to(demoEmail('deelnemer')).length;
		const started = Date.now();
		const actionId = addAction(doc.doc, {
			text: 'Gesprek met Rens Verzonnen over zijn schulden plannen',
			actiehouderId: fatima.id,
			actiehouderName: 'Fatima El Amrani',
			organisationId: fatima.organisationId,
			organisationName: 'Sociaal Team Voorbeeld',
			deadline: '2099-01-31',
			status: 'open',
			leefgebied: 'Financiën'
		});

		const notice = await waitFor('the live notice', () => her.notices.find((n) => n.kind === 'action.assigned'), 5_000);
		expect(Date.now() - started).toBeLessThan(2_000);
		expect(notice).toMatchObject({ text: 'U bent actiehouder van een nieuwe actie bij T150-2026-014.', link: '/acties' });
		const rows = rowsSince(db, before);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ user_id: fatima.id, kind: 'action.assigned', case_id: t150, text: notice.text, read_at: null });
		expect(rows[0]!.dedupe_key).toContain(actionId);
		expect(chairSocket.notices).toEqual([]);

		const mail = await waitFor('her e-mail', () => mailbox.to(demoEmail('deelnemer'))[mailsBefore], 5_000, 50);
		expect(mail.to).toEqual([demoEmail('deelnemer')]);
		expect(mail.subject).toBe('Casustafel: nieuwe actie bij T150-2026-014');
		expect(mail.text).toContain('T150-2026-014');
		expect(mail.text).toContain(`${PUBLIC_URL}/acties`);
		expect(mail.html).toContain(`href="${PUBLIC_URL}/acties"`);
		expect(mail.text).not.toContain('Gesprek met');
		expect(mail.text).not.toContain('schulden');
		expectNothingPersonal(mail);
		await waitFor('email_sent_at', () => rowsSince(db, before)[0]!.email_sent_at, 5_000, 50);

		// editing the same action (not a new actiehouder) sends nothing more
		const { updateAction } = await import('../../src/lib/shared/documents');
		updateAction(doc.doc, actionId, { status: 'bezig', note: 'gestart' });
		await sleep(600);
		expect(rowsSince(db, before)).toHaveLength(1);
		expect(her.notices.filter((n) => n.kind === 'action.assigned')).toHaveLength(1);
	});
});

describe('regie assigned to me', () => {
	it('the secretaris names waarnemer@ casusregisseur in the meeting: she alone is told, once, with a link to the case', async () => {
		const t150 = caseId(db, 'T150-2026-014');
		const meetingId = (db.prepare("select id from meetings where case_table_id = ? and status = 'gepland' order by starts_at limit 1").get(tableId(db, 'Top 150 Regio Voorbeeld')) as { id: number }).id;
		const lotte = user(db, demoEmail('waarnemer'));
		const clients: Record<string, Awaited<ReturnType<typeof live>>> = {};
		for (const who of ['secretaris', 'voorzitter', 'deelnemer', 'waarnemer']) clients[who] = await live(who);
		const secretary = clients.secretaris!.socket;
		const joined = await emitAck<JoinResult>(secretary, 'meeting:join', { meetingId });
		expect(joined.ok).toBe(true);
		const before = lastId(db);
		const mailsBefore = mailbox.received.length;

		const reply = await emitAck(secretary, 'regie:set', { meetingId, caseId: t150, kind: 'casusregisseur', userId: lotte.id });
		expect(reply).toMatchObject({ ok: true });
		const notice = await waitFor('her live notice', () => clients.waarnemer!.notices.find((n) => n.kind === 'regie.assigned'), 3_000);
		expect(notice).toMatchObject({ text: 'U bent casusregisseur van T150-2026-014.', link: `/casus/${t150}` });
		const mail = await waitFor('her e-mail', () => mailbox.received.slice(mailsBefore).find((m) => m.to.includes(demoEmail('waarnemer'))), 5_000, 50);
		expect(mail.subject).toBe('Casustafel: regie bij T150-2026-014');
		expect(mail.text).toContain(`${PUBLIC_URL}/casus/${t150}`);
		expectNothingPersonal(mail);

		// the same choice again changes nothing and tells nobody again; naming oneself tells nobody
		expect(await emitAck(secretary, 'regie:set', { meetingId, caseId: t150, kind: 'casusregisseur', userId: lotte.id })).toMatchObject({ ok: true });
		const secretaris = user(db, demoEmail('secretaris'));
		expect(await emitAck(secretary, 'regie:set', { meetingId, caseId: t150, kind: 'procesregisseur', userId: null })).toMatchObject({ ok: true });
		expect(await emitAck(secretary, 'regie:set', { meetingId, caseId: t150, kind: 'procesregisseur', userId: secretaris.id })).toMatchObject({ ok: true });
		await sleep(500);
		const rows = rowsSince(db, before);
		expect(rows.map((r) => [r.user_id, r.kind])).toEqual([[lotte.id, 'regie.assigned']]);
		for (const who of ['secretaris', 'voorzitter', 'deelnemer']) expect(clients[who]!.notices, who).toEqual([]);
		expect(mailbox.received.slice(mailsBefore).map((m) => m.to)).toEqual([[demoEmail('waarnemer')]]);
	});

	it('someone who may not assign regie is refused and nobody is told', async () => {
		const t150 = caseId(db, 'T150-2026-014');
		const meetingId = (db.prepare("select id from meetings where case_table_id = ? and status = 'gepland' order by starts_at limit 1").get(tableId(db, 'Top 150 Regio Voorbeeld')) as { id: number }).id;
		const before = lastId(db);
		const member = (await live('deelnemer')).socket;
		expect((await emitAck<JoinResult>(member, 'meeting:join', { meetingId })).ok).toBe(true);
		const refused = await emitAck(member, 'regie:set', { meetingId, caseId: t150, kind: 'procesregisseur', userId: user(db, demoEmail('deelnemer')).id });
		expect(refused).toMatchObject({ ok: false, code: 'NOT_FOUND' });
		await sleep(300);
		expect(rowsSince(db, before)).toEqual([]);
	});
});

describe('a triage outcome for my aanmelding', () => {
	const requestOf = (subject: string) => db.prepare('select id, case_table_id from requests where subject_name = ?').get(subject) as { id: number; case_table_id: number };

	it('a refused triage tells nobody; the voorzitter declines the T150 request and only its aanmelder (geen-toegang@) hears, without the name or reason', async () => {
		const { id, case_table_id: t150 } = requestOf('Rik Verzinsel');
		const before = lastId(db);
		const aanmelder = await live('geen-toegang');
		// deelnemers and the aanmelder himself cannot decide
		for (const who of ['deelnemer', 'geen-toegang', 'eva']) {
			const refused = await post(who, `/tafels/${t150}/triage?/decline`, { requestId: id, reason: 'Past niet bij deze tafel, probeer het sociaal team.' });
			expect(refused.status, who).toBe(404);
		}
		expect(rowsSince(db, before)).toEqual([]);

		const reply = await post('voorzitter', `/tafels/${t150}/triage?/decline`, { requestId: id, reason: 'Past niet bij deze tafel, probeer het sociaal team.' });
		expect(reply.status, reply.body.slice(0, 500)).toBe(200);
		const notice = await waitFor('his live notice', () => aanmelder.notices.find((n) => n.kind === 'request.outcome'), 3_000);
		expect(notice).toMatchObject({ text: 'Uw aanmelding bij Top 150 Regio Voorbeeld is afgewezen.', link: `/aanmelden/${id}` });
		const rows = rowsSince(db, before);
		expect(rows.map((r) => [r.user_id, r.kind])).toEqual([[user(db, demoEmail('geen-toegang')).id, 'request.outcome']]);
		const mail = await waitFor('his e-mail', () => mailbox.to(demoEmail('geen-toegang'))[0], 5_000, 50);
		expect(mail.subject).toBe('Casustafel: nieuws over uw aanmelding');
		expect(mail.text).toContain(`${PUBLIC_URL}/aanmelden/${id}`);
		expect(mail.text).not.toContain('sociaal team');
		expectNothingPersonal(mail);
		// the link works for him
		expect((await get('geen-toegang', `/aanmelden/${id}`)).status).toBe(200);
	});

	it('noor asks kees@ for more, then accepts: kees hears both, once each', async () => {
		const { id, case_table_id: jbt } = requestOf('Gezin Bedenkhof');
		const kees = user(db, demoEmail('kees'));
		const before = lastId(db);
		const ask = await post('noor', `/tafels/${jbt}/triage?/askMore`, { requestId: id, question: 'Welke hulp is er al ingezet bij dit gezin?' });
		expect(ask.status, ask.body.slice(0, 500)).toBe(200);
		const question = await waitFor('the question notice', () => rowsSince(db, before).find((r) => r.kind === 'request.outcome'), 3_000, 50);
		expect(question).toMatchObject({ user_id: kees.id, text: 'Er is een vraag over uw aanmelding bij Jeugdbeschermingstafel Regio Voorbeeld.', link: `/aanmelden/${id}` });

		const accept = await post('noor', `/tafels/${jbt}/triage?/accept`, { requestId: id, meetingId: '', plannedMinutes: 20, title: 'Gezin, zorgen over veiligheid' });
		expect(accept.status, accept.body.slice(0, 500)).toBe(200);
		const accepted = await waitFor('the accept notice', () => rowsSince(db, before).find((r) => r.text.includes('geaccepteerd')), 3_000, 50);
		expect(accepted).toMatchObject({ user_id: kees.id, kind: 'request.outcome', text: 'Uw aanmelding bij Jeugdbeschermingstafel Regio Voorbeeld is geaccepteerd.' });
		expect(accepted.case_id).not.toBeNull();
		const rows = rowsSince(db, before);
		expect(rows.map((r) => r.user_id)).toEqual([kees.id, kees.id]);
		const mails = await waitFor('both e-mails', () => mailbox.to(demoEmail('kees')).length === 2 && mailbox.to(demoEmail('kees')), 5_000, 50);
		for (const m of mails) expectNothingPersonal(m);
	});
});

describe('/meldingen', () => {
	it('shows me my own notifications only, newest first, with the unread count in the header', async () => {
		const waarnemer = await get('waarnemer', '/meldingen');
		expect(waarnemer.status).toBe(200);
		expect(waarnemer.body).toContain('De deadline van uw actie bij T150-2026-014 is verstreken.');
		expect(waarnemer.body).toContain('U bent casusregisseur van T150-2026-014.');
		expect(waarnemer.body).not.toContain('actiehouder van een nieuwe actie');
		// newest first: the regie notice came after the reminder
		expect(waarnemer.body.indexOf('casusregisseur van')).toBeLessThan(waarnemer.body.indexOf('is verstreken'));
		expect(unreadBadge(waarnemer.body)).toBe(rowsOf(db, 'waarnemer').filter((r) => !r.read_at).length);
		expect(waarnemer.body).toContain('Ongelezen');

		const deelnemer = await get('deelnemer', '/meldingen');
		expect(deelnemer.body).toContain('U bent actiehouder van een nieuwe actie bij T150-2026-014.');
		expect(deelnemer.body).not.toContain('U bent casusregisseur');
		expect(deelnemer.body).not.toContain('Uw aanmelding');

		const beheerder = await get('beheerder', '/meldingen');
		expect(beheerder.body).toContain('U hebt nog geen meldingen.');
		expect(unreadBadge(beheerder.body)).toBe(0);

		const anonymous = await get(null, '/meldingen');
		expect(anonymous.status).toBe(303);
		expect(anonymous.location).toContain('/login');
	});

	it('marking one read: mine works (form and enhanced), someone else’s is 404 and stays unread', async () => {
		const lottes = rowsOf(db, 'waarnemer').filter((r) => !r.read_at);
		const fatimas = rowsOf(db, 'deelnemer').filter((r) => !r.read_at);
		expect(lottes.length).toBeGreaterThan(1);

		// deelnemer tries to mark waarnemer's notification
		const foreign = await post('deelnemer', '/meldingen?/gelezen', { id: lottes[0]!.id });
		expect(foreign.status).toBe(404);
		expect(foreign.body).toContain('Deze melding bestaat niet (meer).');
		const foreignJson = await post('deelnemer', '/meldingen?/gelezen', { id: lottes[0]!.id }, 'json');
		expect(JSON.parse(foreignJson.body).status).toBe(404);
		expect(rowsOf(db, 'waarnemer').find((r) => r.id === lottes[0]!.id)!.read_at).toBeNull();
		expect((await post('deelnemer', '/meldingen?/gelezen', { id: 'abc' })).status).toBe(400);
		expect((await post('deelnemer', '/meldingen?/gelezen', { id: 999999 })).status).toBe(404);

		const own = await post('waarnemer', '/meldingen?/gelezen', { id: lottes[0]!.id });
		expect(own.status).toBe(200);
		expect(own.body).toContain('De melding is gemarkeerd als gelezen.');
		expect(rowsOf(db, 'waarnemer').find((r) => r.id === lottes[0]!.id)!.read_at).not.toBeNull();
		expect(unreadBadge(own.body)).toBe(lottes.length - 1);
		const enhanced = await post('waarnemer', '/meldingen?/gelezen', { id: lottes[1]!.id }, 'json');
		expect(JSON.parse(enhanced.body).type).toBe('success');

		// "Alles gelezen" marks all of mine and nobody else's
		const all = await post('waarnemer', '/meldingen?/allesGelezen', {});
		expect(all.status).toBe(200);
		expect(rowsOf(db, 'waarnemer').every((r) => r.read_at !== null)).toBe(true);
		expect(unreadBadge(all.body)).toBe(0);
		expect(rowsOf(db, 'deelnemer').filter((r) => !r.read_at).map((r) => r.id)).toEqual(fatimas.map((r) => r.id));
		expect(unreadBadge((await get('deelnemer', '/meldingen')).body)).toBe(fatimas.length);
	});
});

describe('when the SMTP server is down', () => {
	let down: TestServer;
	let downDb: SharedDb;
	let port: number;
	let revived: Mailbox | null = null;
	const asDown = demoLogins(() => down);

	beforeAll(async () => {
		port = await closedPort();
		down = await startServer({
			env: { SMTP_URL: `smtp://casustafel:geheim-wachtwoord@127.0.0.1:${port}`, PUBLIC_URL, REMINDER_INTERVAL_MINUTES: '0.05' }
		});
		downDb = openShared(down.dbFile);
	});
	afterAll(async () => {
		downDb?.close();
		await down?.stop();
		await revived?.close();
	});

	it('the action still goes through and the notification is stored (and pushed live); the e-mail follows once SMTP is back', async () => {
		const t150 = caseId(downDb, 'T150-2026-014');
		const fatima = user(downDb, demoEmail('deelnemer'));
		const socket = connectLive(down.url, await asDown('deelnemer'));
		sockets.push(socket);
		await liveConnected(socket);
		const notices: { kind: string }[] = [];
		socket.on('notice', (n) => notices.push(n));
		const client = connectDoc(down.url, `case:${t150}`, await asDown('voorzitter'));
		docs.push(client);
		await client.synced;
		const before = lastId(downDb);
		const actionId = addAction(client.doc, {
			text: 'Actie terwijl de mail plat ligt',
			actiehouderId: fatima.id,
			actiehouderName: 'Fatima El Amrani',
			organisationId: fatima.organisationId,
			organisationName: 'Sociaal Team Voorbeeld',
			deadline: '2099-02-28',
			status: 'open',
			leefgebied: 'Wonen'
		});
		await waitFor('the live notice', () => notices.find((n) => n.kind === 'action.assigned'), 5_000);
		const row = await waitFor('the stored notification', () => rowsSince(downDb, before).find((r) => r.kind === 'action.assigned'), 5_000, 50);
		expect(row.user_id).toBe(fatima.id);
		expect(downDb.prepare('select status from action_rows where case_id = ? and action_id = ?').get(t150, actionId)).toEqual({ status: 'open' });
		await sleep(300);
		expect(rowsSince(downDb, before)[0]!.email_sent_at).toBeNull();

		// a request that causes a notice answers normally too
		const rik = downDb.prepare("select id, case_table_id from requests where subject_name = 'Rik Verzinsel'").get() as { id: number; case_table_id: number };
		const decline = await request(down.url, `/tafels/${rik.case_table_id}/triage?/decline`, {
			cookie: await asDown('voorzitter'),
			form: { requestId: rik.id, reason: 'Past niet bij deze tafel, probeer het sociaal team.' }
		});
		expect(decline.status).toBe(200);
		expect(downDb.prepare('select status from requests where id = ?').get(rik.id)).toEqual({ status: 'afgewezen' });
		expect(rowsSince(downDb, before).map((r) => r.kind)).toContain('request.outcome');

		// SMTP comes back on the same address: the next scan retries and the mails go out
		revived = await startMailbox(port);
		const mail = await waitFor('the retried e-mail', () => revived!.to(demoEmail('deelnemer'))[0], 15_000, 100);
		expect(mail.subject).toBe('Casustafel: nieuwe actie bij T150-2026-014');
		expectNothingPersonal(mail);
		await waitFor('email_sent_at after the retry', () => rowsSince(downDb, before).find((r) => r.id === row.id)?.email_sent_at, 5_000, 50);
	}, 40_000);
});

describe('the reminder scan in-process: Dutch calendar days, who and what is reminded', () => {
	let t: TestContext;
	beforeAll(async () => {
		// 23:30 UTC on 29 November is already 30 November in Amsterdam
		t = await createTestContext(new Date('2026-11-29T23:30:00Z'));
	});
	afterAll(async () => {
		await t?.close();
	});

	it('near is today up to REMINDER_DAYS_BEFORE days ahead, overdue is before today in Europe/Amsterdam; done, undated, closed cases and blocked people are left alone; each once', async () => {
		const { db } = t.ctx;
		const idOf = async (email: string) => (await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
		const caseOf = async (code: string) => (await db.selectFrom('cases').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
		const fatima = await idOf(demoEmail('deelnemer'));
		const lotte = await idOf(demoEmail('waarnemer'));
		const blocked = await idOf(demoEmail('linda'));
		const t150 = await caseOf('T150-2026-014');
		const closed = await caseOf('T150-2026-015');
		await db.updateTable('cases').set({ status: 'afgesloten' }).where('id', '=', closed).execute();
		await db.updateTable('users').set({ disabled_at: '2026-11-01T00:00:00.000Z' }).where('id', '=', blocked).execute();
		const row = (caseId: number, actionId: string, holder: number | null, deadline: string, status = 'open') => ({
			case_id: caseId, action_id: actionId, position: 0, text: `Actie ${actionId}`, actiehouder_id: holder, organisation_id: null,
			deadline, status, leefgebied: '', note: '', projected_at: '2026-11-29T00:00:00.000Z'
		});
		await db.deleteFrom('action_rows').execute();
		await db.insertInto('action_rows').values([
			row(t150, 'gisteren', fatima, '2026-11-29'), // overdue in Amsterdam, "today" in UTC
			row(t150, 'vandaag', fatima, '2026-11-30', 'bezig'),
			row(t150, 'morgen', lotte, '2026-12-01'),
			row(t150, 'overmorgen', lotte, '2026-12-02'),
			row(t150, 'later', lotte, '2026-12-03'),
			row(t150, 'gedaan', fatima, '2026-11-20', 'gedaan'),
			row(t150, 'vervallen', fatima, '2026-11-20', 'vervallen'),
			row(t150, 'zonder-datum', fatima, ''),
			row(t150, 'niemand', null, '2026-11-20'),
			row(t150, 'geblokkeerd', blocked, '2026-11-20'),
			row(closed, 'afgesloten', fatima, '2026-11-20')
		]).execute();

		expect(await scanReminders(t.ctx)).toEqual({ sent: 4 });
		const texts = async () =>
			(await db.selectFrom('notifications').select(['user_id', 'kind', 'dedupe_key', 'text']).orderBy('id').execute()).filter((n) => n.kind.startsWith('action.'));
		expect((await texts()).map((n) => [n.user_id, n.kind, n.dedupe_key.split(':')[2], n.text])).toEqual([
			[fatima, 'action.overdue', 'gisteren', 'De deadline van uw actie bij T150-2026-014 is verstreken.'],
			[fatima, 'action.deadline_near', 'vandaag', 'De deadline van uw actie bij T150-2026-014 is vandaag.'],
			[lotte, 'action.deadline_near', 'morgen', 'De deadline van uw actie bij T150-2026-014 is morgen.'],
			[lotte, 'action.deadline_near', 'overmorgen', 'De deadline van uw actie bij T150-2026-014 is over 2 dagen.']
		]);
		// again: nothing new
		expect(await scanReminders(t.ctx)).toEqual({ sent: 0 });

		// a day later "vandaag" has passed and "later" has come near; what was sent stays sent
		t.clock.advance(24 * 60 * 60 * 1000);
		expect(await scanReminders(t.ctx)).toEqual({ sent: 2 });
		expect((await texts()).slice(4).map((n) => [n.kind, n.dedupe_key.split(':')[2]])).toEqual([
			['action.overdue', 'vandaag'],
			['action.deadline_near', 'later']
		]);
		// moving a deadline is a new event: it is reminded again for the new date
		await db.updateTable('action_rows').set({ deadline: '2026-12-02' }).where('action_id', '=', 'morgen').execute();
		expect(await scanReminders(t.ctx)).toEqual({ sent: 1 });

		// REMINDER_DAYS_BEFORE=0: only deadlines of today count as near
		t.ctx.config.reminderDaysBefore = 0;
		await db.insertInto('action_rows').values([row(t150, 'over-een-dag', fatima, '2026-12-02'), row(t150, 'nu', fatima, '2026-12-01')]).execute();
		expect(await scanReminders(t.ctx)).toEqual({ sent: 1 });
		expect((await texts()).at(-1)).toMatchObject({ kind: 'action.deadline_near', text: 'De deadline van uw actie bij T150-2026-014 is vandaag.' });
	});

	it('an e-mail says what the notification says, with an absolute link, and a subject per kind', () => {
		const mail = composeNotificationMail({ kind: 'regie.assigned', text: 'U bent casusregisseur van T150-2026-014.', link: '/casus/7', caseCode: 'T150-2026-014' }, 'https://casustafel.gemeente.nl/');
		expect(mail.subject).toBe('Casustafel: regie bij T150-2026-014');
		expect(mail.text.split('\n')[0]).toBe('U bent casusregisseur van T150-2026-014.');
		expect(mail.text).toContain('https://casustafel.gemeente.nl/casus/7');
		expect(mail.html).toContain('<a href="https://casustafel.gemeente.nl/casus/7">');
		// text is escaped in the HTML part
		const odd = composeNotificationMail({ kind: 'request.outcome', text: 'Uw aanmelding bij <Tafel & Co> is afgewezen.', link: '/aanmelden/3', caseCode: null }, 'http://localhost:3000');
		expect(odd.subject).toBe('Casustafel: nieuws over uw aanmelding');
		expect(odd.html).toContain('&lt;Tafel &amp; Co&gt;');
		expect(odd.text).toContain('http://localhost:3000/aanmelden/3');
	});
});
