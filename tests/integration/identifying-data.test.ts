import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { formatDate } from '../../src/lib/shared/format';
import type { JoinResult } from '../../src/lib/shared/live';
import { caseId, openShared, tableId, type SharedDb } from './helpers/db';
import { docxText, pdfText } from './helpers/exports';
import { connectDoc, connectLive, emitAck, liveConnected, waitFor } from './helpers/realtime';
import { demoLogins, request, startServer, type Reply, type TestServer } from './helpers/server';

/**
 * Identifying data by role (issue 13, item 3): who sees the subject's name and birthdate is a
 * setting per table type, applied by one policy function on every transport. Real server, real
 * HTTP with the demo roles' sessions, real socket.io and Yjs clients.
 *
 * Top 150 keeps the default (voorzitter, secretaris, procesregisseur, casusregisseur):
 *   V voorzitter, S secretaris (procesregisseur of T150-2026-014), D deelnemer (Sociaal Team,
 *   casusregisseur of T150-2026-014), G geen-toegang (police, deelnemer WITH access to
 *   T150-2026-015, no regie; submitted the request for "Rik Verzinsel"), W waarnemer (GGZ,
 *   access to T150-2026-014, no regie), B beheerder.
 * The Jeugdbeschermingstafel also lets its deelnemers with access see them (seeded default).
 */
let server: TestServer;
let db: SharedDb;
const as = demoLogins(() => server);

interface Subject {
	code: string | null;
	name: string;
	/** parts of the name that identify on their own */
	parts: string[];
	birthdate: string | null;
}
const SUBJECTS: Record<string, Subject> = {
	rens: { code: 'T150-2026-014', name: 'Rens Verzonnen', parts: ['Verzonnen'], birthdate: '2004-03-12' },
	karin: { code: 'T150-2026-015', name: 'Karin Bedacht', parts: ['Bedacht'], birthdate: '1988-09-30' },
	jamal: { code: 'T150-2026-016', name: 'Jamal Fictief', parts: ['Fictief'], birthdate: '2001-01-05' },
	voorbeeldstra: { code: 'JBT-2026-007', name: 'Gezin Voorbeeldstra', parts: ['Voorbeeldstra'], birthdate: null },
	rik: { code: null, name: 'Rik Verzinsel', parts: ['Verzinsel'], birthdate: '1999-04-18' }
};
type Who = 'voorzitter' | 'secretaris' | 'deelnemer' | 'geen-toegang' | 'waarnemer' | 'beheerder';
const EVERYONE: Who[] = ['voorzitter', 'secretaris', 'deelnemer', 'geen-toegang', 'waarnemer', 'beheerder'];

/** Every way a birthdate can be written on a page or in a file. */
function birthdateForms(iso: string): string[] {
	const [y, m, d] = iso.split('-');
	return [iso, `${d}-${m}-${y}`, `${d}/${m}/${y}`, formatDate(iso)];
}
/** The names and birthdates of these subjects that occur in `text`. */
function identifiersIn(text: string, subjects: Subject[] = Object.values(SUBJECTS)): string[] {
	const found: string[] = [];
	for (const s of subjects) {
		for (const needle of [s.name, ...s.parts, ...(s.birthdate ? birthdateForms(s.birthdate) : [])]) {
			if (text.includes(needle)) found.push(needle);
		}
	}
	return found;
}
const subjectsSeenIn = (text: string) => Object.entries(SUBJECTS).filter(([, s]) => identifiersIn(text, [s]).length > 0).map(([k]) => k).sort();

const ids = { t150: 0, t150Type: 0, jbt: 0, c014: 0, c015: 0, c016: 0, cJbt: 0, planned: 0, past: 0, rik: 0 };

const get = async (who: Who | null, path: string): Promise<Reply> => request(server.url, path, { cookie: who ? await as(who) : null });
async function download(who: Who, path: string): Promise<{ status: number; body: Buffer }> {
	const response = await fetch(new URL(path, server.url), { headers: { cookie: await as(who) }, redirect: 'manual' });
	return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
}

/** A page as a browser loads it and as client navigation loads it (__data.json). */
async function pageAndData(who: Who, path: string): Promise<{ html: Reply; data: Reply }> {
	const [pathname, query = ''] = path.split('?');
	const dataPath = `${pathname === '/' ? '' : pathname}/__data.json${query ? `?${query}` : ''}`;
	const [html, data] = await Promise.all([get(who, path), get(who, dataPath)]);
	return { html, data };
}

/**
 * Opens a document as `who`; everything the server sent, as text (the strings of a Yjs update
 * are UTF-8 in its bytes, whatever root they sit in), or null when the server refuses it.
 */
async function docContent(who: Who, name: string): Promise<string | null> {
	const client = connectDoc(server.url, name, await as(who));
	try {
		const outcome = await Promise.race([
			client.synced.then(() => 'synced' as const),
			client.closed.then(() => 'closed' as const),
			new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5_000))
		]);
		return outcome === 'synced' ? Buffer.from(Y.encodeStateAsUpdate(client.doc)).toString('utf8') : null;
	} finally {
		client.destroy();
	}
}

async function joinMeeting(who: Who, meetingId: number): Promise<string> {
	const socket = connectLive(server.url, await as(who));
	try {
		await liveConnected(socket);
		return JSON.stringify(await emitAck<JoinResult>(socket, 'meeting:join', { meetingId }));
	} finally {
		socket.disconnect();
	}
}

async function calendarFeed(who: Who): Promise<string> {
	const created = await request(server.url, '/account?/calendarCreate', { form: {}, cookie: await as(who) });
	const token = /\/kalender\/([A-Za-z0-9_-]{43})\.ics/.exec(created.body)?.[1];
	if (!token) throw new Error(`no calendar feed for ${who}`);
	return (await get(null, `/kalender/${token}.ics`)).body;
}

/**
 * Everything that reaches `who` over every transport, by label: pages and their __data.json,
 * the JSON endpoint, verslag HTML/PDF/.docx of both meetings, the monitoring CSV, the calendar
 * feed, notifications, the socket.io join answer, and the documents the server lets them open.
 */
async function everything(who: Who): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	const pages = [
		'/',
		'/acties',
		'/meldingen',
		'/aanmelden',
		`/aanmelden?tafel=${ids.t150}`,
		`/aanmelden/${ids.rik}`,
		`/tafels/${ids.t150}`,
		`/tafels/${ids.t150}/triage`,
		`/tafels/${ids.t150}/monitoring`,
		`/tafels/${ids.t150}/besluiten`,
		`/tafels/${ids.jbt}`,
		`/tafels/${ids.jbt}/besluiten`,
		`/casus/${ids.c014}`,
		`/casus/${ids.c015}`,
		`/casus/${ids.c016}`,
		`/casus/${ids.cJbt}`,
		`/casus/${ids.c014}/inzage`,
		`/overleg/${ids.planned}`,
		`/overleg/${ids.planned}/scherm`,
		`/overleg/${ids.planned}/verslag`,
		`/overleg/${ids.past}`,
		`/overleg/${ids.past}/scherm`,
		`/overleg/${ids.past}/verslag`,
		'/beheer',
		'/beheer/bewaartermijnen',
		'/beheer/audit',
		`/beheer/tafeltypes/${ids.t150Type}`
	];
	await Promise.all(
		pages.map(async (path) => {
			const { html, data } = await pageAndData(who, path);
			out[`${path} (HTML)`] = html.body;
			out[`${path} (__data.json)`] = data.body;
		})
	);
	for (const c of [ids.c014, ids.c015, ids.c016]) out[`/api/casus/${c}`] = (await get(who, `/api/casus/${c}`)).body;
	for (const m of [ids.planned, ids.past]) {
		const pdf = await download(who, `/overleg/${m}/verslag/verslag.pdf`);
		out[`verslag ${m} PDF`] = pdf.status === 200 ? await pdfText(pdf.body) : pdf.body.toString('utf8');
		const docx = await download(who, `/overleg/${m}/verslag/verslag.docx`);
		out[`verslag ${m} docx`] = docx.status === 200 ? await docxText(docx.body) : docx.body.toString('utf8');
	}
	out['monitoring CSV'] = (await get(who, `/tafels/${ids.t150}/monitoring/cijfers.csv`)).body;
	// the case search by code (a search by name would echo the typed name back to its typist)
	out['case search T150 and JBT'] = (await get(who, '/zoeken?q=T150')).body + (await get(who, '/zoeken?q=JBT')).body;
	out['actions CSV (Top 150)'] = (await get(who, `/tafels/${ids.t150}/acties.csv`)).body;
	out['actions CSV (Mijn acties)'] = (await get(who, '/acties/acties.csv?status=alle')).body;
	out['calendar feed'] = await calendarFeed(who);
	out['socket.io meeting:join (planned)'] = await joinMeeting(who, ids.planned);
	out['socket.io meeting:join (past)'] = await joinMeeting(who, ids.past);
	for (const name of [`case:${ids.c014}`, `case:${ids.c015}`, `case:${ids.cJbt}`, `meeting:${ids.planned}`, `meeting:${ids.past}`]) {
		out[`document ${name}`] = (await docContent(who, name)) ?? '';
	}
	return out;
}

const EXPORTS = /PDF|docx|CSV|calendar/;
/** The help text under the Naam field of the aanmeld form, as the server rendered it. */
const nameHint = (html: string) => /<span class="hint" id="subjectName-hint">([^<]*)<\/span>/.exec(html)?.[1] ?? '';
const collected = new Map<Who, Record<string, string>>();

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	ids.t150 = tableId(db, 'Top 150 Regio Voorbeeld');
	ids.jbt = tableId(db, 'Jeugdbeschermingstafel Regio Voorbeeld');
	ids.t150Type = (db.prepare("select id from table_types where slug = 't150'").get() as { id: number }).id;
	ids.c014 = caseId(db, 'T150-2026-014');
	ids.c015 = caseId(db, 'T150-2026-015');
	ids.c016 = caseId(db, 'T150-2026-016');
	ids.cJbt = caseId(db, 'JBT-2026-007');
	const meeting = (status: string) =>
		(db.prepare('select id from meetings where case_table_id = ? and status = ? order by starts_at limit 1').get(ids.t150, status) as { id: number }).id;
	ids.planned = meeting('gepland');
	ids.past = meeting('gesloten');
	ids.rik = (db.prepare("select id from requests where subject_name = 'Rik Verzinsel'").get() as { id: number }).id;
	await Promise.all(EVERYONE.map(as));
	for (const who of EVERYONE) collected.set(who, await everything(who));
}, 120_000);

afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('the case page and its __data.json show the name and birthdate to the roles the table type names', () => {
	//  who            case                 identified  why
	const rows: [Who, keyof typeof SUBJECTS, boolean, string][] = [
		['voorzitter', 'rens', true, 'the voorzitter always'],
		['secretaris', 'rens', true, 'secretaris (and procesregisseur)'],
		['deelnemer', 'rens', true, 'the casusregisseur'],
		['waarnemer', 'rens', false, 'a waarnemer with access, no regie'],
		['voorzitter', 'karin', true, 'the voorzitter always'],
		['secretaris', 'karin', true, 'the secretaris'],
		['geen-toegang', 'karin', false, 'a deelnemer with access, no regie'],
		['deelnemer', 'voorbeeldstra', true, 'a deelnemer with access at the Jeugdbeschermingstafel, whose type names deelnemers']
	];
	it.each(rows)('%s on %s: identified %s (%s)', async (who, key, identified) => {
		const s = SUBJECTS[key]!;
		const id = { rens: ids.c014, karin: ids.c015, voorbeeldstra: ids.cJbt }[key as 'rens']!;
		const { html, data } = await pageAndData(who, `/casus/${id}`);
		expect(html.status).toBe(200);
		expect(html.body).toContain(s.code!);
		expect(data.body).toContain(s.code!);
		if (identified) {
			expect(html.body).toContain(s.name);
			expect(data.body).toContain(s.name);
			if (s.birthdate) {
				expect(html.body).toContain(formatDate(s.birthdate));
				expect(data.body).toContain(s.birthdate);
			}
		} else {
			expect(identifiersIn(html.body, [s])).toEqual([]);
			expect(identifiersIn(data.body, [s])).toEqual([]);
			const initials = s.name.split(' ').map((w) => `${w[0]}.`).join('');
			expect(html.body).toContain(initials);
			expect(data.body).toContain(initials);
			expect(html.body).toContain('Andere deelnemers zien de casuscode en de initialen.');
		}
	});
});

describe('over every transport, nobody receives a name or birthdate the rule does not give them', () => {
	// the subjects whose identifiers may reach each person anywhere, and no others
	const allowed: Record<Who, string[]> = {
		voorzitter: ['jamal', 'karin', 'rens', 'rik'], // chair of Top 150: the cases and the triage
		secretaris: ['jamal', 'karin', 'rens', 'rik'],
		deelnemer: ['rens', 'voorbeeldstra'], // casusregisseur of 014; a JBT deelnemer with access
		'geen-toegang': ['rik'], // only the request he typed himself
		waarnemer: [],
		beheerder: []
	};
	it.each(EVERYONE)('%s', (who) => {
		const all = collected.get(who)!;
		const leaks = Object.entries(all)
			.map(([label, text]) => [label, subjectsSeenIn(text).filter((k) => !allowed[who].includes(k))] as const)
			.filter(([, found]) => found.length > 0);
		expect(leaks).toEqual([]);
		// and the collection was not empty-handed: what they may see did reach them
		const seen = new Set(Object.values(all).flatMap((text) => subjectsSeenIn(text)));
		expect([...seen].sort()).toEqual(allowed[who]);
	});

	it('exports (verslag PDF and .docx, CSV, iCal) carry case codes but no name or birthdate, for every role', () => {
		for (const who of EVERYONE) {
			for (const [label, text] of Object.entries(collected.get(who)!)) {
				if (!EXPORTS.test(label)) continue;
				expect(identifiersIn(text), `${who}: ${label}`).toEqual([]);
			}
		}
		// the exports really held the cases: the chair's verslag of the past meeting names T150-2026-014
		const chair = collected.get('voorzitter')!;
		expect(chair[`verslag ${ids.past} PDF`]).toContain('T150-2026-014');
		expect(chair[`verslag ${ids.past} docx`]).toContain('T150-2026-014');
		expect(collected.get('deelnemer')![`verslag ${ids.past} PDF`]).toContain('T150-2026-014');
		expect(chair['calendar feed']).toContain('BEGIN:VCALENDAR');
	});

	it('the triage shows the voorzitter the name; the case and meeting documents hold no name field', () => {
		const chair = collected.get('voorzitter')!;
		expect(chair[`/tafels/${ids.t150}/triage (HTML)`]).toContain('Rik Verzinsel');
		expect(chair[`/tafels/${ids.t150}/triage (__data.json)`]).toContain('1999-04-18');
		// the documents: the chair opens them all, and none carries a subject's full name
		for (const name of [`case:${ids.c014}`, `case:${ids.c015}`, `meeting:${ids.planned}`, `meeting:${ids.past}`]) {
			expect(identifiersIn(chair[`document ${name}`]!), name).toEqual([]);
		}
		// they were really read: the seeded texts are there
		expect(chair[`document case:${ids.c014}`]).toContain('schuldhulp');
		expect(chair[`document meeting:${ids.past}`]).toContain('T150-2026-014');
	});
});

describe('the aanmeld form says what is true for the table type', () => {
	it('Top 150: the default; the Jeugdbeschermingstafel: with its deelnemers; the old promise is gone', async () => {
		const t150 = await get('geen-toegang', `/aanmelden?tafel=${ids.t150}`);
		expect(nameHint(t150.body)).toContain(
			'De naam en geboortedatum zien alleen: de voorzitter, de secretaris, de procesregisseur en de casusregisseur. Andere deelnemers zien de casuscode en de initialen.'
		);
		expect(t150.body).not.toContain('De naam ziet alleen de voorzitter');
		const jbt = await get('deelnemer', `/aanmelden?tafel=${ids.jbt}`);
		expect(nameHint(jbt.body)).toContain(
			'De naam en geboortedatum zien alleen: de voorzitter, de secretaris, de procesregisseur, de casusregisseur en deelnemers van organisaties met toegang. Andere deelnemers zien de casuscode en de initialen.'
		);
	});
});

describe('the beheer setting changes what each role sees, and only a beheerder may change it', () => {
	interface TypeRow {
		name: string;
		purpose: string;
		submitter_org_types: string;
		min_age: number | null;
		max_age: number | null;
		required_indication: string | null;
		caseload_cap: number | null;
		client_participation: string;
		child_min_age: number | null;
		output_template: string;
		subject_kind: string;
		leefgebieden: string;
		followup_months: number | null;
		retention_months: number;
		identity_roles: string;
		rule_basis: string;
	}
	const typeRow = () => db.prepare('select * from table_types where id = ?').get(ids.t150Type) as TypeRow;
	/** The edit form as the beheer page posts it, with these identity checkboxes ticked. */
	function formWith(identityRoles: string[]): string {
		const row = typeRow();
		const num = (n: number | null) => (n === null ? '' : String(n));
		const params = new URLSearchParams({
			name: row.name,
			purpose: row.purpose,
			minAge: num(row.min_age),
			maxAge: num(row.max_age),
			requiredIndication: row.required_indication ?? '',
			caseloadCap: num(row.caseload_cap),
			clientParticipation: row.client_participation,
			childMinAge: num(row.child_min_age),
			outputTemplate: row.output_template,
			subjectKind: row.subject_kind,
			leefgebieden: (JSON.parse(row.leefgebieden) as string[]).join('\n'),
			followupMonths: num(row.followup_months),
			retentionMonths: String(row.retention_months),
			ruleBasis: row.rule_basis
		});
		for (const t of JSON.parse(row.submitter_org_types) as string[]) params.append('submitterOrgTypes', t);
		for (const r of identityRoles) params.append('identityRoles', r);
		return params.toString();
	}
	const save = async (who: Who | null, identityRoles: string[]) =>
		request(server.url, `/beheer/tafeltypes/${ids.t150Type}`, {
			cookie: who ? await as(who) : null,
			accept: 'json',
			body: { contentType: 'application/x-www-form-urlencoded', data: formWith(identityRoles) }
		});
	const casePage = async (who: Who, id: number) => (await pageAndData(who, `/casus/${id}`)).data.body;

	it('no one but the beheerder can change it: 404 (or the login page), nothing changed', async () => {
		const before = JSON.stringify(typeRow());
		for (const who of ['voorzitter', 'secretaris', 'deelnemer', 'geen-toegang', 'waarnemer'] as Who[]) {
			const reply = await save(who, ['secretaris', 'deelnemer', 'waarnemer']);
			expect(reply.status, who).toBe(404);
			expect(JSON.stringify(typeRow()), who).toBe(before);
		}
		const anonymous = await save(null, ['deelnemer']);
		expect(JSON.parse(anonymous.body)).toMatchObject({ type: 'redirect', location: expect.stringMatching(/^\/login/) });
		expect(JSON.stringify(typeRow())).toBe(before);
		// and the deelnemer with access still does not see the name
		expect(identifiersIn(await casePage('geen-toegang', ids.c015), [SUBJECTS.karin!])).toEqual([]);
	});

	it('voorzitter and deelnemers only: the police deelnemer sees Karin Bedacht, the secretaris (procesregisseur) sees initials, also in the triage; back again', async () => {
		const saved = await save('beheerder', ['deelnemer']);
		expect(saved.status).toBe(200);
		expect(JSON.parse(saved.body)).toMatchObject({ type: 'success' });
		expect(JSON.parse(typeRow().identity_roles)).toEqual(['voorzitter', 'deelnemer']);
		const audit = db.prepare("select detail from audit_log where action = 'tabletype.update' order by id desc limit 1").get() as { detail: string };
		expect(JSON.parse(audit.detail)).toEqual({ tableTypeId: ids.t150Type, fields: ['identityRoles'] });

		const police = await casePage('geen-toegang', ids.c015);
		expect(police).toContain('Karin Bedacht');
		expect(police).toContain('1988-09-30');
		const secretaris = await casePage('secretaris', ids.c014);
		expect(identifiersIn(secretaris, [SUBJECTS.rens!])).toEqual([]);
		expect(secretaris).toContain('R.V.');
		const triage = await pageAndData('secretaris', `/tafels/${ids.t150}/triage`);
		expect(identifiersIn(triage.html.body + triage.data.body, [SUBJECTS.rik!])).toEqual([]);
		expect(triage.html.body).toContain('R.V.');
		// the waarnemer is still not named; the deelnemer (casusregisseur, and now as deelnemer) is
		expect(identifiersIn(await casePage('waarnemer', ids.c014), [SUBJECTS.rens!])).toEqual([]);
		expect(await casePage('deelnemer', ids.c014)).toContain('Rens Verzonnen');
		// the aanmeld form follows at once
		const form = await get('geen-toegang', `/aanmelden?tafel=${ids.t150}`);
		expect(nameHint(form.body)).toContain('De naam en geboortedatum zien alleen: de voorzitter en deelnemers van organisaties met toegang.');

		// back to the default: the police deelnemer sees the initials again
		expect((await save('beheerder', ['secretaris', 'procesregisseur', 'casusregisseur'])).status).toBe(200);
		await waitFor('the default to be stored', () => JSON.parse(typeRow().identity_roles).length === 4);
		const again = await casePage('geen-toegang', ids.c015);
		expect(identifiersIn(again, [SUBJECTS.karin!])).toEqual([]);
		expect(again).toContain('K.B.');
		expect(await casePage('secretaris', ids.c014)).toContain('Rens Verzonnen');
	});

	it('an unknown role in the form is refused with a Dutch message, nothing changed', async () => {
		const before = JSON.stringify(typeRow());
		const reply = await save('beheerder', ['deelnemer', 'iedereen']);
		expect(reply.status).toBe(200);
		const body = JSON.parse(reply.body) as { type: string; status: number; data: string };
		expect(body).toMatchObject({ type: 'failure', status: 400 });
		expect(body.data).toContain('Kies alleen rollen uit de lijst.');
		expect(JSON.stringify(typeRow())).toBe(before);
	});
});
