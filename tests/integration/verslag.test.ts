import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import mammoth from 'mammoth';
import { PDFParse } from 'pdf-parse';
import { addAction, addAgendaItem, addDecision, besprekingDocName, caseTextOf, goalText, meetingNotesOf, minutesText } from '../../src/lib/shared/documents';
import { clientPool } from './helpers/clients';
import { caseId, firstMeeting, openShared, organisationId, user, type SharedDb } from './helpers/db';
import { emitAck, waitFor, type DocClient } from './helpers/realtime';
import { demoEmail, demoLogins, request, startServer, type TestServer } from './helpers/server';

/**
 * The verslag of a meeting downloads as PDF and .docx that open (parsed here) and hold exactly
 * the cases the reader may view: the content of a case without access is not in the file, not
 * even its code. Real server in a child process; the meeting is filled the way laptops fill
 * it, with Yjs documents and socket.io commands.
 */
let server: TestServer;
let db: SharedDb;
const as = demoLogins(() => server);
const pool = clientPool(() => server, as);
const { joined, openDoc } = pool;

const TOP150 = 'Top 150 Regio Voorbeeld';

const storedUpdates = (name: string) => (db.prepare('select count(*) as n from doc_updates where doc_name = ?').get(name) as { n: number }).n;
/** Makes an edit from a laptop and waits until the server has stored it. */
async function edit(who: string, name: string, fn: (client: DocClient) => void): Promise<void> {
	const client = await openDoc(who, name);
	const before = storedUpdates(name);
	fn(client);
	await waitFor(`${who}'s edit of ${name} to be stored`, () => storedUpdates(name) > before);
}
const meetingOf = (status: 'gesloten' | 'gepland') => firstMeeting(db, TOP150, status);

interface Download {
	status: number;
	headers: Headers;
	body: Buffer;
}
async function download(who: string | null, meetingId: number, format: 'pdf' | 'docx'): Promise<Download> {
	const headers: Record<string, string> = {};
	if (who) headers.cookie = await as(who);
	const response = await fetch(`${server.url}/overleg/${meetingId}/verslag/verslag.${format}`, { headers, redirect: 'manual' });
	return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}
/** The text of a PDF as pdf.js reads it, whitespace made single so wrapped lines still match. */
async function pdfText(body: Buffer): Promise<string> {
	const parser = new PDFParse({ data: new Uint8Array(body) });
	try {
		return (await parser.getText()).text.replace(/\s+/g, ' ');
	} finally {
		await parser.destroy();
	}
}
async function docxText(body: Buffer): Promise<string> {
	return (await mammoth.extractRawText({ buffer: body })).value.replace(/\s+/g, ' ');
}
/** Both downloads of the verslag as this reader, checked as files and read as text. */
async function both(who: string, meetingId: number): Promise<{ pdf: string; docx: string }> {
	const pdf = await download(who, meetingId, 'pdf');
	expect(pdf.status, `${who} pdf`).toBe(200);
	expect(pdf.body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
	const docx = await download(who, meetingId, 'docx');
	expect(docx.status, `${who} docx`).toBe(200);
	expect(docx.body.subarray(0, 2).toString('latin1')).toBe('PK'); // a zip, as every .docx
	return { pdf: await pdfText(pdf.body), docx: await docxText(docx.body) };
}
function auditRows(action: string, meetingId: number, who: string) {
	return db
		.prepare('select detail, case_id from audit_log where action = ? and meeting_id = ? and user_id = ? order by id')
		.all(action, meetingId, user(db, demoEmail(who)).id) as { detail: string; case_id: number | null }[];
}

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	await Promise.all(['voorzitter', 'deelnemer', 'geen-toegang', 'waarnemer', 'linda', 'beheerder'].map(as));
});
afterEach(() => pool.closeAll());
afterAll(async () => {
	db?.close();
	await server?.stop();
});

/** A sentence of each case's content that only its viewers may read. */
const SEEDED_014 = ['Straf en zorg worden gecombineerd', 'Straf en zorg combineren: het OM wacht', 'Rens werkt mee aan schuldhulp', 'Intake verslavingszorg plannen'];

describe('the verslag of the closed Top 150 meeting', () => {
	it('voorzitter and deelnemer (Sociaal Team, access) get T150-2026-014 with its minutes, agreements, actions and regie; in PDF and .docx alike', async () => {
		const meetingId = meetingOf('gesloten');
		for (const who of ['voorzitter', 'deelnemer']) {
			const files = await both(who, meetingId);
			for (const [format, text] of Object.entries(files)) {
				expect(text, `${who} ${format}`).toContain('Verslag Top 150 Regio Voorbeeld');
				expect(text, `${who} ${format}`).toContain('T150-2026-014');
				for (const sentence of SEEDED_014) expect(text, `${who} ${format}`).toContain(sentence);
				expect(text, `${who} ${format}`).toContain('Casusregisseur');
				expect(text, `${who} ${format}`).toContain('Fatima El Amrani');
				expect(text, `${who} ${format}`).toContain('Gesloten om');
				expect(text, `${who} ${format}`).not.toContain('Concept');
			}
		}
	});

	it('geen-toegang (Politie, no access to T150-2026-014) gets the meeting without the case: not its code, not its content', async () => {
		const files = await both('geen-toegang', meetingOf('gesloten'));
		for (const [format, text] of Object.entries(files)) {
			expect(text, format).toContain('Verslag Top 150 Regio Voorbeeld');
			expect(text, format).not.toContain('T150-2026-014');
			for (const sentence of SEEDED_014) expect(text, format).not.toContain(sentence);
			expect(text, format).toContain('Dit verslag bevat geen casussen die u mag inzien.');
			// that something was left out is said, so nobody takes it for the whole verslag
			expect(text, format).toContain('1 agendapunt gaat over een casus waartoe u geen toegang hebt en is weggelaten.');
		}
	});
});

describe('a meeting filled from the laptops', () => {
	let meetingId: number;
	const c014 = () => caseId(db, 'T150-2026-014');
	const c015 = () => caseId(db, 'T150-2026-015');
	const c016 = () => caseId(db, 'T150-2026-016');
	/** the content each case gets, and which readers may see it */
	const CONTENT = {
		'T150-2026-014': ['Besluit-014: schuldhulp gaat door.', 'Plan-014: wekelijks contact met de casusregisseur.', 'Doel-014: binnen drie maanden een budgetplan.', 'Verslag-014: Rens was er zelf bij.'],
		'T150-2026-015': ['Besluit-015: melding bij het OM.', 'Situatie-015: overlast in de Lindelaan.', 'Actie-015: buurtbemiddeling starten', 'Verslag-015: politie en OM stemmen af.', 'Stem-015: ik wil rust in huis.', 'Zus Bedacht', 'Reden-015: plan volgt na onderzoek.'],
		'T150-2026-016': ['Besluit-016: eerst informatie verzamelen.', 'Situatie-016: nieuwe aanmelding zonder gegevens.']
	} as const;
	const GENERAL = ['Besluit-rondvraag: volgende keer evaluatie.', 'Notitie-algemeen: de zaal was te klein.'] as const;

	let items = { i014: '', i015: '', i016: '' };
	beforeAll(async () => {
		meetingId = meetingOf('gepland');
		// the chair's laptop: the agenda, general decisions and notes in the meeting document
		await edit('voorzitter', `meeting:${meetingId}`, ({ doc }) => {
			const item = (caseIdValue: number | null, code: string | null, title: string) =>
				addAgendaItem(doc, { caseId: caseIdValue, caseCode: code, title, plannedMinutes: 10, status: 'gepland' });
			const i014 = item(c014(), 'T150-2026-014', 'Terugkomcasus');
			const i015 = item(c015(), 'T150-2026-015', 'Overlast in de wijk, verslaving');
			const i016 = item(c016(), 'T150-2026-016', 'Nieuwe aanmelding, nog te beoordelen');
			const rondvraag = item(null, null, 'Rondvraag');
			addDecision(doc, rondvraag, GENERAL[0]);
			meetingNotesOf(doc).insert(0, GENERAL[1]);
			items = { i014, i015, i016 };
		});
		// a case's decisions: in its bespreking document, as the chair's laptop records them
		await edit('voorzitter', besprekingDocName(meetingId, c014()), ({ doc }) => addDecision(doc, items.i014, CONTENT['T150-2026-014'][0]));
		await edit('voorzitter', besprekingDocName(meetingId, c015()), ({ doc }) => addDecision(doc, items.i015, CONTENT['T150-2026-015'][0]));
		await edit('voorzitter', besprekingDocName(meetingId, c016()), ({ doc }) => addDecision(doc, items.i016, CONTENT['T150-2026-016'][0]));
		// the cases, each written by someone whose organisation has access
		await edit('deelnemer', `case:${c014()}`, ({ doc }) => {
			caseTextOf(doc, 'plan').insert(0, CONTENT['T150-2026-014'][1]);
			goalText(doc, 'Financiën').insert(0, CONTENT['T150-2026-014'][2]);
		});
		await edit('deelnemer', besprekingDocName(meetingId, c014()), ({ doc }) => minutesText(doc).insert(0, CONTENT['T150-2026-014'][3]));
		const pieter = user(db, demoEmail('geen-toegang'));
		await edit('geen-toegang', `case:${c015()}`, ({ doc }) => {
			caseTextOf(doc, 'situatie').insert(0, CONTENT['T150-2026-015'][1]);
			addAction(doc, {
				text: CONTENT['T150-2026-015'][2],
				actiehouderId: pieter.id,
				actiehouderName: 'Pieter Smit',
				organisationId: organisationId(db, 'Politie Eenheid Voorbeeld'),
				organisationName: 'Politie Eenheid Voorbeeld',
				deadline: '2030-01-15',
				status: 'open',
				leefgebied: ''
			});
		});
		await edit('geen-toegang', besprekingDocName(meetingId, c015()), ({ doc }) => {
			minutesText(doc).insert(0, CONTENT['T150-2026-015'][3]);
			doc.getText('stem:jongere').insert(0, CONTENT['T150-2026-015'][4]);
		});
		await edit('voorzitter', `case:${c016()}`, ({ doc }) => caseTextOf(doc, 'situatie').insert(0, CONTENT['T150-2026-016'][1]));
		// in the meeting: attendance, regie and rounding off, as server commands
		const police = await joined('geen-toegang', meetingId);
		const attended = await emitAck(police, 'attendance:add', { meetingId, caseId: c015(), kind: 'netwerk', name: CONTENT['T150-2026-015'][5], age: null });
		expect(attended).toMatchObject({ ok: true });
		const chair = await joined('voorzitter', meetingId);
		expect(await emitAck(chair, 'regie:set', { meetingId, caseId: c015(), kind: 'casusregisseur', userId: pieter.id })).toMatchObject({ ok: true });
		const agenda = db.prepare('select item_id, case_id from agenda_rows where meeting_id = ?');
		const i015 = await waitFor('the agenda projection', () => (agenda.all(meetingId) as { item_id: string; case_id: number | null }[]).find((r) => r.case_id === c015()));
		expect(await emitAck(chair, 'item:close', { meetingId, itemId: i015.item_id, templateReason: CONTENT['T150-2026-015'][6] })).toMatchObject({ ok: true });
	});

	/** what each reader may view, by the policy: chair all; Sociaal Team 014; Politie 015 */
	const READERS = {
		voorzitter: ['T150-2026-014', 'T150-2026-015', 'T150-2026-016'],
		deelnemer: ['T150-2026-014'],
		'geen-toegang': ['T150-2026-015'],
		waarnemer: ['T150-2026-014']
	} as const;
	const ALL = ['T150-2026-014', 'T150-2026-015', 'T150-2026-016'] as const;

	for (const [who, mayView] of Object.entries(READERS)) {
		it(`${who} downloads PDF and .docx with exactly ${mayView.join(', ')}`, async () => {
			const files = await both(who, meetingId);
			for (const [format, text] of Object.entries(files)) {
				const label = `${who} ${format}`;
				for (const code of ALL) {
					if ((mayView as readonly string[]).includes(code)) {
						expect(text, label).toContain(code);
						for (const sentence of CONTENT[code]) expect(text, `${label}: ${sentence}`).toContain(sentence);
					} else {
						expect(text, label).not.toContain(code);
						for (const sentence of CONTENT[code]) expect(text, `${label}: ${sentence}`).not.toContain(sentence);
					}
				}
				// what belongs to the meeting itself, every member reads
				for (const sentence of GENERAL) expect(text, label).toContain(sentence);
				const omitted = ALL.length - mayView.length;
				if (omitted > 0) expect(text, label).toContain(`${omitted} agendapunt${omitted === 1 ? '' : 'en'} `);
				else expect(text, label).not.toContain('waartoe u geen toegang hebt en');
				expect(text, label).toContain('Concept: het overleg is nog niet gesloten');
			}
		});
	}

	it('what the family and the room decided for T150-2026-015 is in its part of the verslag', async () => {
		const { pdf } = await both('geen-toegang', meetingId);
		expect(pdf).toContain('Zus Bedacht (iemand uit het netwerk)');
		expect(pdf).toContain('Pieter Smit, Politie Eenheid Voorbeeld');
		expect(pdf).toContain('In dit overleg besloten door Hanna de Vries: casusregisseur Pieter Smit');
		expect(pdf).toContain('Reden-015: plan volgt na onderzoek.');
		expect(pdf).toContain('15 jan 2030');
	});

	it('the downloads are attachments, never cached, named after the table and the day', async () => {
		const startsAt = (db.prepare('select starts_at from meetings where id = ?').get(meetingId) as { starts_at: string }).starts_at;
		const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(new Date(startsAt));
		for (const [format, type] of [
			['pdf', 'application/pdf'],
			['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document']
		] as const) {
			const file = await download('deelnemer', meetingId, format);
			expect(file.headers.get('content-type')).toBe(type);
			expect(file.headers.get('content-disposition')).toBe(`attachment; filename="verslag-top-150-regio-voorbeeld-${day}.${format}"`);
			expect(file.headers.get('cache-control')).toBe('no-store');
		}
	});

	it('the printable page shows the same selection: the deelnemer reads 014 and not 015', async () => {
		const page = await request(server.url, `/overleg/${meetingId}/verslag`, { cookie: await as('deelnemer') });
		expect(page.status).toBe(200);
		expect(page.headers.get('cache-control')).toBe('no-store');
		expect(page.body).toContain(CONTENT['T150-2026-014'][1]);
		expect(page.body).toContain(GENERAL[0]);
		for (const code of ['T150-2026-015', 'T150-2026-016']) expect(page.body).not.toContain(code);
		for (const sentence of [...CONTENT['T150-2026-015'], ...CONTENT['T150-2026-016']]) expect(page.body).not.toContain(sentence);
		expect(page.body).toContain('2 agendapunten gaan over casussen waartoe u geen toegang hebt en zijn weggelaten.');
	});

	it('someone who is not a member of the table, and the beheerder, get the same 404 as for a meeting that does not exist', async () => {
		for (const who of ['linda', 'beheerder']) {
			for (const format of ['pdf', 'docx'] as const) {
				const file = await download(who, meetingId, format);
				expect(file.status, `${who} ${format}`).toBe(404);
				expect(file.body.toString('utf8')).not.toContain('T150-2026');
			}
			const page = await request(server.url, `/overleg/${meetingId}/verslag`, { cookie: await as(who) });
			expect(page.status, who).toBe(404);
		}
		const missing = await download('voorzitter', 999_999, 'pdf');
		expect(missing.status).toBe(404);
		expect(auditRows('meeting.verslag.export', meetingId, 'linda')).toEqual([]);
		expect(auditRows('meeting.verslag.export', meetingId, 'beheerder')).toEqual([]);
	});

	it('without a session the download sends you to the login page and back', async () => {
		const file = await download(null, meetingId, 'pdf');
		expect(file.status).toBe(303);
		expect(file.headers.get('location')).toBe(`/login?terug=${encodeURIComponent(`/overleg/${meetingId}/verslag/verslag.pdf`)}`);
	});

	it('every export and view is in the audit log with its format and which cases, never their content', async () => {
		const before = auditRows('meeting.verslag.export', meetingId, 'geen-toegang').length;
		await both('geen-toegang', meetingId);
		const rows = auditRows('meeting.verslag.export', meetingId, 'geen-toegang');
		expect(rows.length).toBe(before + 2);
		const details = rows.slice(-2).map((r) => JSON.parse(r.detail) as Record<string, unknown>);
		expect(details).toEqual([
			{ format: 'pdf', caseCount: 1, caseIds: [c015()] },
			{ format: 'docx', caseCount: 1, caseIds: [c015()] }
		]);
		await request(server.url, `/overleg/${meetingId}/verslag`, { cookie: await as('voorzitter') });
		const views = auditRows('meeting.verslag.view', meetingId, 'voorzitter');
		expect(JSON.parse(views.at(-1)!.detail)).toEqual({ format: 'html', caseCount: 3, caseIds: [c014(), c015(), c016()] });
		// no sentence of any case, nor the name of anyone present, in any verslag audit row
		const all = db.prepare("select detail from audit_log where action like 'meeting.verslag.%'").all() as { detail: string }[];
		expect(all.length).toBeGreaterThan(8);
		for (const { detail } of all) {
			for (const sentence of [...Object.values(CONTENT).flat(), ...GENERAL, ...SEEDED_014]) expect(detail).not.toContain(sentence);
			expect(Object.keys(JSON.parse(detail)).sort()).toEqual(['caseCount', 'caseIds', 'format']);
		}
	});
});
