import ical, { type VEvent } from 'node-ical';
import * as Y from 'yjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addAction, agendaItemsOf, actionsOf, MAX_PROJECTED_ACTIONS, MAX_PROJECTED_AGENDA_ITEMS, readActions } from '../../src/lib/shared/documents';
import { spreadKeys } from '../../src/lib/shared/order-key';
import { caseId, firstMeeting, openShared, tableId, user, writeShared, type SharedDb } from './helpers/db';
import { waitFor } from './helpers/realtime';
import { clientPool } from './helpers/clients';
import { demoEmail, demoLogins, request, startServer, type TestServer } from './helpers/server';

/**
 * Issue 12, findings 6 and 7: what any writer of a case document can put in it must not break
 * what the server derives from it. A deadline that is no date ("2026-99-99", "2026-02-31", day
 * "00") is no deadline everywhere: the victim actiehouder's calendar feed keeps answering, Mijn
 * acties, reminders and the verslag do not show nonsense. A document with thousands of actions
 * or agenda items is projected (up to a cap) instead of throwing in SQLite. Real server, real
 * Yjs providers, the feed parsed with node-ical.
 */
let server: TestServer;
let db: SharedDb;
let t014: number;
const as = demoLogins(() => server);
const pool = clientPool(() => server, as);

/** Today's month with day 00: before today as text, but no date. */
const today = new Date().toISOString().slice(0, 10);
const DAY_ZERO = `${today.slice(0, 7)}-00`;
const NO_DATES = ['2026-99-99', '2026-02-31', DAY_ZERO];
const VALID = '2031-05-20';

beforeAll(async () => {
	// a reminder scan every 0.6 s, so a reminder that would be sent is seen quickly
	server = await startServer({ env: { REMINDER_INTERVAL_MINUTES: '0.01' } });
	db = openShared(server.dbFile);
	t014 = caseId(db, 'T150-2026-014');
	await waitFor('the seeded actions to be projected', () => (db.prepare('select count(*) as n from action_rows where case_id = ?').get(t014) as { n: number }).n === 3, 10_000, 50);
});
afterEach(() => pool.closeAll());
afterAll(async () => {
	db?.close();
	await server?.stop();
});

const rowsOf = (id: number) =>
	db.prepare('select action_id, deadline from action_rows where case_id = ? order by position').all(id) as { action_id: string; deadline: string }[];

describe('a deadline that is not a date, written by another member into the case document', () => {
	const ids: Record<string, string> = {};
	let feed: string;

	beforeAll(async () => {
		// the victim: Lotte (waarnemer, GGZ) makes her calendar link
		const made = await request(server.url, '/account?/calendarCreate', { form: {}, cookie: await as('waarnemer') });
		feed = /\/kalender\/([A-Za-z0-9_-]{43})\.ics/.exec(made.body)?.[1] ?? '';
		expect(feed).not.toBe('');
		// the writer: the chair, with a stock y-websocket client
		const chair = await pool.openDoc('voorzitter', `case:${t014}`);
		const lotte = user(db, demoEmail('waarnemer'));
		for (const [label, deadline] of [...NO_DATES.map((d) => [d, d]), ['valid', VALID]] as const) {
			ids[label] = addAction(chair.doc, {
				// the text does not repeat the deadline, so a page that shows it is caught
				text: `Actie met deadline nummer ${Object.keys(ids).length + 1}`,
				actiehouderId: lotte.id,
				actiehouderName: 'Lotte Jansen',
				organisationId: lotte.organisationId,
				organisationName: 'GGZ Voorbeeld',
				deadline,
				status: 'open',
				leefgebied: ''
			});
		}
		await waitFor('the new actions to be projected', () => rowsOf(t014).some((r) => r.action_id === ids.valid), 10_000, 50);
	});

	it('is projected as no deadline; a real date stays', () => {
		const rows = new Map(rowsOf(t014).map((r) => [r.action_id, r.deadline]));
		for (const d of NO_DATES) expect(rows.get(ids[d]!), d).toBe('');
		expect(rows.get(ids.valid!)).toBe(VALID);
	});

	it("the victim's calendar feed still answers, with her real deadlines and her meetings", async () => {
		const reply = await request(server.url, `/kalender/${feed}.ics`, { cookie: null });
		expect(reply.status).toBe(200);
		const events = Object.values(ical.sync.parseICS(reply.body)).filter((c): c is VEvent => c.type === 'VEVENT');
		const deadlines = events.filter((e) => e.summary === 'Actie-deadline T150-2026-014');
		// her seeded intake action and the valid one; none for the three non-dates
		expect(deadlines).toHaveLength(2);
		expect(reply.body).toContain(`DTSTART;VALUE=DATE:${VALID.replaceAll('-', '')}`);
		for (const d of NO_DATES) expect(reply.body).not.toContain(ids[d]!);
		expect(events.filter((e) => e.summary === 'Top 150 Regio Voorbeeld')).toHaveLength(3);
	});

	it('one row the calendar library refuses (a meeting time that is no time, written around the app) leaves out that event only', async () => {
		const t150 = tableId(db, 'Top 150 Regio Voorbeeld');
		writeShared(server.dbFile, "insert into meetings (case_table_id, starts_at, location, status, created_at) values (?, '9999-99-99T99:99:99Z', 'Nergens', 'gepland', '2026-01-01T00:00:00Z')", t150);
		try {
			const reply = await request(server.url, `/kalender/${feed}.ics`, { cookie: null });
			expect(reply.status).toBe(200);
			const events = Object.values(ical.sync.parseICS(reply.body)).filter((c): c is VEvent => c.type === 'VEVENT');
			expect(events.filter((e) => e.summary === 'Top 150 Regio Voorbeeld')).toHaveLength(3);
			expect(reply.body).not.toContain('Nergens');
		} finally {
			writeShared(server.dbFile, "delete from meetings where location = 'Nergens'");
		}
	});

	it('Mijn acties lists them under "Zonder deadline", not as late or later, and shows no NaN', async () => {
		const reply = await request(server.url, '/acties', { cookie: await as('waarnemer') });
		expect(reply.status).toBe(200);
		const section = (group: string) => {
			const start = reply.body.indexOf(`aria-labelledby="groep-${group}"`);
			return start < 0 ? '' : reply.body.slice(start, reply.body.indexOf('</section>', start));
		};
		for (const d of NO_DATES) {
			expect(section('zonder-deadline'), d).toContain(`data-action-id="${ids[d]}"`);
			expect(section('te-laat'), d).not.toContain(ids[d]!);
			expect(section('later'), d).not.toContain(ids[d]!);
		}
		expect(section('later')).toContain(`data-action-id="${ids.valid}"`);
		expect(reply.body).not.toContain('NaN');
		for (const d of NO_DATES) expect(reply.body).not.toContain(d);
	});

	it('no reminder is sent for them (no "over NaN dagen")', async () => {
		const lotte = user(db, demoEmail('waarnemer'));
		// her seeded overdue intake action gets its reminder: the scan has run
		await waitFor('a reminder scan', () => (db.prepare("select count(*) as n from notifications where user_id = ? and kind = 'action.overdue'").get(lotte.id) as { n: number }).n > 0, 10_000, 50);
		await new Promise((r) => setTimeout(r, 1_500));
		const notices = db.prepare("select text, dedupe_key from notifications where user_id = ? and kind in ('action.overdue', 'action.deadline_near')").all(lotte.id) as { text: string; dedupe_key: string }[];
		for (const n of notices) {
			expect(n.text).not.toContain('NaN');
			for (const d of NO_DATES) expect(n.dedupe_key).not.toContain(ids[d]!);
		}
	});

	it('the verslag of a meeting with the case says "geen" deadline, in the page and in both downloads', async () => {
		const meeting = { id: firstMeeting(db, 'Top 150 Regio Voorbeeld', 'gesloten') };
		const page = await request(server.url, `/overleg/${meeting.id}/verslag`, { cookie: await as('voorzitter') });
		expect(page.status).toBe(200);
		expect(page.body).toContain('Actie met deadline nummer 1');
		for (const d of NO_DATES) expect(page.body).not.toContain(d);
		expect(page.body).not.toContain('NaN');
		for (const format of ['pdf', 'docx']) {
			const file = await fetch(`${server.url}/overleg/${meeting.id}/verslag/verslag.${format}`, { headers: { cookie: await as('voorzitter') } });
			expect(file.status, format).toBe(200);
		}
	});
});

describe('a case document with more actions than SQLite binds in one statement', () => {
	it(`3,500 actions are projected (the first ${MAX_PROJECTED_ACTIONS}), and other cases keep being projected`, async () => {
		const t015 = caseId(db, 'T150-2026-015');
		const writer = await pool.openDoc('voorzitter', `case:${t015}`);
		// in transactions of 250, so each update stays within the per-update limits
		for (let batch = 0; batch < 14; batch++) {
			writer.doc.transact(() => {
				for (let i = 0; i < 250; i++) {
					addAction(writer.doc, {
						text: `Massa-actie ${batch * 250 + i}`,
						actiehouderId: null,
						actiehouderName: '',
						organisationId: null,
						organisationName: '',
						deadline: '',
						status: 'open',
						leefgebied: ''
					});
				}
			});
		}
		expect(actionsOf(writer.doc).length).toBeGreaterThanOrEqual(3_500);
		const first = readActions(writer.doc).slice(0, MAX_PROJECTED_ACTIONS).map((a) => a.id);
		await waitFor(
			'the first actions to be projected',
			() => {
				expect(rowsOf(t015).map((r) => r.action_id)).toEqual(first);
				return true;
			},
			30_000,
			200
		);

		// the projection still works for another case afterwards
		const other = await pool.openDoc('voorzitter', `case:${t014}`);
		const id = addAction(other.doc, { text: 'Daarna nog een', actiehouderId: null, actiehouderName: '', organisationId: null, organisationName: '', deadline: '', status: 'open', leefgebied: '' });
		await waitFor('the next case to be projected', () => rowsOf(t014).some((r) => r.action_id === id), 10_000, 50);
	}, 60_000);

	it(`a meeting document with 4,500 agenda items is projected (the first ${MAX_PROJECTED_AGENDA_ITEMS})`, async () => {
		const meeting = { id: firstMeeting(db, 'Top 150 Regio Voorbeeld') };
		const chair = await pool.openDoc('voorzitter', `meeting:${meeting.id}`);
		// written as a client can: item maps with spread order keys after the existing items
		const keys = spreadKeys(4_500).map((k) => `z${k}`);
		for (let batch = 0; batch < 18; batch++) {
			chair.doc.transact(() => {
				for (let i = 0; i < 250; i++) {
					const n = batch * 250 + i;
					const item = new Y.Map<unknown>();
					for (const [k, v] of Object.entries({ caseId: null, caseCode: null, title: `Punt ${n}`, plannedMinutes: 5, status: 'gepland', order: keys[n]! })) item.set(k, v);
					agendaItemsOf(chair.doc).set(`massa${n}`, item);
				}
			});
		}
		expect(agendaItemsOf(chair.doc).size).toBeGreaterThanOrEqual(4_500);
		await waitFor(
			'the agenda to be projected up to the cap',
			() => (db.prepare('select count(*) as n from agenda_rows where meeting_id = ?').get(meeting.id) as { n: number }).n === MAX_PROJECTED_AGENDA_ITEMS,
			30_000,
			200
		);
	}, 60_000);
});
