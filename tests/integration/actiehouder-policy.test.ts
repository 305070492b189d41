import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addAction } from '../../src/lib/shared/documents';
import { caseId, openShared, user, type SharedDb } from './helpers/db';
import { startMailbox, type Mailbox } from './helpers/mailbox';
import { connectDoc, connectLive, liveConnected, sleep, waitFor, type DocClient, type LiveSocket } from './helpers/realtime';
import { demoEmail, demoLogins, request, startServer, type TestServer } from './helpers/server';

/**
 * Issue 13 item 4: an actiehouder is an active user of an organisation with access to the case
 * (policy `mayHoldAction`). A writer (the secretaris, through a real Yjs client on the case
 * document) names people the rule does not allow: a deelnemer of an organisation without access
 * (geen-toegang@, police), the beheerder (municipality, no access), the chair (whose
 * organisation has no access to T150-2026-014) and a blocked user (linda@, Sociaal Team, which
 * has access). None of them gets a notice, a live event, an e-mail (read from a real SMTP
 * server), a reminder, a row in Mijn acties or a calendar entry; the one allowed person
 * (deelnemer@) gets exactly one notice. And one writer cannot flood an allowed person: at most
 * 10 new-action notices per person per case per hour.
 */
let mailbox: Mailbox;
let server: TestServer;
let db: SharedDb;
let t150: number;
const as = demoLogins(() => server);
const sockets: LiveSocket[] = [];
const docs: DocClient[] = [];

interface Row {
	id: number;
	user_id: number;
	kind: string;
	case_id: number | null;
}
const rowsSince = (id: number) => db.prepare('select id, user_id, kind, case_id from notifications where id > ? order by id').all(id) as Row[];
const lastId = () => (db.prepare('select coalesce(max(id), 0) as n from notifications').get() as { n: number }).n;

async function live(who: string) {
	const socket = connectLive(server.url, await as(who));
	sockets.push(socket);
	await liveConnected(socket);
	const events: { event: string; payload: unknown }[] = [];
	socket.onAny((event: string, payload: unknown) => events.push({ event, payload }));
	return events;
}

const TOKEN = /\/kalender\/([A-Za-z0-9_-]{43})\.ics/;
async function calendarOf(who: string): Promise<string> {
	const reply = await request(server.url, '/account?/calendarCreate', { form: {}, cookie: await as(who) });
	const token = TOKEN.exec(reply.body)?.[1];
	if (!token) throw new Error(`no calendar link for ${who}`);
	return `/kalender/${token}.ics`;
}

function yesterday(): string {
	const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam' }).format(new Date());
	const d = new Date(`${today}T00:00:00Z`);
	d.setUTCDate(d.getUTCDate() - 1);
	return d.toISOString().slice(0, 10);
}

beforeAll(async () => {
	mailbox = await startMailbox();
	server = await startServer({
		env: {
			SMTP_URL: mailbox.url,
			MAIL_FROM: 'Casustafel <meldingen@casustafel.example>',
			PUBLIC_URL: 'https://casustafel.test',
			// a reminder scan every 1.2 s, so the overdue actions below are scanned several times
			REMINDER_INTERVAL_MINUTES: '0.02'
		}
	});
	db = openShared(server.dbFile);
	t150 = caseId(db, 'T150-2026-014');
	await Promise.all(['secretaris', 'voorzitter', 'deelnemer', 'waarnemer', 'geen-toegang', 'beheerder', 'linda'].map(as));
	// the seeded reminders (waarnemer's overdue action) go out first, so they are not counted below
	await waitFor('the seeded reminder', () => mailbox.to(demoEmail('waarnemer')).length > 0, 10_000, 50);
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

describe('who may hold an action', () => {
	it('people a writer names without access (police, beheerder, the chair whose organisation has no access, a blocked user) get no notice, mail, reminder, live event, Mijn acties row or calendar entry; the allowed deelnemer gets exactly one', async () => {
		// linda@ (Sociaal Team, which has access) is blocked by the beheerder first
		const linda = user(db, demoEmail('linda'));
		const blocked = await request(server.url, '/beheer/gebruikers?/block', { form: { userId: linda.id }, cookie: await as('beheerder') });
		expect(blocked.status).toBe(200);
		expect((db.prepare('select disabled_at from users where id = ?').get(linda.id) as { disabled_at: string | null }).disabled_at).not.toBeNull();

		const calendars = { 'geen-toegang': await calendarOf('geen-toegang'), beheerder: await calendarOf('beheerder'), voorzitter: await calendarOf('voorzitter') };
		const heard = { 'geen-toegang': await live('geen-toegang'), beheerder: await live('beheerder'), voorzitter: await live('voorzitter'), deelnemer: await live('deelnemer') };

		const doc = connectDoc(server.url, `case:${t150}`, await as('secretaris'));
		docs.push(doc);
		await doc.synced;
		const before = lastId();
		const mailsBefore = mailbox.received.length;
		const deadline = yesterday();
		const named = ['geen-toegang', 'beheerder', 'voorzitter', 'linda', 'deelnemer'] as const;
		const texts = new Map<string, string>();
		for (const who of named) {
			const u = user(db, demoEmail(who));
			const text = `Actie-canary voor ${who} ${Math.random().toString(36).slice(2)}`;
			texts.set(who, text);
			addAction(doc.doc, {
				text,
				actiehouderId: u.id,
				actiehouderName: who,
				organisationId: u.organisationId,
				organisationName: '',
				deadline,
				status: 'open',
				leefgebied: ''
			});
		}
		const fatima = user(db, demoEmail('deelnemer'));
		await waitFor('her notice', () => rowsSince(before).find((r) => r.user_id === fatima.id && r.kind === 'action.assigned'), 5_000, 20);
		await waitFor('her overdue reminder', () => rowsSince(before).find((r) => r.user_id === fatima.id && r.kind === 'action.overdue'), 10_000, 50);
		// several more reminder scans and the mailer's retries
		await sleep(3_000);

		const rows = rowsSince(before);
		const ids = Object.fromEntries(named.map((who) => [who, user(db, demoEmail(who)).id]));
		for (const who of ['geen-toegang', 'beheerder', 'voorzitter', 'linda'] as const) {
			expect(rows.filter((r) => r.user_id === ids[who]), `notifications for ${who}`).toEqual([]);
			expect(mailbox.received.slice(mailsBefore).filter((m) => m.to.includes(demoEmail(who))), `e-mail to ${who}`).toEqual([]);
		}
		// exactly one new-action notice for the allowed deelnemer (and her reminder), nothing else
		expect(rows.filter((r) => r.kind === 'action.assigned').map((r) => r.user_id)).toEqual([fatima.id]);
		expect(rows.filter((r) => r.kind === 'action.overdue').map((r) => r.user_id)).toEqual([fatima.id]);
		const herMails = mailbox.received.slice(mailsBefore).filter((m) => m.to.includes(demoEmail('deelnemer')));
		expect(herMails.map((m) => m.subject).sort()).toEqual(['Casustafel: deadline verstreken bij T150-2026-014', 'Casustafel: nieuwe actie bij T150-2026-014']);
		expect(mailbox.received.slice(mailsBefore).every((m) => m.to.length === 1 && m.to[0] === demoEmail('deelnemer'))).toBe(true);

		// live: she heard of it, the others nothing at all (no notice, no acties:changed)
		expect(heard.deelnemer.some((e) => e.event === 'notice')).toBe(true);
		expect(heard.deelnemer.some((e) => e.event === 'acties:changed')).toBe(true);
		for (const who of ['geen-toegang', 'beheerder', 'voorzitter'] as const) {
			expect(heard[who].filter((e) => e.event === 'notice' || e.event === 'acties:changed'), `live events for ${who}`).toEqual([]);
		}

		// the /meldingen page and its unread badge show nothing of it
		for (const who of ['geen-toegang', 'beheerder', 'voorzitter'] as const) {
			const page = await request(server.url, '/meldingen', { cookie: await as(who) });
			expect(page.status).toBe(200);
			expect(page.body, `meldingen of ${who}`).not.toContain('nieuwe actie bij T150-2026-014');
		}

		// Mijn acties and the calendar feed do not offer the action to them
		for (const who of ['geen-toegang', 'beheerder', 'voorzitter'] as const) {
			const acties = await request(server.url, '/acties?status=alle', { cookie: await as(who) });
			expect(acties.status).toBe(200);
			expect(acties.body, `Mijn acties of ${who}`).not.toContain(texts.get(who)!);
			const feed = await request(server.url, calendars[who], { cookie: null });
			expect(feed.status).toBe(200);
			expect(feed.body, `calendar of ${who}`).not.toContain(`DTSTART;VALUE=DATE:${deadline.replaceAll('-', '')}`);
		}
		const hers = await request(server.url, '/acties?status=alle', { cookie: await as('deelnemer') });
		expect(hers.body).toContain(texts.get('deelnemer')!);
	}, 30_000);

	it('one writer cannot flood an allowed person: 15 new actions for waarnemer@ give 10 notices and 10 e-mails in the hour, the rest is dropped', async () => {
		const lotte = user(db, demoEmail('waarnemer'));
		const doc = connectDoc(server.url, `case:${t150}`, await as('secretaris'));
		docs.push(doc);
		await doc.synced;
		const before = lastId();
		const mailsBefore = mailbox.to(demoEmail('waarnemer')).length;
		for (let i = 0; i < 15; i++) {
			addAction(doc.doc, {
				text: `Vloedactie ${i}`,
				actiehouderId: lotte.id,
				actiehouderName: 'Lotte Jansen',
				organisationId: lotte.organisationId,
				organisationName: 'GGZ Voorbeeld',
				deadline: '2099-12-31',
				status: 'open',
				leefgebied: ''
			});
			await sleep(30);
		}
		await waitFor('15 projected actions', () => (db.prepare("select count(*) as n from action_rows where case_id = ? and text like 'Vloedactie %'").get(t150) as { n: number }).n === 15, 5_000, 20);
		await sleep(1_500);
		const assigned = rowsSince(before).filter((r) => r.kind === 'action.assigned');
		expect(assigned).toHaveLength(10);
		expect(assigned.every((r) => r.user_id === lotte.id && r.case_id === t150)).toBe(true);
		await waitFor('ten e-mails', () => mailbox.to(demoEmail('waarnemer')).length - mailsBefore >= 10, 5_000, 50);
		await sleep(500);
		expect(mailbox.to(demoEmail('waarnemer')).slice(mailsBefore).filter((m) => m.subject === 'Casustafel: nieuwe actie bij T150-2026-014')).toHaveLength(10);
	}, 20_000);
});
