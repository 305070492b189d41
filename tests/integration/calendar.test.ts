import { createHash } from 'node:crypto';
import ical, { type VEvent } from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseId, openShared, organisationId, tableId, user, type SharedDb } from './helpers/db';
import { demoEmail, demoLogins, request, startServer, type TestServer } from './helpers/server';

/**
 * The personal calendar feed over HTTP: made on /account, read without a session by a calendar
 * app (parsed here with node-ical), revoked, replaced. The feed carries codes, table names and
 * places only: no action text, no names.
 */
let server: TestServer;
let db: SharedDb;
let t014: number;

const as = demoLogins(() => server);
const TOKEN = /\/kalender\/([A-Za-z0-9_-]{43})\.ics/;

async function createFeed(who: string): Promise<string> {
	const reply = await request(server.url, '/account?/calendarCreate', { form: {}, cookie: await as(who) });
	expect(reply.status).toBe(200);
	expect(reply.body).toContain('Uw nieuwe kalenderlink is gemaakt.');
	const token = TOKEN.exec(reply.body)?.[1];
	if (!token) throw new Error('no feed URL in the answer');
	return token;
}

async function revokeFeed(who: string) {
	const reply = await request(server.url, '/account?/calendarRevoke', { form: {}, cookie: await as(who) });
	expect(reply.status).toBe(200);
	return reply;
}

/** The feed as a calendar app fetches it: no cookie. */
const fetchFeed = (path: string) => request(server.url, path, { cookie: null });

function events(text: string): VEvent[] {
	return Object.values(ical.sync.parseICS(text)).filter((c): c is VEvent => c.type === 'VEVENT');
}

/** A date-only event's day as the parser gives it (a local midnight). */
const localDay = (d: Date) =>
	`${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** An event's URL; node-ical keeps `URL;VALUE=URI:` as { params, val }. */
const urlOf = (e: VEvent): string => {
	const url = e.url as unknown;
	return typeof url === 'string' ? url : (url as { val: string }).val;
};

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function waitFor(check: () => boolean, what: string, ms = 10_000) {
	const until = Date.now() + ms;
	while (!check()) {
		if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 50));
	}
}

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	t014 = caseId(db, 'T150-2026-014');
	await waitFor(() => (db.prepare('select count(*) as n from action_rows where case_id = ?').get(t014) as { n: number }).n === 3, 'the projected actions');
	await Promise.all(['waarnemer', 'linda', 'voorzitter', 'beheerder'].map(as));
});

afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('the calendar feed of an actiehouder', () => {
	let token: string;

	it('The account page offers a calendar link when there is none.', async () => {
		const reply = await request(server.url, '/account', { cookie: await as('waarnemer') });
		expect(reply.status).toBe(200);
		expect(reply.body).toContain('Agenda in uw eigen kalender');
		expect(reply.body).toContain('U hebt nu geen kalenderlink.');
		expect(reply.body).toContain('action="?/calendarCreate"');
	});

	it('Creating a feed shows its secret URL once; only its SHA-256 is stored, and the audit log has no secret.', async () => {
		token = await createFeed('waarnemer');
		const lotte = user(db, demoEmail('waarnemer'));
		const rows = db.prepare('select token_hash, revoked_at from calendar_feeds where user_id = ?').all(lotte.id) as { token_hash: string; revoked_at: string | null }[];
		expect(rows).toEqual([{ token_hash: sha256(token), revoked_at: null }]);
		const audit = db.prepare("select user_id, detail from audit_log where action = 'calendar.feed.create'").all() as { user_id: number; detail: string }[];
		expect(audit).toHaveLength(1);
		expect(audit[0]!.user_id).toBe(lotte.id);
		expect(audit[0]!.detail).not.toContain(token);
		// 32 random bytes as base64url
		expect(Buffer.from(token, 'base64url')).toHaveLength(32);

		// shown once: the account page afterwards says there is a link, but not which
		const again = await request(server.url, '/account', { cookie: await as('waarnemer') });
		expect(again.body).toContain('U hebt een kalenderlink sinds');
		expect(again.body).not.toContain(token);
	});

	it('The feed parses and holds the deadline of her action and the Top 150 meetings, without a session.', async () => {
		const reply = await fetchFeed(`/kalender/${token}.ics`);
		expect(reply.status).toBe(200);
		expect(reply.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
		expect(reply.headers.get('cache-control')).toBe('private, no-store');
		const list = events(reply.body);

		const deadline = db.prepare("select deadline from action_rows where case_id = ? and text = 'Intake verslavingszorg plannen'").get(t014) as { deadline: string };
		const deadlines = list.filter((e) => e.summary === 'Actie-deadline T150-2026-014');
		expect(deadlines).toHaveLength(1);
		expect(deadlines[0]!.datetype).toBe('date');
		expect(localDay(deadlines[0]!.start)).toBe(deadline.deadline);
		expect(reply.body).toContain(`DTSTART;VALUE=DATE:${deadline.deadline.replaceAll('-', '')}`);
		expect(urlOf(deadlines[0]!)).toBe(`${server.url}/acties`);

		const t150 = tableId(db, 'Top 150 Regio Voorbeeld');
		const meetings = db.prepare('select id, starts_at, location from meetings where case_table_id = ? order by starts_at').all(t150) as { id: number; starts_at: string; location: string }[];
		expect(meetings).toHaveLength(3);
		const inFeed = list.filter((e) => e.summary === 'Top 150 Regio Voorbeeld').sort((a, b) => a.start.getTime() - b.start.getTime());
		expect(inFeed.map((e) => e.start.toISOString())).toEqual(meetings.map((m) => m.starts_at));
		for (const [i, e] of inFeed.entries()) {
			expect(e.location).toBe(meetings[i]!.location);
			expect(e.end.getTime() - e.start.getTime()).toBe(2 * 60 * 60 * 1000);
			expect(urlOf(e)).toBe(`${server.url}/overleg/${meetings[i]!.id}`);
		}
		// she is at no other table and regisseur of nothing; Fatima's two actions are not hers
		expect(list).toHaveLength(4);
	});

	it('The feed names no person and no action: lock screens and other services show it.', async () => {
		const text = (await fetchFeed(`/kalender/${token}`)).body;
		const actions = db.prepare('select text from action_rows').all() as { text: string }[];
		const people = db.prepare('select name from users union select subject_name from cases').all() as { name: string }[];
		// iCalendar folds long lines; unfold before looking
		const unfolded = text.replace(/\r\n[ \t]/g, '');
		for (const a of actions) expect(unfolded).not.toContain(a.text);
		for (const p of people) expect(unfolded).not.toContain(p.name);
		expect(unfolded).not.toContain('@casustafel.example');
		expect(unfolded).not.toContain('Rens');
	});

	it('Unknown and malformed secrets get a 404.', async () => {
		const unknown = Buffer.alloc(32, 7).toString('base64url');
		for (const path of [`/kalender/${unknown}.ics`, '/kalender/abc.ics', `/kalender/${token}x.ics`, `/kalender/${token.slice(1)}.ics`]) {
			expect((await fetchFeed(path)).status, path).toBe(404);
		}
	});

	it('Revoked, the feed is gone; a new one works and the old stays dead; making another revokes the previous.', async () => {
		await revokeFeed('waarnemer');
		expect((await fetchFeed(`/kalender/${token}.ics`)).status).toBe(404);
		const page = await request(server.url, '/account', { cookie: await as('waarnemer') });
		expect(page.body).toContain('U hebt nu geen kalenderlink.');
		expect(db.prepare("select count(*) as n from audit_log where action = 'calendar.feed.revoke'").get()).toEqual({ n: 1 });

		const second = await createFeed('waarnemer');
		expect(second).not.toBe(token);
		expect((await fetchFeed(`/kalender/${second}.ics`)).status).toBe(200);
		expect((await fetchFeed(`/kalender/${token}.ics`)).status).toBe(404);

		const third = await createFeed('waarnemer');
		expect((await fetchFeed(`/kalender/${third}.ics`)).status).toBe(200);
		expect((await fetchFeed(`/kalender/${second}.ics`)).status).toBe(404);
		const lotte = user(db, demoEmail('waarnemer'));
		expect(db.prepare('select count(*) as n from calendar_feeds where user_id = ? and revoked_at is null').get(lotte.id)).toEqual({ n: 1 });
		token = third;
	});

	it('When her organisation loses access to the case, the deadline leaves her calendar.', async () => {
		const withdraw = await request(server.url, `/casus/${t014}?/withdraw`, {
			form: { organisationId: organisationId(db, 'GGZ Voorbeeld') },
			cookie: await as('voorzitter')
		});
		expect(withdraw.status).toBe(200);
		const list = events((await fetchFeed(`/kalender/${token}.ics`)).body);
		expect(list.filter((e) => e.summary.startsWith('Actie-deadline'))).toEqual([]);
		expect(list.filter((e) => e.summary === 'Top 150 Regio Voorbeeld')).toHaveLength(3);
	});
});

describe('the calendar feed of a casusregisseur', () => {
	it('Linda sees the review date of the MDA++ household she is casusregisseur of, and her tables’ meetings.', async () => {
		const token = await createFeed('linda');
		const list = events((await fetchFeed(`/kalender/${token}.ics`)).body);
		const mda = caseId(db, 'MDA-2026-001');
		const review = db.prepare('select review_date from cases where id = ?').get(mda) as { review_date: string };
		const reviews = list.filter((e) => e.summary === 'Tussentijds toetsen MDA-2026-001');
		expect(reviews).toHaveLength(1);
		expect(reviews[0]!.datetype).toBe('date');
		expect(localDay(reviews[0]!.start)).toBe(review.review_date);
		expect(urlOf(reviews[0]!)).toBe(`${server.url}/casus/${mda}`);
		expect(list.filter((e) => e.summary === 'MDA++ Regio Voorbeeld')).toHaveLength(1);
		expect(list.filter((e) => e.summary === 'Tussen Wal en Schip Regio Voorbeeld')).toHaveLength(1);
		expect(list.filter((e) => e.summary === 'Top 150 Regio Voorbeeld')).toHaveLength(0);
	});

	it('A blocked account’s feed stops at once.', async () => {
		const token = await createFeed('linda');
		expect((await fetchFeed(`/kalender/${token}.ics`)).status).toBe(200);
		const linda = user(db, demoEmail('linda'));
		const blocked = await request(server.url, '/beheer/gebruikers?/block', { form: { userId: linda.id }, cookie: await as('beheerder') });
		expect(blocked.status).toBe(200);
		expect((await fetchFeed(`/kalender/${token}.ics`)).status).toBe(404);
	});

	it('Creating or revoking a feed needs a session.', async () => {
		for (const action of ['calendarCreate', 'calendarRevoke']) {
			const reply = await request(server.url, `/account?/${action}`, { form: {}, cookie: null });
			expect(reply.status).toBe(303);
			expect(reply.location).toMatch(/^\/login\?terug=/);
		}
	});
});
