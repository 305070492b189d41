import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import mammoth from 'mammoth';
import { PDFParse } from 'pdf-parse';
import { addAgendaItem, addDecision, besprekingDocName } from '../../src/lib/shared/documents';
import { clientPool } from './helpers/clients';
import { caseId, firstMeeting, openShared, type SharedDb } from './helpers/db';
import { emitAck, waitFor, type DocClient } from './helpers/realtime';
import { demoLogins, request, startServer, type TestServer } from './helpers/server';

/**
 * Issue 14 item 8: after the meeting, the verslag says what became of each agenda item. A case
 * that was talked about but not rounded off is "Besproken, niet afgerond" (it used to say
 * "Gepland"), one nobody reached is "Niet besproken", and its regie is not reported as if the
 * meeting had left it without a casusregisseur.
 */
let server: TestServer;
let db: SharedDb;
const as = demoLogins(() => server);
const pool = clientPool(() => server, as);
const { joined, openDoc } = pool;

const storedUpdates = (name: string) => (db.prepare('select count(*) as n from doc_updates where doc_name = ?').get(name) as { n: number }).n;
async function edit(who: string, name: string, fn: (client: DocClient) => void): Promise<void> {
	const client = await openDoc(who, name);
	const before = storedUpdates(name);
	fn(client);
	await waitFor(`${who}'s edit of ${name} to be stored`, () => storedUpdates(name) > before);
}
async function pdfText(body: Buffer): Promise<string> {
	const parser = new PDFParse({ data: new Uint8Array(body) });
	try {
		return (await parser.getText()).text.replace(/\s+/g, ' ');
	} finally {
		await parser.destroy();
	}
}
async function downloads(who: string, meetingId: number): Promise<Record<string, string>> {
	const get = async (format: string) => {
		const response = await fetch(`${server.url}/overleg/${meetingId}/verslag/verslag.${format}`, { headers: { cookie: await as(who) } });
		expect(response.status).toBe(200);
		return Buffer.from(await response.arrayBuffer());
	};
	const page = await request(server.url, `/overleg/${meetingId}/verslag`, { cookie: await as(who) });
	expect(page.status).toBe(200);
	return {
		pdf: await pdfText(await get('pdf')),
		docx: (await mammoth.extractRawText({ buffer: await get('docx') })).value.replace(/\s+/g, ' '),
		html: page.body.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').replace(/ :/g, ':')
	};
}

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
});
afterEach(() => pool.closeAll());
afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('the verslag of a closed meeting reports the real outcome of each item', () => {
	let meetingId: number;
	beforeAll(async () => {
		meetingId = firstMeeting(db, 'Top 150 Regio Voorbeeld', 'gepland');
		const c015 = caseId(db, 'T150-2026-015');
		const c016 = caseId(db, 'T150-2026-016');
		let items = { talked: '', reached: '', never: '' };
		await edit('voorzitter', `meeting:${meetingId}`, ({ doc }) => {
			const item = (id: number, code: string) => addAgendaItem(doc, { caseId: id, caseCode: code, title: '', plannedMinutes: 10, status: 'gepland' });
			items = { talked: item(c015, 'T150-2026-015'), never: item(c016, 'T150-2026-016'), reached: '' };
			items.reached = addAgendaItem(doc, { caseId: null, caseCode: null, title: 'Rondvraag', plannedMinutes: 5, status: 'gepland' });
		});
		// 015 is talked about (a decision), never rounded off; 016 is never reached
		await edit('voorzitter', besprekingDocName(meetingId, c015), ({ doc }) => addDecision(doc, items.talked, 'Uitkomst-015: eerst gesprek met de buurt.'));
		const chair = await joined('voorzitter', meetingId);
		expect(await emitAck(chair, 'meeting:open', { meetingId })).toMatchObject({ ok: true });
		expect(await emitAck(chair, 'meeting:current', { meetingId, itemId: items.talked })).toMatchObject({ ok: true });
		// the rondvraag is on the screen when the chair closes the meeting
		expect(await emitAck(chair, 'meeting:current', { meetingId, itemId: items.reached })).toMatchObject({ ok: true });
		expect(await emitAck(chair, 'meeting:close', { meetingId })).toMatchObject({ ok: true });
	});

	it('PDF, .docx and the printable page say besproken or niet besproken, never gepland', async () => {
		for (const [format, text] of Object.entries(await downloads('voorzitter', meetingId))) {
			expect(text, format).not.toContain('Gepland');
			expect(text, format).toContain('T150-2026-015: Overlast in de wijk, verslaving 10 Besproken, niet afgerond');
			expect(text, format).toContain('T150-2026-016');
			expect(text, format).toMatch(/T150-2026-016: [^0-9]+ 10 Niet besproken/);
			expect(text, format).toContain('Rondvraag 5 Besproken, niet afgerond');
			expect(text, format).toContain('Op de agenda Niet besproken');
			expect(text, format).toContain('Op de agenda Besproken, niet afgerond');
		}
	});

	it('the case nobody reached gets no regie in the verslag; the discussed one keeps it', async () => {
		for (const [format, text] of Object.entries(await downloads('voorzitter', meetingId))) {
			const part016 = text.slice(text.lastIndexOf('T150-2026-016:'));
			expect(part016, format).toMatch(/Regie Niet besproken in dit overleg\./);
			expect(part016, format).not.toContain('Niet belegd');
			const part015 = text.slice(text.lastIndexOf('T150-2026-015:'), text.lastIndexOf('T150-2026-016:'));
			expect(part015, format).toMatch(/Casusregisseur/);
		}
	});
});
