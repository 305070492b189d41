import ical, { type VEvent } from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openShared, tableId, user, type SharedDb } from './helpers/db';
import { startMailbox, type Mailbox, type ReceivedMail } from './helpers/mailbox';
import { waitFor } from './helpers/realtime';
import { demoEmail, demoLogins, request, type Reply, startServer, type TestServer } from './helpers/server';

/**
 * Planning meetings (issue 14 item 1) against the real server, with a real SMTP server catching
 * the invitations: who may plan, move and cancel a table's meetings (the policy's
 * 'meeting.schedule'), a series with exceptions across summer time, the iCalendar invitation
 * (METHOD, UID, SEQUENCE) in the e-mail, the personal calendar feed following, and bad input
 * answered in Dutch with what was typed kept.
 */
const PUBLIC_URL = 'https://casustafel.test';
let mailbox: Mailbox;
let server: TestServer;
let db: SharedDb;
let top150 = 0;
const as = demoLogins(() => server);

/** Roles: beheerder, voorzitter, secretaris, deelnemer, geen-toegang (deelnemer), waarnemer,
 * mehmet and sara (chairs of other tables), linda (no member), anonymous. */
const WHO = ['beheerder', 'voorzitter', 'secretaris', 'deelnemer', 'geen-toegang', 'waarnemer', 'mehmet', 'sara', 'linda', null] as const;
type Who = (typeof WHO)[number];
const GRANTED: Who[] = ['voorzitter', 'secretaris'];

const meetingsOfTop150 = () =>
	db.prepare('select id, starts_at, ends_at, location, online_url, status, cancel_reason, series_id, sequence from meetings where case_table_id = ? order by id').all(top150) as {
		id: number;
		starts_at: string;
		ends_at: string | null;
		location: string;
		online_url: string | null;
		status: string;
		cancel_reason: string | null;
		series_id: string | null;
		sequence: number;
	}[];
const meeting = (id: number) => meetingsOfTop150().find((m) => m.id === id)!;

async function post(who: Who, action: string, form: Record<string, string | number>, accept: 'json' | 'html' = 'json'): Promise<Reply> {
	return request(server.url, `/tafels/${top150}?/${action}`, { form, cookie: who ? await as(who) : null, accept });
}

/** 'ok' (success), 'no' (the 404 of something that does not exist), 'login', or what else came. */
function outcome(reply: Reply): string {
	if (reply.status === 404) return 'no';
	if (reply.status === 303 && reply.location?.startsWith('/login')) return 'login';
	const body = JSON.parse(reply.body) as { type: string; status?: number; location?: string };
	if (body.type === 'redirect' && body.location?.startsWith('/login')) return 'login';
	if (body.type === 'success') return 'ok';
	if (body.type === 'failure' && body.status === 404) return 'no';
	return `${body.type} ${body.status ?? reply.status}`;
}

/** The status of a form failure as `use:enhance` gets it (HTTP 200 with the failure's status inside). */
const failureStatus = (reply: Reply) => (JSON.parse(reply.body) as { type: string; status?: number }).status;

/** The first mail to a member that satisfies `match`, waiting for it. */
async function mailTo(local: string, match: (m: ReceivedMail) => boolean): Promise<ReceivedMail> {
	return waitFor(`a mail to ${local}`, () => mailsTo(local).find(match), 10_000, 50);
}

const expected = (who: Who) => (who === null ? 'login' : GRANTED.includes(who) ? 'ok' : 'no');

const one = (date: string, extra: Record<string, string> = {}) => ({
	date,
	startTime: '09:30',
	endTime: '11:00',
	location: 'Stadhuis, zaal 3',
	onlineUrl: '',
	repeat: 'none',
	...extra
});

function vevents(text: string): VEvent[] {
	return Object.values(ical.sync.parseICS(text)).filter((c): c is VEvent => c.type === 'VEVENT');
}
const invitationOf = (mail: ReceivedMail) => {
	const part = mail.attachments.find((a) => a.contentType.startsWith('text/calendar'));
	if (!part) throw new Error(`no text/calendar part in "${mail.subject}"`);
	return part.content;
};
const mailsTo = (local: string) => mailbox.to(demoEmail(local));

beforeAll(async () => {
	mailbox = await startMailbox();
	server = await startServer({ env: { SMTP_URL: mailbox.url, MAIL_FROM: 'Casustafel <meldingen@casustafel.example>', PUBLIC_URL } });
	db = openShared(server.dbFile);
	top150 = tableId(db, 'Top 150 Regio Voorbeeld');
	await Promise.all(WHO.filter((w): w is Exclude<Who, null> => w !== null).map(as));
}, 60_000);

afterAll(async () => {
	db?.close();
	await server?.stop();
	await mailbox?.close();
});

describe('who may plan, move and cancel a meeting of Top 150', () => {
	it('Only its voorzitter and secretaris plan one; everyone else gets the 404 and nothing is planned.', async () => {
		const got: Record<string, string> = {};
		const want: Record<string, string> = {};
		let day = 1;
		for (const who of WHO) {
			const before = meetingsOfTop150().length;
			const reply = await post(who, 'schedule', one(`2027-03-${String(day++).padStart(2, '0')}`));
			got[String(who)] = outcome(reply);
			want[String(who)] = expected(who);
			expect(meetingsOfTop150().length, String(who)).toBe(before + (expected(who) === 'ok' ? 1 : 0));
		}
		expect(got).toEqual(want);
	});

	it('Only they move or cancel one; a refusal changes nothing.', async () => {
		await post('secretaris', 'schedule', one('2027-03-20'));
		const target = meetingsOfTop150().at(-1)!;
		const fingerprint = () => JSON.stringify(meeting(target.id));
		for (const who of WHO) {
			if (who !== null && GRANTED.includes(who)) continue;
			const before = fingerprint();
			expect(outcome(await post(who, 'update', { meetingId: target.id, ...one('2027-03-21', { location: 'Elders' }) })), `update by ${who}`).toBe(expected(who));
			expect(outcome(await post(who, 'cancel', { meetingId: target.id, reason: 'Geen agenda' })), `cancel by ${who}`).toBe(expected(who));
			expect(fingerprint(), String(who)).toBe(before);
		}
		// a meeting of another table through this table's address: the 404 too
		const other = (db.prepare('select id from meetings where case_table_id != ? and status = ? limit 1').get(top150, 'gepland') as { id: number }).id;
		const otherBefore = JSON.stringify(db.prepare('select * from meetings where id = ?').get(other));
		expect(outcome(await post('voorzitter', 'cancel', { meetingId: other, reason: 'Niet van deze tafel' }))).toBe('no');
		expect(JSON.stringify(db.prepare('select * from meetings where id = ?').get(other))).toBe(otherBefore);

		expect(outcome(await post('voorzitter', 'update', { meetingId: target.id, ...one('2027-03-22', { location: 'Stadhuis, zaal 5' }) }))).toBe('ok');
		expect(meeting(target.id)).toMatchObject({ location: 'Stadhuis, zaal 5', starts_at: '2027-03-22T08:30:00.000Z', ends_at: '2027-03-22T10:00:00.000Z', sequence: 1 });
		expect(outcome(await post('secretaris', 'cancel', { meetingId: target.id, reason: 'Te weinig casussen' }))).toBe('ok');
		expect(meeting(target.id)).toMatchObject({ status: 'afgezegd', cancel_reason: 'Te weinig casussen', sequence: 2 });
		// cancelled: shown as such, and not to be opened or changed any more
		const page = await request(server.url, `/tafels/${top150}`, { cookie: await as('deelnemer') });
		expect(page.body).toContain('Afgezegd');
		expect(page.body).toContain('Te weinig casussen');
		expect(page.body).not.toContain(`href="/overleg/${target.id}"`);
		const home = await request(server.url, '/', { cookie: await as('deelnemer') });
		expect(home.body).toContain('Afgezegd');
		expect(home.body).not.toContain(`href="/overleg/${target.id}"`);
		const open = await request(server.url, `/overleg/${target.id}/__data.json`, { cookie: await as('voorzitter') });
		expect(open.body).toContain('afgezegd');
		expect(outcome(await post('voorzitter', 'update', { meetingId: target.id, ...one('2027-03-23') }))).toBe('failure 409');
		// every change is in the audit log
		const audited = db.prepare("select action from audit_log where action like 'meeting.%' and meeting_id = ? order by id").all(target.id) as { action: string }[];
		expect(audited.map((a) => a.action)).toEqual(['meeting.schedule', 'meeting.update', 'meeting.cancel']);
	});
});

describe('a series', () => {
	it('"elke tweede dinsdag van de maand 9:30", four times, skipping a holiday, across summer time', async () => {
		const before = new Set(meetingsOfTop150().map((m) => m.id));
		const reply = await post('secretaris', 'schedule', one('2027-02-09', { repeat: 'monthly', ends: 'count', count: '4', exceptions: '13-04-2027' }));
		expect(outcome(reply)).toBe('ok');
		expect(reply.body).toContain('elke tweede dinsdag van de maand');
		const made = meetingsOfTop150().filter((m) => !before.has(m.id));
		expect(made.map((m) => m.starts_at)).toEqual([
			'2027-02-09T08:30:00.000Z',
			'2027-03-09T08:30:00.000Z',
			// summer time: still 9:30 in the Netherlands
			'2027-05-11T07:30:00.000Z',
			'2027-06-08T07:30:00.000Z'
		]);
		expect(new Set(made.map((m) => m.series_id)).size).toBe(1);
		expect(made[0]!.series_id).toMatch(/^[0-9a-f-]{36}$/);
	});

	it('"om de twee weken op dinsdag" until a date', async () => {
		const before = new Set(meetingsOfTop150().map((m) => m.id));
		expect(outcome(await post('voorzitter', 'schedule', one('2027-10-12', { repeat: 'weekly', interval: '2', ends: 'until', until: '2027-11-23' })))).toBe('ok');
		const made = meetingsOfTop150().filter((m) => !before.has(m.id));
		expect(made.map((m) => m.starts_at)).toEqual(['2027-10-12T07:30:00.000Z', '2027-10-26T07:30:00.000Z', '2027-11-09T08:30:00.000Z', '2027-11-23T08:30:00.000Z']);
	});

	it('more than 52, or an exception that is not in the series, is refused in Dutch', async () => {
		const count = meetingsOfTop150().length;
		const tooMany = await post('secretaris', 'schedule', one('2027-01-05', { repeat: 'weekly', interval: '1', ends: 'until', until: '2028-12-31' }));
		expect(failureStatus(tooMany)).toBe(400);
		expect(tooMany.body).toContain('hoogstens 52 overleggen');
		const stray = await post('secretaris', 'schedule', one('2027-02-09', { repeat: 'monthly', ends: 'count', count: '3', exceptions: '14-04-2027' }));
		expect(stray.body).toContain('Deze datum valt niet in de reeks: 14-04-2027');
		expect(meetingsOfTop150().length).toBe(count);
	});
});

describe('invitations by e-mail and in the app', () => {
	it('A series is one invitation per member with a REQUEST for every meeting; a move sends SEQUENCE+1 with the same UID; a cancel sends METHOD:CANCEL.', async () => {
		const before = new Set(meetingsOfTop150().map((m) => m.id));
		expect(outcome(await post('secretaris', 'schedule', one('2027-09-07', { repeat: 'weekly', interval: '1', ends: 'count', count: '3', onlineUrl: 'https://vergader.example/top150' })))).toBe('ok');
		const made = meetingsOfTop150().filter((m) => !before.has(m.id));
		expect(made).toHaveLength(3);

		const invite = await mailTo('deelnemer', (m) => m.text.includes('3 overleggen'));
		expect(invite.subject).toBe('Casustafel: uitnodiging voor een overleg');
		expect(invite.text).toContain('U bent uitgenodigd voor 3 overleggen van Top 150 Regio Voorbeeld');
		const ics = invitationOf(invite);
		expect(ics).toMatch(/^METHOD:REQUEST\r?$/m);
		const events = vevents(ics);
		expect(events.map((e) => e.uid)).toEqual(made.map((m) => `overleg-${m.id}@casustafel.test`));
		expect(events.map((e) => Number(e.sequence))).toEqual([0, 0, 0]);
		expect(events[0]!.start.toISOString()).toBe('2027-09-07T07:30:00.000Z');
		expect(events[0]!.end.toISOString()).toBe('2027-09-07T09:00:00.000Z');
		expect(String(events[0]!.description)).toContain('https://vergader.example/top150');
		// every member of the table gets it, the other tables' people do not
		const members = db.prepare('select u.email from memberships m join users u on u.id = m.user_id where m.case_table_id = ? and u.disabled_at is null').all(top150) as { email: string }[];
		await waitFor('every member invited', () => members.every((m) => mailbox.to(m.email).some((x) => x.text.includes('3 overleggen'))), 15_000, 50);
		expect(mailsTo('mehmet').some((x) => x.text.includes('3 overleggen'))).toBe(false);
		// and in the app
		const notice = db.prepare("select kind, text, link from notifications where user_id = ? and kind = 'meeting.invited' order by id desc limit 1").get(user(db, demoEmail('deelnemer')).id) as { kind: string; text: string; link: string };
		expect(notice).toEqual({ kind: 'meeting.invited', text: expect.stringContaining('3 overleggen'), link: `/tafels/${top150}` });

		// the chair moves the second one
		const second = made[1]!;
		expect(outcome(await post('voorzitter', 'update', { meetingId: second.id, ...one('2027-09-15', { startTime: '13:00', endTime: '14:30', location: 'Politiebureau, zaal 2', onlineUrl: '' }) }))).toBe('ok');
		const changed = await mailTo('deelnemer', (m) => m.subject.includes('gewijzigd') && m.attachments.some((a) => a.content.includes(`overleg-${second.id}@`)));
		expect(changed.subject).toBe('Casustafel: overleg gewijzigd');
		const changedIcs = invitationOf(changed);
		expect(changedIcs).toMatch(/^METHOD:REQUEST\r?$/m);
		const [moved] = vevents(changedIcs);
		expect(moved!.uid).toBe(`overleg-${second.id}@casustafel.test`);
		expect(Number(moved!.sequence)).toBe(1);
		expect(moved!.start.toISOString()).toBe('2027-09-15T11:00:00.000Z');
		expect(moved!.location).toBe('Politiebureau, zaal 2');

		// and cancels the third
		const third = made[2]!;
		expect(outcome(await post('voorzitter', 'cancel', { meetingId: third.id, reason: 'Vakantie' }))).toBe('ok');
		const cancelled = await mailTo('deelnemer', (m) => m.subject.includes('afgezegd') && m.attachments.some((a) => a.content.includes(`overleg-${third.id}@`)));
		expect(cancelled.subject).toBe('Casustafel: overleg afgezegd');
		const cancelIcs = invitationOf(cancelled);
		expect(cancelIcs).toMatch(/^METHOD:CANCEL\r?$/m);
		const [gone] = vevents(cancelIcs);
		expect(gone!.uid).toBe(`overleg-${third.id}@casustafel.test`);
		expect(Number(gone!.sequence)).toBe(1);
		expect(gone!.status).toBe('CANCELLED');
		// the reason is on the table page, not in the e-mail
		expect(cancelled.raw).not.toContain('Vakantie');

		// the personal calendar feed follows: moved, cancelled, same UIDs
		const feedReply = await request(server.url, '/account?/calendarCreate', { form: {}, cookie: await as('deelnemer') });
		const token = /\/kalender\/([A-Za-z0-9_-]{43})\.ics/.exec(feedReply.body)![1]!;
		const feed = await request(server.url, `/kalender/${token}.ics`, { cookie: null });
		const inFeed = new Map(vevents(feed.body).map((e) => [e.uid, e]));
		// the same UID as in the invitation: both take the host of PUBLIC_URL
		const host = 'casustafel.test';
		const feedMoved = inFeed.get(`overleg-${second.id}@${host}`)!;
		expect(feedMoved.start.toISOString()).toBe('2027-09-15T11:00:00.000Z');
		expect(feedMoved.end.toISOString()).toBe('2027-09-15T12:30:00.000Z');
		expect(Number(feedMoved.sequence)).toBe(1);
		const feedGone = inFeed.get(`overleg-${third.id}@${host}`)!;
		expect(feedGone.status).toBe('CANCELLED');
		expect(Number(feedGone.sequence)).toBe(1);
	});
});

describe('bad input', () => {
	it('An end before the start is refused with a Dutch message and a stable code, and the form keeps what was typed.', async () => {
		const count = meetingsOfTop150().length;
		const typed = one('2027-04-06', { startTime: '11:00', endTime: '10:00', location: 'Gemeentehuis, kamer 12' });
		const json = await post('secretaris', 'schedule', typed);
		expect(failureStatus(json)).toBe(400);
		expect(json.body).toContain('INVALID_INPUT');
		expect(json.body).toContain('De eindtijd moet na de begintijd liggen.');
		// as a browser without JavaScript posts it: the page again, with the message and the input
		const html = await post('secretaris', 'schedule', typed, 'html');
		expect(html.status).toBe(400);
		expect(html.body).toContain('De eindtijd moet na de begintijd liggen.');
		expect(html.body).toContain('value="Gemeentehuis, kamer 12"');
		expect(html.body).toContain('value="2027-04-06"');
		expect(meetingsOfTop150().length).toBe(count);
	});

	it('A date in the past, a date that does not exist, a link that is not https, and a cancel without reason are refused.', async () => {
		const count = meetingsOfTop150().length;
		expect((await post('secretaris', 'schedule', one('2020-01-07'))).body).toContain('Kies vandaag of een latere datum.');
		expect((await post('secretaris', 'schedule', one('2027-02-30'))).body).toContain('Vul een bestaande datum in');
		expect((await post('secretaris', 'schedule', one('2027-04-06', { onlineUrl: 'javascript:alert(1)' }))).body).toContain('begint met https://');
		expect(meetingsOfTop150().length).toBe(count);
		const planned = meetingsOfTop150().find((m) => m.status === 'gepland')!;
		const reply = await post('secretaris', 'cancel', { meetingId: planned.id, reason: ' ' });
		expect(reply.body).toContain('Geef de reden van het afzeggen');
		expect(meeting(planned.id).status).toBe('gepland');
	});
});

describe('afmelden', () => {
	const MEMBERS: Who[] = ['voorzitter', 'secretaris', 'deelnemer', 'geen-toegang', 'waarnemer'];
	const nameOf = (local: string) => (db.prepare('select name from users where email = ?').get(demoEmail(local)) as { name: string }).name;

	it('Every member of the table, and only they, sends their own afmelding with a reason; the chair sees who comes, a member only their own.', async () => {
		await post('secretaris', 'schedule', one('2027-05-04'));
		const target = meetingsOfTop150().at(-1)!;
		const marks = () => db.prepare('select user_id, status, reason, updated_by from meeting_attendance where meeting_id = ? order by user_id').all(target.id) as { user_id: number; status: string; reason: string; updated_by: number }[];
		const got: Record<string, string> = {};
		const want: Record<string, string> = {};
		for (const who of WHO) {
			got[String(who)] = outcome(await post(who, 'afmelden', { meetingId: target.id, reason: `Andere afspraak van ${who}` }));
			want[String(who)] = who === null ? 'login' : MEMBERS.includes(who) ? 'ok' : 'no';
		}
		expect(got).toEqual(want);
		// each one's own row, with their own reason
		expect(marks()).toEqual(
			MEMBERS.map((who) => ({ user_id: user(db, demoEmail(who!)).id, status: 'afgemeld', reason: `Andere afspraak van ${who}`, updated_by: user(db, demoEmail(who!)).id })).sort((a, b) => a.user_id - b.user_id)
		);

		// the deelnemer comes after all
		expect(outcome(await post('deelnemer', 'aanwezig', { meetingId: target.id }))).toBe('ok');
		expect(marks().map((m) => m.user_id)).not.toContain(user(db, demoEmail('deelnemer')).id);

		// the page's text without Svelte's hydration markers
		const textOf = (html: string) => html.replace(/<!--[^>]*-->/g, '');
		const chairPage = textOf((await request(server.url, `/tafels/${top150}`, { cookie: await as('voorzitter') })).body);
		expect(chairPage).toContain(`${nameOf('waarnemer')} (Andere afspraak van waarnemer)`);
		expect(chairPage).not.toContain(`${nameOf('deelnemer')} (Andere afspraak`);
		const memberCount = (db.prepare('select count(*) as n from memberships m join users u on u.id = m.user_id where m.case_table_id = ? and u.disabled_at is null').get(top150) as { n: number }).n;
		expect(chairPage).toContain(`${memberCount - 4} van ${memberCount} leden`);
		const waarnemerPage = textOf((await request(server.url, `/tafels/${top150}`, { cookie: await as('waarnemer') })).body);
		expect(waarnemerPage).toContain('U hebt zich afgemeld: Andere afspraak van waarnemer');
		expect(waarnemerPage).not.toContain('Andere afspraak van geen-toegang');
		// audited
		const audited = db.prepare("select count(*) as n from audit_log where action = 'meeting.attendance' and meeting_id = ?").get(target.id) as { n: number };
		expect(audited.n).toBe(MEMBERS.length + 1);
	});

	it('Without a reason it is refused in Dutch; for a cancelled meeting it is refused as not needed.', async () => {
		await post('secretaris', 'schedule', one('2027-05-11'));
		const target = meetingsOfTop150().at(-1)!;
		const reply = await post('deelnemer', 'afmelden', { meetingId: target.id, reason: '' });
		expect(failureStatus(reply)).toBe(400);
		expect(reply.body).toContain('Geef een korte reden');
		await post('secretaris', 'cancel', { meetingId: target.id, reason: 'Geen casussen' });
		const late = await post('deelnemer', 'afmelden', { meetingId: target.id, reason: 'Ziek' });
		expect(failureStatus(late)).toBe(409);
		expect(late.body).toContain('afmelden is niet nodig');
		expect(db.prepare('select count(*) as n from meeting_attendance where meeting_id = ?').get(target.id)).toEqual({ n: 0 });
	});
});
