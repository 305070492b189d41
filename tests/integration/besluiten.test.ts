import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { addAction, addAgendaItem, addDecision, besprekingDocName } from '../../src/lib/shared/documents';
import { clientPool } from './helpers/clients';
import { caseId, firstMeeting, openShared, organisationId, tableId, user, type SharedDb } from './helpers/db';
import { waitFor, type DocClient } from './helpers/realtime';
import { demoEmail, demoLogins, request, startServer, type TestServer } from './helpers/server';

/**
 * Issue 14, item 4, over HTTP against the real server: the decisions list of a table, the case
 * search and the actions exports (CSV and .xlsx), each asked by every demo role. A case the
 * reader may not view never shows up: not its code, not its title, not its decisions or actions,
 * and the subject's name only for those the table type lets see it. Decisions and actions are
 * written the way laptops write them: Yjs documents through the collaboration endpoint.
 */
let server: TestServer;
let db: SharedDb;
const as = demoLogins(() => server);
const pool = clientPool(() => server, as);

const TOP150 = 'Top 150 Regio Voorbeeld';
const MDA = 'MDA++ Regio Voorbeeld';
const NOT_FOUND_TEXT = 'Deze pagina bestaat niet of u hebt er geen toegang toe.';

/** Texts that only the viewers of their case may ever read. */
const D = {
	seeded014: 'Straf en zorg combineren: het OM wacht met vervolging zolang schuldhulp en verslavingszorg lopen.',
	d014: 'Besluit-014 budgetbeheer aanvragen bij de gemeente.',
	d015: 'Besluit-015 buurtbemiddeling inzetten voor de Lindelaan.',
	d016: 'Besluit-016 eerst informatie verzamelen.',
	general: 'Besluit-rondvraag volgende keer een evaluatie.',
	mda: 'Besluit-MDA veiligheidsplan opstellen met het huishouden.'
};
const A = {
	formula: '=HYPERLINK("https://example.invalid","klik")',
	a015: 'Actie-015 buurtbemiddeling starten',
	linda: 'Actie-014 huisbezoek door Sociaal Team',
	mda: 'Actie-MDA veiligheidsplan bespreken'
};
const TITLE_014 = 'Jongvolwassene, herhaalde inbraken en schulden';
const TITLE_015 = 'Overlast in de wijk, verslaving';

const decode = (s: string) =>
	s.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
const mainOf = (html: string) => decode(html.slice(html.indexOf('<main'), html.indexOf('</main>')));
const page = async (who: string | null, path: string) => request(server.url, path, { cookie: who ? await as(who) : null });

const storedUpdates = (name: string) => (db.prepare('select count(*) as n from doc_updates where doc_name = ?').get(name) as { n: number }).n;
async function edit(who: string, name: string, fn: (client: DocClient) => void): Promise<void> {
	const client = await pool.openDoc(who, name);
	const before = storedUpdates(name);
	fn(client);
	await waitFor(`${who}'s edit of ${name} to be stored`, () => storedUpdates(name) > before, 10_000);
}
const projected = (text: string) => db.prepare('select 1 from action_rows where text = ?').get(text) !== undefined;
const auditRows = (action: string, who: string) =>
	db.prepare('select case_id, detail, role from audit_log where action = ? and user_id = ? order by id').all(action, user(db, demoEmail(who)).id) as {
		case_id: number | null;
		detail: string;
		role: string | null;
	}[];
const isoDay = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

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
	return rows;
}

const HEADERS = ['Casus', 'Titel casus', 'Tafel', 'Actie', 'Leefgebied', 'Actiehouder', 'Organisatie', 'Deadline', 'Status', 'Notitie'];

interface Download {
	status: number;
	headers: Headers;
	bytes: Uint8Array;
}
async function download(who: string | null, path: string): Promise<Download> {
	const headers: Record<string, string> = {};
	if (who) headers.cookie = await as(who);
	const response = await fetch(new URL(path, server.url), { headers, redirect: 'manual' });
	return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}
/** The CSV as rows, after checking it is a UTF-8 download with a BOM and the Dutch headers. */
async function csvOf(who: string, path: string): Promise<string[][]> {
	const file = await download(who, path);
	expect(file.status, `${who} ${path}`).toBe(200);
	expect(file.headers.get('content-type')).toBe('text/csv; charset=utf-8');
	expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="[a-z0-9-]+-\d{4}-\d{2}-\d{2}\.csv"$/i);
	expect(file.headers.get('cache-control')).toBe('no-store');
	expect([...file.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
	const rows = parseCsv(new TextDecoder('utf-8', { ignoreBOM: true }).decode(file.bytes).slice(1));
	expect(rows[0]).toEqual(HEADERS);
	for (const row of rows) expect(row).toHaveLength(HEADERS.length);
	return rows.slice(1);
}
/** The .xlsx's first sheet as rows of cell values (dates as Date), after checking the headers. */
async function xlsxOf(who: string, path: string): Promise<unknown[][]> {
	const file = await download(who, path);
	expect(file.status, `${who} ${path}`).toBe(200);
	expect(file.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
	expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="[a-z0-9-]+-\d{4}-\d{2}-\d{2}\.xlsx"$/i);
	const book = new ExcelJS.Workbook();
	await book.xlsx.load(file.bytes.buffer as ArrayBuffer);
	const sheet = book.getWorksheet('Acties')!;
	const rows: unknown[][] = [];
	sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
	expect(rows[0]).toEqual(HEADERS);
	return rows.slice(1).map((r) => HEADERS.map((_, i) => r[i] ?? null));
}

let t150: number;
let mda: number;
let planned: number;

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	t150 = tableId(db, TOP150);
	mda = tableId(db, MDA);
	planned = firstMeeting(db, TOP150);
	const mdaMeeting = firstMeeting(db, MDA);
	const c = (code: string) => caseId(db, code);
	await Promise.all(['voorzitter', 'secretaris', 'deelnemer', 'geen-toegang', 'waarnemer', 'beheerder', 'kees', 'linda', 'mehmet'].map(as));

	// the next Top 150 meeting: three case items and a rondvraag, as the chair prepares it
	const items: Record<string, string> = {};
	await edit('voorzitter', `meeting:${planned}`, ({ doc }) => {
		for (const code of ['T150-2026-014', 'T150-2026-015', 'T150-2026-016']) {
			items[code] = addAgendaItem(doc, { caseId: c(code), caseCode: code, title: '', plannedMinutes: 10, status: 'gepland' });
		}
		const rondvraag = addAgendaItem(doc, { caseId: null, caseCode: null, title: 'Rondvraag', plannedMinutes: 5, status: 'gepland' });
		addDecision(doc, rondvraag, D.general);
	});
	await edit('voorzitter', besprekingDocName(planned, c('T150-2026-014')), ({ doc }) => addDecision(doc, items['T150-2026-014']!, D.d014));
	await edit('voorzitter', besprekingDocName(planned, c('T150-2026-015')), ({ doc }) => addDecision(doc, items['T150-2026-015']!, D.d015));
	await edit('voorzitter', besprekingDocName(planned, c('T150-2026-016')), ({ doc }) => addDecision(doc, items['T150-2026-016']!, D.d016));
	// another table's meeting and case: never on Top 150's lists
	let mdaItem = '';
	await edit('voorzitter', `meeting:${mdaMeeting}`, ({ doc }) => {
		mdaItem = addAgendaItem(doc, { caseId: c('MDA-2026-001'), caseCode: 'MDA-2026-001', title: '', plannedMinutes: 15, status: 'gepland' });
	});
	await edit('voorzitter', besprekingDocName(mdaMeeting, c('MDA-2026-001')), ({ doc }) => addDecision(doc, mdaItem, D.mda));

	// actions: a formula-like text for Fatima, one for Linda (Sociaal Team has access, but she
	// does not sit at Top 150), one of T150-2026-015 for Pieter (Politie), one of MDA++
	const fatima = user(db, demoEmail('deelnemer'));
	const linda = user(db, demoEmail('linda'));
	const pieter = user(db, demoEmail('geen-toegang'));
	const person = (u: { id: number; organisationId: number }, name: string, org: string) => ({ actiehouderId: u.id, actiehouderName: name, organisationId: u.organisationId, organisationName: org });
	await edit('deelnemer', `case:${c('T150-2026-014')}`, ({ doc }) => {
		addAction(doc, { text: A.formula, ...person(fatima, 'Fatima El Amrani', 'Sociaal Team Voorbeeld'), deadline: isoDay(20), status: 'open', leefgebied: 'Financiën' });
		addAction(doc, { text: A.linda, ...person(linda, 'Linda Bos', 'Sociaal Team Voorbeeld'), deadline: isoDay(12), status: 'open', leefgebied: 'Wonen' });
	});
	await edit('geen-toegang', `case:${c('T150-2026-015')}`, ({ doc }) => {
		addAction(doc, { text: A.a015, ...person(pieter, 'Pieter Smit', 'Politie Eenheid Voorbeeld'), deadline: isoDay(5), status: 'bezig', leefgebied: 'Justitie' });
	});
	await edit('voorzitter', `case:${c('MDA-2026-001')}`, ({ doc }) => {
		addAction(doc, { text: A.mda, ...person(linda, 'Linda Bos', 'Sociaal Team Voorbeeld'), deadline: isoDay(9), status: 'open', leefgebied: 'Veiligheid' });
	});
	pool.closeAll();
	await waitFor('the projected actions', () => Object.values(A).every(projected), 15_000);
	expect(organisationId(db, 'Sociaal Team Voorbeeld')).toBe(linda.organisationId);
});
afterEach(() => pool.closeAll());
afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('the decisions list of a table', () => {
	const list = (who: string, query = '') => page(who, `/tafels/${t150}/besluiten${query}`);

	it('voorzitter and secretaris see every case decision of the table, with names, and the general one; not another table’s', async () => {
		for (const who of ['voorzitter', 'secretaris']) {
			const reply = await list(who);
			expect(reply.status, who).toBe(200);
			const main = mainOf(reply.body);
			for (const text of [D.seeded014, D.d014, D.d015, D.d016, D.general]) expect(main, `${who}: ${text}`).toContain(text);
			expect(main).toContain('Rens Verzonnen');
			expect(main).toContain('Karin Bedacht');
			expect(main).toContain(TITLE_015);
			expect(main).toContain('Rondvraag');
			expect(main).not.toContain(D.mda);
			expect(main).not.toContain('MDA-2026-001');
			expect(main).toContain('5 besluiten.');
		}
	});

	it('deelnemer (Sociaal Team) and waarnemer (GGZ) see T150-2026-014 and the general decision only; the name only for the casusregisseur', async () => {
		for (const who of ['deelnemer', 'waarnemer']) {
			const main = mainOf((await list(who)).body);
			for (const text of [D.seeded014, D.d014, D.general]) expect(main, `${who}: ${text}`).toContain(text);
			for (const hidden of [D.d015, D.d016, D.mda, 'T150-2026-015', 'T150-2026-016', TITLE_015, 'Karin Bedacht', 'Jamal Fictief']) expect(main, `${who}: ${hidden}`).not.toContain(hidden);
			expect(main).toContain('3 besluiten.');
		}
		expect(mainOf((await list('deelnemer')).body)).toContain('Rens Verzonnen');
		expect(mainOf((await list('waarnemer')).body)).not.toContain('Rens Verzonnen');
	});

	it('geen-toegang (Politie) sees T150-2026-015 and the general decision, never T150-2026-014', async () => {
		const main = mainOf((await list('geen-toegang')).body);
		for (const text of [D.d015, D.general, 'T150-2026-015']) expect(main).toContain(text);
		for (const hidden of [D.seeded014, D.d014, D.d016, 'T150-2026-014', TITLE_014, 'Rens Verzonnen', 'Karin Bedacht']) expect(main, hidden).not.toContain(hidden);
	});

	it('the beheerder, a member of other tables only and an anonymous visitor get nothing', async () => {
		for (const who of ['beheerder', 'kees', 'mehmet', 'linda']) {
			const reply = await list(who);
			expect(reply.status, who).toBe(404);
			expect(reply.body).toContain(NOT_FOUND_TEXT);
			expect(reply.body).not.toContain(D.general);
		}
		const anonymous = await page(null, `/tafels/${t150}/besluiten`);
		expect(anonymous.status).toBe(303);
		expect(anonymous.location).toMatch(/^\/login\?terug=/);
		expect((await page('voorzitter', '/tafels/999999/besluiten')).status).toBe(404);
	});

	it('searches on the server with a GET form: words of the decision, a case code or a title, never what the reader may not see', async () => {
		const bemiddeling = mainOf((await list('voorzitter', '?q=buurtbemiddeling')).body);
		expect(bemiddeling).toContain(D.d015);
		expect(bemiddeling).not.toContain(D.d014);
		expect(bemiddeling).toContain('1 besluit gevonden met “buurtbemiddeling” (van 5).');
		expect(bemiddeling).toContain('value="buurtbemiddeling"');
		const byCode = mainOf((await list('voorzitter', '?q=t150-2026-014')).body);
		expect(byCode).toContain(D.seeded014);
		expect(byCode).toContain(D.d014);
		expect(byCode).not.toContain(D.d015);
		// a decision of a case without access is not found, and the count does not betray it
		const denied = mainOf((await list('deelnemer', '?q=buurtbemiddeling')).body);
		expect(denied).toContain('0 besluiten gevonden met “buurtbemiddeling” (van 3).');
		expect(denied).not.toContain(D.d015);
		// a name is matched only for whom it is shown
		expect(mainOf((await list('waarnemer', '?q=Rens')).body)).toContain('0 besluiten gevonden');
		expect(mainOf((await list('deelnemer', '?q=Rens')).body)).toContain(D.d014);
	});

	it('a search text that is too long gets a Dutch message and a stable code, and stays in the field', async () => {
		const long = 'besluit'.repeat(15);
		const reply = await list('voorzitter', `?q=${long}`);
		expect(reply.status).toBe(200);
		const main = mainOf(reply.body);
		expect(main).toContain('Zoek met hoogstens 100 tekens.');
		expect(main).toContain('data-code="INVALID_INPUT"');
		expect(main).toContain(`value="${long}"`);
		expect(main).toContain('aria-invalid="true"');
	});

	it('each view is audited with the cases it showed and the role, never the search text', async () => {
		await list('geen-toegang', '?q=buurtbemiddeling');
		const row = auditRows('table.decisions.view', 'geen-toegang').at(-1)!;
		expect(row.role).toBe('deelnemer');
		const detail = JSON.parse(row.detail) as { tableId: number; caseIds: number[]; searched: boolean };
		expect(detail).toMatchObject({ tableId: t150, caseIds: [caseId(db, 'T150-2026-015')], searched: true });
		expect(row.detail).not.toContain('buurtbemiddeling');
	});

	it('the table page links to the list and the exports; another table’s list holds its own decision only', async () => {
		const table = (await page('deelnemer', `/tafels/${t150}`)).body;
		expect(table).toContain(`href="/tafels/${t150}/besluiten"`);
		expect(table).toContain(`href="/tafels/${t150}/acties.csv"`);
		expect(table).toContain(`href="/tafels/${t150}/acties.xlsx"`);
		const other = mainOf((await page('voorzitter', `/tafels/${mda}/besluiten`)).body);
		expect(other).toContain(D.mda);
		for (const text of [D.seeded014, D.d014, D.d015, D.general]) expect(other).not.toContain(text);
		expect((await page('kees', `/tafels/${mda}/besluiten`)).status).toBe(200);
	});
});

describe('searching for cases', () => {
	/** The case codes a search shows, in order. */
	const found = async (who: string, q: string) => {
		const reply = await page(who, `/zoeken?q=${encodeURIComponent(q)}`);
		expect(reply.status, `${who} ${q}`).toBe(200);
		return { codes: [...reply.body.matchAll(/data-case="([^"]+)"/g)].map((m) => m[1]), main: mainOf(reply.body) };
	};

	it('the voorzitter finds every case of the tables she chairs, by code, title and name', async () => {
		expect((await found('voorzitter', 'T150')).codes).toEqual(['T150-2026-014', 'T150-2026-015', 'T150-2026-016']);
		expect((await found('voorzitter', 'Rens')).codes).toEqual(['T150-2026-014']);
		expect((await found('voorzitter', 'verslaving overlast')).codes).toEqual(['T150-2026-015']);
		expect((await found('voorzitter', 'huiselijk')).codes).toEqual(['MDA-2026-001']);
		expect((await found('voorzitter', 'OPH')).codes).toEqual([]);
		expect((await found('secretaris', 'karin')).codes).toEqual(['T150-2026-015']);
	});

	it('a deelnemer finds only cases of their organisation; by name only where they may see it', async () => {
		const t = await found('deelnemer', 'T150');
		expect(t.codes).toEqual(['T150-2026-014']);
		expect(t.main).toContain('Rens Verzonnen');
		expect((await found('deelnemer', 'OPH')).codes).toEqual(['OPH-2026-003']);
		expect((await found('deelnemer', 'Karin')).codes).toEqual([]);
		expect((await found('deelnemer', 'overlast')).codes).toEqual([]);
		const politie = await found('geen-toegang', 'T150');
		expect(politie.codes).toEqual(['T150-2026-015']);
		expect(politie.main).toContain('K.B.');
		expect(politie.main).not.toContain('Karin Bedacht');
		expect((await found('geen-toegang', 'Karin')).codes).toEqual([]);
		expect((await found('geen-toegang', 'inbraken')).codes).toEqual([]);
		expect((await found('geen-toegang', 'Rens')).codes).toEqual([]);
	});

	it('the waarnemer sees initials and cannot search by name; beheerder and a non-member find nothing', async () => {
		const w = await found('waarnemer', 'T150');
		expect(w.codes).toEqual(['T150-2026-014']);
		expect(w.main).toContain('R.V.');
		expect(w.main).not.toContain('Rens Verzonnen');
		expect((await found('waarnemer', 'Rens')).codes).toEqual([]);
		for (const q of ['T150', 'MDA', 'Rens']) expect((await found('beheerder', q)).codes, q).toEqual([]);
		expect((await found('linda', 'T150')).codes).toEqual([]);
		expect((await page(null, '/zoeken?q=T150')).status).toBe(303);
	});

	it('a case without access and a case that does not exist give the same answer', async () => {
		const hidden = (await found('geen-toegang', 'T150-2026-014')).main.replaceAll('T150-2026-014', 'X');
		const missing = (await found('geen-toegang', 'T150-2026-999')).main.replaceAll('T150-2026-999', 'X');
		expect(hidden).toBe(missing);
		expect(hidden).toContain('Geen casus gevonden met “X”.');
	});

	it('too short or too long a text gets a Dutch message with a stable code; the text stays', async () => {
		const short = await found('voorzitter', 'T');
		expect(short.main).toContain('Typ minstens 2 tekens.');
		expect(short.main).toContain('data-code="INVALID_INPUT"');
		expect(short.main).toContain('value="T"');
		expect((await found('voorzitter', 'x'.repeat(101))).main).toContain('Zoek met hoogstens 100 tekens.');
	});

	it('every case a search shows is audited as seen by that user, without the search text; a search that shows nothing leaves nothing', async () => {
		const before = auditRows('case.search', 'waarnemer').length;
		await found('waarnemer', 'Rens');
		expect(auditRows('case.search', 'waarnemer')).toHaveLength(before);
		await found('waarnemer', 'inbraken');
		const rows = auditRows('case.search', 'waarnemer').slice(before);
		expect(rows.map((r) => r.case_id)).toEqual([caseId(db, 'T150-2026-014')]);
		expect(rows[0]!.role).toBe('waarnemer');
		expect(rows[0]!.detail).not.toContain('inbraken');
	});

	it('the menu offers the search to a logged-in user', async () => {
		expect((await page('waarnemer', '/')).body).toContain('href="/zoeken"');
	});
});

describe('the actions exports', () => {
	const col = (name: string) => HEADERS.indexOf(name);
	const byText = (rows: string[][]) => new Map(rows.map((r) => [r[col('Actie')]!, r]));

	it('a table’s open actions, for the chair: every case of the table, open and bezig only, Dutch columns, dates as dates, no formula', async () => {
		const rows = await csvOf('voorzitter', `/tafels/${t150}/acties.csv`);
		const texts = rows.map((r) => r[col('Actie')]);
		expect(texts).toEqual(expect.arrayContaining(['Aanmelding schuldhulpverlening afronden', 'Intake verslavingszorg plannen', `'${A.formula}`, A.linda, A.a015]));
		expect(texts).not.toContain('Tijdelijke woonplek regelen');
		expect(texts).not.toContain(A.mda);
		for (const r of rows) {
			expect(r[col('Tafel')]).toBe(TOP150);
			expect(r[col('Deadline')]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
			expect(['Open', 'Bezig']).toContain(r[col('Status')]);
			for (const cell of r) expect(cell).not.toMatch(/^[=+@-]/);
		}
		const a015 = byText(rows).get(A.a015)!;
		expect(a015.slice(0, 2)).toEqual(['T150-2026-015', TITLE_015]);
		expect(a015[col('Actiehouder')]).toBe('Pieter Smit');
		expect(a015[col('Deadline')]).toBe(isoDay(5));
		expect(a015[col('Status')]).toBe('Bezig');
		// the subject's name is never in an export
		expect(rows.flat().join(' ')).not.toMatch(/Rens|Karin|Jamal/);

		const sheet = await xlsxOf('voorzitter', `/tafels/${t150}/acties.xlsx`);
		expect(sheet).toHaveLength(rows.length);
		const fromSheet = new Map(sheet.map((r) => [r[col('Actie')] as string, r]));
		expect(fromSheet.get(A.formula)![col('Casus')]).toBe('T150-2026-014');
		const deadline = fromSheet.get(A.a015)![col('Deadline')];
		expect(deadline).toBeInstanceOf(Date);
		expect((deadline as Date).toISOString().slice(0, 10)).toBe(isoDay(5));
	});

	it('a member gets the open actions of the cases their organisation may see, nothing of the others', async () => {
		const cases = async (who: string) => new Set((await csvOf(who, `/tafels/${t150}/acties.csv`)).map((r) => r[col('Casus')]));
		expect(await cases('deelnemer')).toEqual(new Set(['T150-2026-014']));
		expect(await cases('waarnemer')).toEqual(new Set(['T150-2026-014']));
		expect(await cases('secretaris')).toEqual(new Set(['T150-2026-014', 'T150-2026-015']));
		const politie = await csvOf('geen-toegang', `/tafels/${t150}/acties.csv`);
		expect(politie.map((r) => r[col('Actie')])).toEqual([A.a015]);
		expect(politie.flat().join(' ')).not.toContain(TITLE_014);
		const politieSheet = await xlsxOf('geen-toegang', `/tafels/${t150}/acties.xlsx`);
		expect(politieSheet.map((r) => r[col('Actie')])).toEqual([A.a015]);
	});

	it('who does not sit at the table gets a 404, also as an actiehouder of its case; anonymous goes to the login', async () => {
		for (const who of ['beheerder', 'kees', 'linda', 'mehmet']) {
			for (const format of ['csv', 'xlsx']) {
				const file = await download(who, `/tafels/${t150}/acties.${format}`);
				expect(file.status, `${who} ${format}`).toBe(404);
				expect(new TextDecoder().decode(file.bytes)).not.toContain(A.linda);
			}
		}
		const anonymous = await download(null, `/tafels/${t150}/acties.csv`);
		expect(anonymous.status).toBe(303);
		expect((await download(null, '/acties/acties.xlsx')).status).toBe(303);
	});

	it('Mijn acties as a file: what the page lists with its filters; the title only where the case may be viewed', async () => {
		const mine = byText(await csvOf('deelnemer', '/acties/acties.csv'));
		// Fatima holds two and directs T150-2026-014 (so Lotte's and Linda's too); open and bezig by default
		expect([...mine.keys()].sort()).toEqual([`'${A.formula}`, 'Aanmelding schuldhulpverlening afronden', 'Intake verslavingszorg plannen', A.linda].sort());
		expect(mine.get(A.linda)![col('Titel casus')]).toBe(TITLE_014);
		const all = byText(await csvOf('deelnemer', '/acties/acties.csv?status=alle'));
		expect(all.has('Tijdelijke woonplek regelen')).toBe(true);
		expect(all.get('Tijdelijke woonplek regelen')![col('Status')]).toBe('Gedaan');
		const onlyMine = byText(await csvOf('deelnemer', '/acties/acties.csv?wie=mijn'));
		expect([...onlyMine.keys()].sort()).toEqual([`'${A.formula}`, 'Aanmelding schuldhulpverlening afronden'].sort());

		// Linda holds an action of T150-2026-014 (her organisation has access) without a seat at Top 150
		const linda = byText(await csvOf('linda', '/acties/acties.csv'));
		expect(linda.get(A.linda)!.slice(0, 3)).toEqual(['T150-2026-014', '', TOP150]);
		expect([...linda.values()].flat().join(' ')).not.toContain(TITLE_014);
		const lindaSheet = await xlsxOf('linda', '/acties/acties.xlsx');
		const row = lindaSheet.find((r) => r[col('Actie')] === A.linda)!;
		expect(row[col('Titel casus')]).toBeNull();
		expect((row[col('Deadline')] as Date).toISOString().slice(0, 10)).toBe(isoDay(12));

		const politie = byText(await csvOf('geen-toegang', '/acties/acties.csv'));
		expect([...politie.keys()]).toEqual([A.a015]);
		// the beheerder holds nothing: a file with the headers only
		expect(await csvOf('beheerder', '/acties/acties.csv')).toEqual([]);
	});

	it('the Mijn acties page offers both downloads with its filters', async () => {
		const body = (await page('deelnemer', '/acties?status=alle')).body;
		expect(body).toContain('href="/acties/acties.xlsx?status=alle"');
		expect(body).toContain('href="/acties/acties.csv?status=alle"');
	});

	it('every download is audited with its format, scope and the cases it held', async () => {
		await download('geen-toegang', `/tafels/${t150}/acties.xlsx`);
		const table = auditRows('actions.export', 'geen-toegang').at(-1)!;
		expect(JSON.parse(table.detail)).toEqual({ format: 'xlsx', scope: 'tafel', tableId: t150, rowCount: 1, caseIds: [caseId(db, 'T150-2026-015')] });
		expect(table.role).toBe('deelnemer');
		await download('linda', '/acties/acties.csv');
		const mine = JSON.parse(auditRows('actions.export', 'linda').at(-1)!.detail) as { format: string; scope: string; caseIds: number[] };
		expect(mine.format).toBe('csv');
		expect(mine.scope).toBe('mijn');
		expect(mine.caseIds).toContain(caseId(db, 'T150-2026-014'));
		// a refused download leaves no export in the log
		const before = auditRows('actions.export', 'kees').length;
		await download('kees', `/tafels/${t150}/acties.csv`);
		expect(auditRows('actions.export', 'kees')).toHaveLength(before);
	});
});
