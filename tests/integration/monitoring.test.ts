import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, caseIdOf, createTestContext, email, organisationIdOf, type TestContext } from './helpers/context';
import { caseId, openShared, tableId, type SharedDb } from './helpers/db';
import { demoLogins, request, startServer, type TestServer } from './helpers/server';
import { figureList, figuresCsv, tableFigures } from '../../src/lib/server/monitoring/index';

/**
 * Monitoring per table over HTTP against the real server: the Top 150 chair sees the demo
 * table's figures, the CSV holds exactly the page's figures, nobody else gets anything but a
 * 404 (the beheerder gets the region overview instead), and neither page nor CSV names a
 * person, a subject or a case. Evaluation notes: written and read by the chair only.
 * In-process tests below check the computations that the demo data does not reach.
 */
let server: TestServer;
let db: SharedDb;
let t150: number;
let mda: number;

const as = demoLogins(() => server);
const NOT_FOUND_TEXT = 'Deze pagina bestaat niet of u hebt er geen toegang toe.';
const page = async (who: string | null, path: string) => request(server.url, path, { cookie: who ? await as(who) : null });

const decode = (s: string) =>
	s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');

/** The figures a page shows: every `data-figure="section|label"` cell and its text. */
function pageFigures(html: string): Map<string, string> {
	const out = new Map<string, string>();
	for (const m of html.matchAll(/data-figure="([^"]*)"[^>]*>([^<]*)</g)) {
		const key = decode(m[1]!);
		expect(out.has(key), `figure ${key} twice on the page`).toBe(false);
		out.set(key, decode(m[2]!).trim());
	}
	return out;
}

/** A `;`-separated CSV with "…" quoting into rows of fields. */
function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	for (let i = 0; i < text.length; i++) {
		const c = text[i]!;
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				field += '"';
				i++;
			} else if (c === '"') quoted = false;
			else field += c;
		} else if (c === '"') quoted = true;
		else if (c === ';') {
			row.push(field);
			field = '';
		} else if (c === '\r' && text[i + 1] === '\n') {
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
			i++;
		} else field += c;
	}
	if (field !== '' || row.length > 0) rows.push([...row, field]);
	return rows;
}

/** The page's own content, without the header that greets the logged-in user by name. */
const mainOf = (html: string) => {
	const start = html.indexOf('<main');
	const end = html.indexOf('</main>');
	expect(start, 'page has a <main>').toBeGreaterThan(-1);
	return html.slice(start, end);
};

/** Every name of a person, every subject and every case code in the demo region. */
function forbiddenWords(): string[] {
	const names = db.prepare('select name from users').all() as { name: string }[];
	const subjects = db.prepare('select subject_name as name from cases union select subject_name from requests').all() as { name: string }[];
	const codes = db.prepare('select code as name from cases').all() as { name: string }[];
	const firstNames = names.map((n) => n.name.split(' ')[0]!);
	return [...names, ...subjects, ...codes].map((n) => n.name).concat(firstNames, ['Rens', 'Verzonnen']);
}

function expectNoNames(text: string, where: string) {
	for (const word of forbiddenWords()) {
		const asWord = new RegExp(`(^|[^\\p{L}])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}])`, 'u');
		expect(asWord.test(text), `${where} mentions ${word}`).toBe(false);
	}
}

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
	t150 = tableId(db, 'Top 150 Regio Voorbeeld');
	mda = tableId(db, 'MDA++ Regio Voorbeeld');
	// the projection writes the seeded document's three actions shortly after start-up
	const t014 = caseId(db, 'T150-2026-014');
	await waitFor(() => (db.prepare('select count(*) as n from action_rows where case_id = ?').get(t014) as { n: number }).n === 3, 'the projected actions');
	await Promise.all(['voorzitter', 'secretaris', 'deelnemer', 'waarnemer', 'geen-toegang', 'tom', 'mehmet', 'beheerder'].map(as));
});

afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('the Top 150 chair sees the demo table in counts', () => {
	const expected: Record<string, string> = {
		'Caseload|Lopende casussen': '3',
		'Caseload|Plafond': '150',
		'Casussen per status|Aangemeld': '1',
		'Casussen per status|Gepland': '0',
		'Casussen per status|Besproken': '1',
		'Casussen per status|In uitvoering': '1',
		'Casussen per status|Monitoring': '0',
		'Casussen per status|Afgesloten': '0',
		// no case at the demo table came in through the triage yet
		'Van aanmelding tot eerste bespreking|Aanmeldingen besproken': '0',
		'Van aanmelding tot eerste bespreking|Mediaan in dagen': 'n.v.t.',
		'Van aanmelding tot eerste bespreking|Geaccepteerd, nog niet besproken': '0',
		// T150-2026-014: Fatima (Sociaal Team) one bezig and one gedaan, Lotte (GGZ) one open and 3 days late
		'Acties per organisatie|GGZ Voorbeeld: open': '1',
		'Acties per organisatie|GGZ Voorbeeld: te laat': '1',
		'Acties per organisatie|GGZ Voorbeeld: gedaan': '0',
		'Acties per organisatie|Sociaal Team Voorbeeld: open': '1',
		'Acties per organisatie|Sociaal Team Voorbeeld: te laat': '0',
		'Acties per organisatie|Sociaal Team Voorbeeld: gedaan': '1',
		// deelnemer@ is casusregisseur of T150-2026-014 only
		'Casusregie|Lopende casussen': '3',
		'Casusregie|Met een casusregisseur': '1',
		'Casusregie|Aandeel met casusregisseur (%)': '33',
		'Terugval in de afgelopen 12 maanden|Aanmeldingen met mogelijke terugval': '0',
		'Terugval in de afgelopen 12 maanden|Casussen die terugkwamen na een eerdere casus': '0',
		'Tussentijds toetsen|Casussen in monitoring': '0',
		'Tussentijds toetsen|Toetsdatum verstreken': '0',
		'Escalaties|Lopend': '0',
		'Escalaties|Afgerond': '0'
	};

	it('The voorzitter sees every figure of the seeded table on the page.', async () => {
		const reply = await page('voorzitter', `/tafels/${t150}/monitoring`);
		expect(reply.status).toBe(200);
		expect(Object.fromEntries(pageFigures(reply.body))).toEqual(expected);
		const main = mainOf(reply.body);
		expect(main).toContain('Monitoring Top 150 Regio Voorbeeld');
		// charts are drawn in the browser; their numbers are also in words for everyone
		expect(main).toContain('3 lopende casussen van een plafond van 150.');
		expect(main).toContain('1 van de 3 lopende casussen heeft een actieve casusregisseur (33%).');
		expect(main).toContain('2 acties staan open, waarvan 1 te laat; 1 gedaan.');
		expect(main).toContain(`href="/tafels/${t150}/monitoring/cijfers.csv"`);
	});

	it('The secretaris sees the same figures.', async () => {
		const reply = await page('secretaris', `/tafels/${t150}/monitoring`);
		expect(reply.status).toBe(200);
		expect(Object.fromEntries(pageFigures(reply.body))).toEqual(expected);
	});

	it('The CSV holds exactly the figures of the page: Dutch headers, `;`, UTF-8 with BOM, as a download.', async () => {
		const [html, csv] = await Promise.all([page('voorzitter', `/tafels/${t150}/monitoring`), page('voorzitter', `/tafels/${t150}/monitoring/cijfers.csv`)]);
		expect(csv.status).toBe(200);
		expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="monitoring-T150-\d{4}-\d{2}-\d{2}\.csv"$/);
		expect(csv.headers.get('cache-control')).toBe('no-store');
		// the BOM, as bytes: a text decoder drops it
		const raw = await fetch(new URL(`/tafels/${t150}/monitoring/cijfers.csv`, server.url), { headers: { cookie: await as('voorzitter') } });
		const bytes = new Uint8Array(await raw.arrayBuffer());
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		expect(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).slice(1)).toBe(csv.body);
		const rows = parseCsv(csv.body);
		expect(rows[0]).toEqual(['Onderdeel', 'Omschrijving', 'Waarde']);
		for (const row of rows) expect(row).toHaveLength(3);
		const fromCsv = new Map(rows.slice(1).map(([section, label, value]) => [`${section}|${label}`, value!]));
		expect(fromCsv.size).toBe(rows.length - 1);
		expect(Object.fromEntries(fromCsv)).toEqual(Object.fromEntries(pageFigures(html.body)));
	});

	it('Neither the page nor the CSV nor the region overview names a person, a subject or a case.', async () => {
		const [html, csv, region] = await Promise.all([
			page('voorzitter', `/tafels/${t150}/monitoring`),
			page('voorzitter', `/tafels/${t150}/monitoring/cijfers.csv`),
			page('beheerder', '/monitoring')
		]);
		expect(forbiddenWords()).toContain('Lotte Jansen');
		expect(forbiddenWords()).toContain('Rens Verzonnen');
		expectNoNames(mainOf(html.body), 'the monitoring page');
		expectNoNames(csv.body, 'the CSV');
		expectNoNames(mainOf(region.body), 'the region overview');
		// nor an action's text
		expect(html.body).not.toContain('Intake verslavingszorg');
		expect(csv.body).not.toContain('Intake verslavingszorg');
	});

	it('The table page links the chair to the monitoring; members who are not chair see no link.', async () => {
		expect((await page('voorzitter', `/tafels/${t150}`)).body).toContain(`href="/tafels/${t150}/monitoring"`);
		expect((await page('deelnemer', `/tafels/${t150}`)).body).not.toContain(`/monitoring"`);
		expect((await page('waarnemer', `/tafels/${t150}`)).body).not.toContain(`/monitoring"`);
	});

	it('A figure follows the table: an escalation raised on a case shows as lopend.', async () => {
		const t015 = caseId(db, 'T150-2026-015');
		const raised = await request(server.url, `/casus/${t015}?/escalate`, {
			form: { reason: 'Verslavingszorg heeft een wachtlijst van een half jaar.', escalatedTo: 'Toetsingscommissie' },
			cookie: await as('voorzitter')
		});
		expect(raised.status).toBe(200);
		const figures = pageFigures((await page('voorzitter', `/tafels/${t150}/monitoring`)).body);
		expect(figures.get('Escalaties|Lopend')).toBe('1');
		expect(figures.get('Escalaties|Afgerond')).toBe('0');
	});
});

describe('who may see the monitoring of a table', () => {
	const refused = [
		['deelnemer', 'deelnemer of the table'],
		['geen-toegang', 'deelnemer without case access'],
		['tom', 'deelnemer'],
		['waarnemer', 'waarnemer'],
		['mehmet', 'voorzitter of other tables'],
		['beheerder', 'beheerder, not a member']
	] as const;

	it('Everyone but the chair gets the same 404 for the page and the CSV, as for a table that does not exist.', async () => {
		for (const [who, why] of refused) {
			for (const path of [`/tafels/${t150}/monitoring`, `/tafels/${t150}/monitoring/cijfers.csv`]) {
				const reply = await page(who, path);
				expect(reply.status, `${who} (${why}) on ${path}`).toBe(404);
				expect(reply.body).not.toContain('Lopende casussen');
			}
		}
		const missing = await page('voorzitter', '/tafels/999999/monitoring');
		expect(missing.status).toBe(404);
		expect(missing.body).toContain(NOT_FOUND_TEXT);
		expect((await page('voorzitter', '/tafels/abc/monitoring/cijfers.csv')).status).toBe(404);
	});

	it('Without a session the page and the CSV send you to the login page.', async () => {
		for (const path of [`/tafels/${t150}/monitoring`, `/tafels/${t150}/monitoring/cijfers.csv`, '/monitoring']) {
			const reply = await page(null, path);
			expect(reply.status).toBe(303);
			expect(reply.location).toBe(`/login?terug=${encodeURIComponent(path)}`);
		}
	});

	it('The region overview: every table for the beheerder, the own tables for a chair, 404 for others.', async () => {
		const beheerder = await page('beheerder', '/monitoring');
		expect(beheerder.status).toBe(200);
		const tables = db.prepare('select id, name from case_tables order by name').all() as { id: number; name: string }[];
		for (const t of tables) expect(beheerder.body).toContain(t.name);
		// headline figures only: the beheerder is not sent to a table's own monitoring page
		expect(beheerder.body).not.toMatch(/href="\/tafels\/\d+\/monitoring"/);

		const voorzitter = await page('voorzitter', '/monitoring');
		expect(voorzitter.status).toBe(200);
		expect(voorzitter.body).toContain(`href="/tafels/${t150}/monitoring"`);
		expect(voorzitter.body).toContain(`href="/tafels/${mda}/monitoring"`);
		expect(voorzitter.body).not.toContain('Overleg Passende Hulp');
		expect(voorzitter.body).not.toContain('Jeugdbeschermingstafel');

		const mehmet = await page('mehmet', '/monitoring');
		expect(mehmet.status).toBe(200);
		expect(mehmet.body).toContain('Overleg Passende Hulp Regio Voorbeeld');
		expect(mehmet.body).toContain('Tussen Wal en Schip Regio Voorbeeld');
		expect(mehmet.body).not.toContain('Top 150 Regio Voorbeeld');

		for (const who of ['deelnemer', 'waarnemer', 'geen-toegang', 'tom']) {
			const reply = await page(who, '/monitoring');
			expect(reply.status, who).toBe(404);
		}
	});
});

describe('evaluation notes: tellen en vertellen', () => {
	const post = async (who: string, form: Record<string, string>, accept: 'html' | 'json' = 'html') =>
		request(server.url, `/tafels/${t150}/monitoring?/evaluate`, { form, cookie: await as(who), accept });
	const notes = () => db.prepare('select period, text, author_id from table_evaluations where case_table_id = ? order by id').all(t150) as { period: string; text: string; author_id: number }[];

	it('A note that is too short is refused at its field, and what was typed stays.', async () => {
		const reply = await post('voorzitter', { period: '2026 Q1', text: 'Kort.' });
		expect(reply.status).toBe(400);
		expect(reply.body).toContain('Schrijf minstens 10 tekens.');
		expect(reply.body).toContain('Kort.</textarea>');
		expect(reply.body).toContain('value="2026 Q1"');
		const long = await post('voorzitter', { period: '2026 Q1', text: 'x'.repeat(4001) });
		expect(long.status).toBe(400);
		expect(long.body).toContain('Gebruik hoogstens 4000 tekens.');
		expect(notes()).toEqual([]);
	});

	it('The voorzitter and the secretaris write notes; the page shows them newest first, with a role but no name.', async () => {
		const first = await post('voorzitter', { period: '2026 Q1', text: 'Straf en zorg lopen goed samen; de wachtlijst voor verslavingszorg remt.' });
		expect(first.status).toBe(200);
		const second = await post('secretaris', { period: '2026 Q2', text: 'Meer casussen met een casusregisseur sinds de afspraak in maart.' }, 'json');
		expect(JSON.parse(second.body).type).toBe('success');
		expect(notes().map((n) => n.period)).toEqual(['2026 Q1', '2026 Q2']);

		const html = (await page('voorzitter', `/tafels/${t150}/monitoring`)).body;
		const q2 = html.indexOf('Meer casussen met een casusregisseur');
		const q1 = html.indexOf('Straf en zorg lopen goed samen');
		expect(q2).toBeGreaterThan(-1);
		expect(q1).toBeGreaterThan(q2);
		expect(html).toContain('door de secretaris');
		expect(html).toContain('door de voorzitter');
		expectNoNames(mainOf(html), 'the monitoring page with notes');

		const audit = db.prepare("select user_id, detail from audit_log where action = 'table.evaluation' order by id").all() as { user_id: number; detail: string }[];
		expect(audit).toHaveLength(2);
		expect(JSON.parse(audit[0]!.detail)).toMatchObject({ tableId: t150, period: '2026 Q1' });
		// the audit log records that a note was written, not what it says
		expect(audit[0]!.detail).not.toContain('Straf en zorg');
	});

	it('Nobody else may write a note, and nobody else reads one.', async () => {
		const before = notes().length;
		for (const who of ['deelnemer', 'waarnemer', 'geen-toegang', 'mehmet', 'beheerder']) {
			const reply = await post(who, { period: '2026 Q3', text: 'Een evaluatie van iemand die dat niet mag.' });
			expect(reply.status, who).toBe(404);
			const json = await post(who, { period: '2026 Q3', text: 'Een evaluatie van iemand die dat niet mag.' }, 'json');
			expect(JSON.parse(json.body).status ?? json.status, who).toBe(404);
		}
		expect(notes()).toHaveLength(before);
		expect((await page('beheerder', '/monitoring')).body).not.toContain('Straf en zorg');
	});
});

describe('the computations, in-process with a clock', () => {
	let t: TestContext;
	let tableIdValue: number;

	beforeAll(async () => {
		// 23:30 UTC on 2 March is already 3 March in the Netherlands
		t = await createTestContext(new Date('2026-03-02T23:30:00Z'));
		const row = await t.ctx.db.selectFrom('case_tables').select('id').where('name', '=', 'Top 150 Regio Voorbeeld').executeTakeFirstOrThrow();
		tableIdValue = row.id;
	});
	afterAll(async () => {
		await t?.close();
	});

	it('Time from aanmelding to the first bespreking after it: median and count; an accepted one not yet discussed waits.', async () => {
		const { db: kdb } = t.ctx;
		const voorzitter = await actorFor(t.ctx, email('voorzitter'));
		const t015 = await caseIdOf(t.ctx, 'T150-2026-015');
		const t016 = await caseIdOf(t.ctx, 'T150-2026-016');
		const t014 = await caseIdOf(t.ctx, 'T150-2026-014');
		const politie = await organisationIdOf(t.ctx, 'Politie Eenheid Voorbeeld');
		const meeting = await kdb.selectFrom('meetings').select('id').where('case_table_id', '=', tableIdValue).executeTakeFirstOrThrow();
		const request = (caseIdValue: number | null, createdAt: string, relapse: number | null = null) =>
			kdb
				.insertInto('requests')
				.values({
					case_table_id: tableIdValue, organisation_id: politie, submitted_by: voorzitter.userId, subject_kind: 'persoon', subject_name: 'Test Persoon',
					subject_birthdate: null, has_indication: 0, reason: 'r', question: 'q', invite_org_ids: '[]', legal_frame: 'strafrecht', consent_note: '',
					status: caseIdValue === null ? 'afgewezen' : 'geaccepteerd', case_id: caseIdValue, relapse_case_id: relapse, created_at: createdAt, updated_at: createdAt
				})
				.execute();
		const closure = (caseIdValue: number, at: string, item: string) =>
			kdb.insertInto('item_closures').values({ meeting_id: meeting.id, item_id: item, case_id: caseIdValue, closed_by: voorzitter.userId, closed_at: at, template_missing: '[]' }).execute();
		// 015: aanmelding 1 Feb, discussed 11 Feb and again 20 Feb → 10 days
		await request(t015, '2026-02-01T09:00:00.000Z');
		await closure(t015, '2026-02-11T09:00:00.000Z', 'a');
		await closure(t015, '2026-02-20T09:00:00.000Z', 'b');
		// 016: aanmelding 10 Feb, discussed 15 Feb → 5 days
		await request(t016, '2026-02-10T09:00:00.000Z');
		await closure(t016, '2026-02-15T09:00:00.000Z', 'c');
		// 014 came back (terugval): its earlier bespreking in the seed was before this aanmelding, none since
		await request(t014, '2026-03-01T09:00:00.000Z', t015);
		// an old terugval, outside the twelve months, declined at the time
		await request(null, '2024-12-01T09:00:00.000Z', t015);

		const f = await tableFigures(t.ctx, voorzitter, tableIdValue);
		expect(f.today).toBe('2026-03-03');
		expect(f.firstBespreking).toEqual({ count: 2, medianDays: 7.5, waiting: 1 });
		expect(f.terugval).toEqual({ months: 12, requests: 1, cases: 0 });
		const list = figureList(f);
		expect(list.find((x) => x.label === 'Mediaan in dagen')?.value).toBe('7,5');
	});

	it('Overdue is a deadline before today in the Netherlands for open and bezig; vervallen counts nowhere.', async () => {
		const { db: kdb } = t.ctx;
		const voorzitter = await actorFor(t.ctx, email('voorzitter'));
		const t015 = await caseIdOf(t.ctx, 'T150-2026-015');
		const ggz = await organisationIdOf(t.ctx, 'GGZ Voorbeeld');
		await kdb.deleteFrom('action_rows').execute();
		const action = (id: string, organisationId: number | null, deadline: string, status: string) =>
			kdb.insertInto('action_rows').values({ case_id: t015, action_id: id, position: 0, text: 'Geheim', actiehouder_id: null, organisation_id: organisationId, deadline, status, leefgebied: 'Wonen', projected_at: '2026-03-01T00:00:00Z' }).execute();
		await action('a1', ggz, '2026-03-02', 'open'); // yesterday in NL (still today in UTC): late
		await action('a2', ggz, '2026-03-03', 'bezig'); // today: not late
		await action('a3', ggz, '', 'open'); // no deadline: not late
		await action('a4', ggz, '2026-01-01', 'gedaan');
		await action('a5', ggz, '2026-01-01', 'vervallen');
		await action('a6', null, '2026-01-01', 'bezig');
		const f = await tableFigures(t.ctx, voorzitter, tableIdValue);
		expect(f.actions).toEqual([
			{ organisation: 'GGZ Voorbeeld', open: 3, gedaan: 1, overdue: 1 },
			{ organisation: 'Zonder organisatie', open: 1, gedaan: 0, overdue: 1 }
		]);
	});

	it('A missed review date: in monitoring with a review date before today.', async () => {
		const { db: kdb } = t.ctx;
		const voorzitter = await actorFor(t.ctx, email('voorzitter'));
		const t015 = await caseIdOf(t.ctx, 'T150-2026-015');
		const t016 = await caseIdOf(t.ctx, 'T150-2026-016');
		await kdb.updateTable('cases').set({ status: 'monitoring', review_date: '2026-03-02' }).where('id', '=', t015).execute();
		await kdb.updateTable('cases').set({ status: 'monitoring', review_date: '2026-03-03' }).where('id', '=', t016).execute();
		const f = await tableFigures(t.ctx, voorzitter, tableIdValue);
		expect(f.reviews).toEqual({ inMonitoring: 2, missed: 1 });
		// the chair only
		const waarnemer = await actorFor(t.ctx, email('waarnemer'));
		await expect(tableFigures(t.ctx, waarnemer, tableIdValue)).rejects.toMatchObject({ code: 'NOT_FOUND' });
	});

	it('CSV fields that could be read as a formula or break the columns are made harmless.', () => {
		const csv = figuresCsv([
			{ section: 'Acties per organisatie', label: '=HYPERLINK("x"): open', value: '1' },
			{ section: 'Acties per organisatie', label: 'A;B: open', value: '2' }
		]);
		const lines = csv.slice(1).split('\r\n');
		expect(lines[1]).toBe(`Acties per organisatie;"'=HYPERLINK(""x""): open";1`);
		expect(lines[2]).toBe('Acties per organisatie;"A;B: open";2');
	});
});
