import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addAction, readActions } from '../../src/lib/shared/documents';
import { caseId, hasActiveAccess, openShared, organisationId, user, type SharedDb } from './helpers/db';
import { connectDoc, connectLive, liveConnected, sleep, waitFor, type DocClient, type LiveSocket } from './helpers/realtime';
import { demoEmail, demoLogins, request, startServer, type Reply, type RequestOptions, type TestServer } from './helpers/server';

/**
 * Mijn acties over HTTP against the real server, with real Yjs clients on the case documents:
 * who sees which action, the casemanager's view of all actions of her cases, status and note
 * changes that land in the case document and the audit log, and every refusal. One server for
 * the file; the tests run in order and build on each other.
 */
let server: TestServer;
let db: SharedDb;
const as = demoLogins(() => server);
const clients: DocClient[] = [];
const sockets: LiveSocket[] = [];

const get = async (who: string | null, path: string, options: RequestOptions = {}) =>
	request(server.url, path, { ...options, cookie: who ? await as(who) : null });
const post = async (who: string, path: string, form: Record<string, string | number>, options: RequestOptions = {}) =>
	request(server.url, path, { ...options, form, cookie: await as(who) });

const NOT_FOUND = 'Deze actie bestaat niet (meer) of u mag hem niet wijzigen.';
const SCHULD = 'Aanmelding schuldhulpverlening afronden'; // Fatima (deelnemer@), bezig, deadline in 10 days
const INTAKE = 'Intake verslavingszorg plannen'; // Lotte (waarnemer@), open, deadline 3 days ago
const WOONPLEK = 'Tijdelijke woonplek regelen'; // Fatima, gedaan
const MDA_ACTION = 'Veiligheidsplan met het huishouden doornemen';

let t150: number;
let mda: number;
let ggz: number;

interface ShownRow {
	id: string;
	overdue: boolean;
	text: string;
	html: string;
}

const decode = (s: string) =>
	s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
const textOf = (html: string) => decode(html.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();

/** The action rows of the /acties page as a person sees them, in page order. */
function rowsOf(html: string): ShownRow[] {
	return [...html.matchAll(/<tr([^>]*data-action-id="([^"]+)"[^>]*)>([\s\S]*?)<\/tr>/g)].map((m) => ({
		id: m[2]!,
		overdue: /class="[^"]*\boverdue\b/.test(m[1]!),
		text: textOf(m[3]!),
		html: m[3]!
	}));
}
/** The rows of one group's table ("te-laat", "deze-week", "later", ...). */
function groupRows(html: string, group: string): ShownRow[] {
	const start = html.indexOf(`aria-labelledby="groep-${group}"`);
	if (start < 0) return [];
	const end = html.indexOf('</section>', start);
	return rowsOf(html.slice(start, end));
}
const texts = (rows: ShownRow[]) => rows.map((r) => ACTION_TEXTS.find((t) => r.text.includes(t)) ?? r.text);
const ACTION_TEXTS = [SCHULD, INTAKE, WOONPLEK, MDA_ACTION];

async function page(who: string, query = ''): Promise<{ reply: Reply; rows: ShownRow[] }> {
	const reply = await get(who, `/acties${query}`);
	expect(reply.status, reply.body.slice(0, 500)).toBe(200);
	return { reply, rows: rowsOf(reply.body) };
}

function actionId(caseNumber: number, text: string): string {
	const row = db.prepare('select action_id from action_rows where case_id = ? and text = ?').get(caseNumber, text) as { action_id: string } | undefined;
	if (!row) throw new Error(`no action "${text}" in case ${caseNumber}`);
	return row.action_id;
}
function projected(caseNumber: number, text: string): { status: string; note: string } | undefined {
	return db.prepare('select status, note from action_rows where case_id = ? and text = ?').get(caseNumber, text) as { status: string; note: string } | undefined;
}
function audits(userId: number): { case_id: number; detail: string }[] {
	return db.prepare("select case_id, detail from audit_log where action = 'action.update' and user_id = ? order by id").all(userId) as { case_id: number; detail: string }[];
}

async function openDoc(who: string, caseNumber: number): Promise<DocClient> {
	const client = connectDoc(server.url, `case:${caseNumber}`, await as(who));
	clients.push(client);
	await client.synced;
	return client;
}
const inDoc = (client: DocClient, text: string) => readActions(client.doc).find((a) => a.text === text);

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	t150 = caseId(db, 'T150-2026-014');
	mda = caseId(db, 'MDA-2026-001');
	ggz = organisationId(db, 'GGZ Voorbeeld');
	// the projection is rebuilt from the seeded documents just after start-up
	await waitFor('the seeded actions to be projected', () => (db.prepare('select count(*) as n from action_rows where case_id = ?').get(t150) as { n: number }).n === 3, 10_000, 50);
	await Promise.all(['deelnemer', 'waarnemer', 'geen-toegang', 'tom', 'voorzitter', 'secretaris', 'linda', 'kees'].map(as));
}, 60_000);

afterEach(() => {
	while (sockets.length) sockets.pop()!.disconnect();
});

afterAll(async () => {
	for (const c of clients) c.destroy();
	db?.close();
	await server?.stop();
});

describe('who sees which action', () => {
	it('An anonymous visitor is sent to the login page.', async () => {
		const reply = await get(null, '/acties');
		expect([reply.status, reply.location]).toEqual([303, `/login?terug=${encodeURIComponent('/acties')}`]);
	});

	it('deelnemer@ holds two actions of T150-2026-014 and sees both, the done one only when she asks for every status.', async () => {
		const mine = await page('deelnemer', '?status=alle&wie=mijn');
		expect(texts(mine.rows).sort()).toEqual([SCHULD, WOONPLEK].sort());
		for (const row of mine.rows) expect(row.text).toContain('T150-2026-014');
		// by default only open and in-progress actions
		const open = await page('deelnemer', '?wie=mijn');
		expect(texts(open.rows)).toEqual([SCHULD]);
		expect(groupRows(open.reply.body, 'later').map((r) => r.id)).toEqual([actionId(t150, SCHULD)]);
	});

	it('The waarnemer sees her overdue intake first, under "Te laat", marked in words and not only in colour.', async () => {
		const { reply, rows } = await page('waarnemer');
		expect(texts(rows)).toEqual([INTAKE]);
		const [row] = groupRows(reply.body, 'te-laat');
		expect(row?.id).toBe(actionId(t150, INTAKE));
		expect(row!.overdue).toBe(true);
		expect(row!.text).toContain('Te laat');
		expect(row!.text).toContain('Te laat 3 dagen');
		expect(row!.html).toMatch(/<svg[^>]*aria-hidden="true"/);
		expect(textOf(reply.body)).toContain('1 te laat');
		// she may view the case, so the code links to it
		expect(row!.html).toContain(`href="/casus/${t150}"`);
		// as a waarnemer she may still change her own action
		expect(row!.html).toContain('name="status"');
		// she is no casemanager: no actiehouder column, no "which actions" filter
		expect(reply.body).not.toContain('>Actiehouder</th>');
		expect(reply.body).not.toContain('id="f-wie"');
	});

	it('Someone who is neither actiehouder nor regisseur sees none of the actions, whatever the filters: the police, the OM and the voorzitter.', async () => {
		for (const who of ['geen-toegang', 'tom', 'voorzitter']) {
			for (const query of ['', '?status=alle', `?status=alle&casus=${t150}`]) {
				const { reply, rows } = await page(who, query);
				expect(rows, `${who} ${query}`).toEqual([]);
				for (const text of ACTION_TEXTS) expect(reply.body, `${who} ${query}`).not.toContain(text);
			}
		}
		const { reply } = await page('geen-toegang');
		expect(textOf(reply.body)).toContain('U hebt nog geen acties.');
		expect(reply.body).not.toContain('Filter toepassen');
	});

	it('As casusregisseur of T150-2026-014, deelnemer@ sees all three actions of her case with their actiehouders; so does the secretaris as procesregisseur.', async () => {
		const { reply, rows } = await page('deelnemer', `?status=alle&casus=${t150}`);
		expect(texts(rows).sort()).toEqual([INTAKE, SCHULD, WOONPLEK].sort());
		expect(reply.body).toContain('>Actiehouder</th>');
		const intake = rows.find((r) => r.text.includes(INTAKE))!;
		expect(intake.text).toContain('Lotte Jansen');
		expect(intake.text).toContain('GGZ Voorbeeld');
		expect(intake.overdue).toBe(true);
		// her own are marked as hers
		expect(rows.find((r) => r.text.includes(SCHULD))!.text).toContain('Mijn actie');
		expect(intake.text).not.toContain('Mijn actie');
		// sorted: overdue first, then by deadline, the done one last
		expect(texts(rows)).toEqual([INTAKE, SCHULD, WOONPLEK]);
		// "mine" narrows it to her own
		expect(texts((await page('deelnemer', `?status=alle&wie=mijn&casus=${t150}`)).rows).sort()).toEqual([SCHULD, WOONPLEK].sort());

		const secretaris = await page('secretaris', '?status=alle');
		expect(texts(secretaris.rows).sort()).toEqual([INTAKE, SCHULD, WOONPLEK].sort());
	});

	it('linda@ (casusregisseur of MDA-2026-001) sees an action given to Veilig Thuis in a live document at once, and so does its actiehouder.', async () => {
		const kees = user(db, demoEmail('kees'));
		const doc = await openDoc('linda', mda);
		addAction(doc.doc, {
			text: MDA_ACTION,
			actiehouderId: kees.id,
			actiehouderName: 'Kees Mulder',
			organisationId: kees.organisationId,
			organisationName: 'Veilig Thuis Voorbeeld',
			deadline: '',
			status: 'open',
			leefgebied: ''
		});
		await waitFor('the MDA action to be projected', () => projected(mda, MDA_ACTION), 5_000, 20);

		const linda = await page('linda');
		expect(texts(linda.rows)).toEqual([MDA_ACTION]);
		const [row] = groupRows(linda.reply.body, 'zonder-deadline');
		expect(row!.text).toContain('Kees Mulder');
		expect(row!.text).toContain('MDA-2026-001');
		expect(row!.html).toContain(`href="/casus/${mda}"`);

		expect(texts((await page('kees')).rows)).toEqual([MDA_ACTION]);
		// deelnemer@ directs T150-2026-014, not this household
		expect((await page('deelnemer', '?status=alle')).reply.body).not.toContain(MDA_ACTION);
	});
});

describe('changing status and note', () => {
	it('Marking an action done through the form changes the case document, the projection and the audit log, and tells the casemanager live.', async () => {
		const fatima = user(db, demoEmail('deelnemer'));
		const doc = await openDoc('secretaris', t150);
		const id = actionId(t150, SCHULD);
		expect(inDoc(doc, SCHULD)?.status).toBe('bezig');
		const live = connectLive(server.url, await as('secretaris'));
		sockets.push(live);
		await liveConnected(live);
		const told = new Promise<{ caseId: number }>((resolve) => live.once('acties:changed', resolve));

		const reply = await post('deelnemer', '/acties?/status', { caseId: t150, actionId: id, status: 'gedaan' });
		expect(reply.status).toBe(200);
		expect(textOf(reply.body)).toContain(`De status van “${SCHULD}” is nu gedaan.`);

		await waitFor('the document to say gedaan', () => inDoc(doc, SCHULD)?.status === 'gedaan', 2_000);
		await waitFor('the projection to follow', () => projected(t150, SCHULD)?.status === 'gedaan', 2_000);
		expect(await told).toEqual({ caseId: t150 });
		const [audit] = audits(fatima.id);
		expect(audit!.case_id).toBe(t150);
		expect(JSON.parse(audit!.detail)).toEqual({ actionId: id, status: 'gedaan', noteChanged: false });

		// with "open en bezig" shown, it has left the list
		expect(texts((await page('deelnemer', '?wie=mijn')).rows)).toEqual([]);
	});

	it('A note is saved in the document; the audit log says only that the note changed, never what it says. With JavaScript the answer is JSON.', async () => {
		const lotte = user(db, demoEmail('waarnemer'));
		const doc = await openDoc('deelnemer', t150);
		const note = 'Intake aangevraagd, wacht op een datum van de verslavingszorg.';
		const reply = await post('waarnemer', '/acties?/note', { caseId: t150, actionId: actionId(t150, INTAKE), note }, { accept: 'json' });
		expect(reply.status).toBe(200);
		expect(JSON.parse(reply.body)).toMatchObject({ type: 'success', status: 200 });
		await waitFor('the note in the document', () => inDoc(doc, INTAKE)?.note === note, 2_000);
		expect(inDoc(doc, INTAKE)?.status).toBe('open');
		const rows = audits(lotte.id);
		expect(JSON.parse(rows.at(-1)!.detail)).toEqual({ actionId: actionId(t150, INTAKE), noteChanged: true });
		expect(rows.at(-1)!.detail).not.toContain('verslavingszorg');

		// the actiehouder, a waarnemer, sets her own action in progress
		expect((await post('waarnemer', '/acties?/status', { caseId: t150, actionId: actionId(t150, INTAKE), status: 'bezig' })).status).toBe(200);
		await waitFor('bezig in the document', () => inDoc(doc, INTAKE)?.status === 'bezig', 2_000);
		await waitFor('the projection to follow', () => projected(t150, INTAKE)?.note === note, 2_000);
		const { rows: shown } = await page('waarnemer');
		expect(shown[0]!.html).toContain(`value="${note}"`);
		expect(shown[0]!.html).toMatch(/<option value="bezig" selected/);
	});

	it('Filters stay in the form address, so a post without JavaScript comes back to the same list.', async () => {
		const reply = await post('deelnemer', `/acties?status=alle&casus=${t150}&/status`, { caseId: t150, actionId: actionId(t150, SCHULD), status: 'gedaan' });
		expect(reply.status).toBe(200);
		expect(texts(rowsOf(reply.body)).sort()).toEqual([INTAKE, SCHULD, WOONPLEK].sort());
		expect(reply.body).toContain(`action="?casus=${t150}&amp;status=alle&amp;/note"`);
	});

	it('A wrong status or a long note is refused with a Dutch message, what was typed is kept, and nothing changes.', async () => {
		const doc = await openDoc('deelnemer', t150);
		const id = actionId(t150, INTAKE);
		const before = { ...inDoc(doc, INTAKE) };
		const auditCount = audits(user(db, demoEmail('waarnemer')).id).length;

		const badStatus = await post('waarnemer', '/acties?/status', { caseId: t150, actionId: id, status: 'klaar' });
		expect(badStatus.status).toBe(400);
		expect(badStatus.body).toContain('Kies een status: Open, Bezig, Gedaan, Vervallen.');
		// kept in the page's form data, though no option can show it
		expect(badStatus.body).toContain('"klaar"');
		const badStatusJson = await post('waarnemer', '/acties?/status', { caseId: t150, actionId: id, status: '' }, { accept: 'json' });
		expect(JSON.parse(badStatusJson.body)).toMatchObject({ type: 'failure', status: 400 });
		expect(badStatusJson.body).toContain('Kies een status');

		const long = 'Gebeld, '.repeat(40).trim(); // 319 characters
		const badNote = await post('waarnemer', '/acties?/note', { caseId: t150, actionId: id, note: long });
		expect(badNote.status).toBe(400);
		expect(textOf(badNote.body)).toContain('Houd de notitie kort: hoogstens 300 tekens.');
		// the row's field shows what was typed, marked invalid and explained
		const row = rowsOf(badNote.body).find((r) => r.id === id)!;
		expect(row.html).toContain(`value="${long}"`);
		expect(row.html).toMatch(/aria-invalid="true"/);
		expect(badNote.body).toMatch(/role="alert"/);

		await sleep(200);
		expect(inDoc(doc, INTAKE)).toEqual(before);
		expect(audits(user(db, demoEmail('waarnemer')).id)).toHaveLength(auditCount);
	});
});

describe('refusals', () => {
	it('geen-toegang@ (police, same table, no access) posting a status change gets the same 404 as for an action that does not exist, and nothing changes.', async () => {
		const doc = await openDoc('deelnemer', t150);
		const before = readActions(doc.doc);
		const pieter = user(db, demoEmail('geen-toegang'));
		const missing = await post('geen-toegang', '/acties?/status', { caseId: t150, actionId: 'bestaat-niet', status: 'gedaan' });
		expect(missing.status).toBe(404);
		for (const text of [INTAKE, SCHULD, WOONPLEK]) {
			const reply = await post('geen-toegang', '/acties?/status', { caseId: t150, actionId: actionId(t150, text), status: 'vervallen' });
			expect(reply.status, text).toBe(404);
			expect(textOf(reply.body)).toContain(NOT_FOUND);
			expect(reply.body).not.toContain(text);
			const json = await post('geen-toegang', '/acties?/note', { caseId: t150, actionId: actionId(t150, text), note: 'x' }, { accept: 'json' });
			expect(JSON.parse(json.body)).toMatchObject({ type: 'failure', status: 404 });
		}
		// and not with a made-up or foreign case id either
		for (const caseValue of ['0', 'abc', String(mda), '999999']) {
			const reply = await post('geen-toegang', '/acties?/status', { caseId: caseValue, actionId: actionId(t150, INTAKE), status: 'gedaan' });
			expect(reply.status, caseValue).toBe(404);
		}
		await sleep(200);
		expect(readActions(doc.doc)).toEqual(before);
		expect(audits(pieter.id)).toEqual([]);
	});

	it("Somebody else's action in a case one may only read cannot be changed: the waarnemer and Fatima's action.", async () => {
		const reply = await post('waarnemer', '/acties?/status', { caseId: t150, actionId: actionId(t150, SCHULD), status: 'open' });
		expect(reply.status).toBe(404);
		expect(projected(t150, SCHULD)?.status).toBe('gedaan');
	});

	it('Once the voorzitter withdraws the organisation’s access, its actiehouder no longer sees or changes the action; access granted again brings it back.', async () => {
		const doc = await openDoc('deelnemer', t150);
		const id = actionId(t150, INTAKE);
		const withdrawn = await post('voorzitter', `/casus/${t150}?/withdraw`, { organisationId: ggz }, { accept: 'json' });
		expect(JSON.parse(withdrawn.body)).toMatchObject({ type: 'success', status: 200 });
		expect(hasActiveAccess(db, t150, ggz)).toBe(false);

		const { reply, rows } = await page('waarnemer', '?status=alle');
		expect(rows).toEqual([]);
		expect(reply.body).not.toContain(INTAKE);
		const before = inDoc(doc, INTAKE);
		const refused = await post('waarnemer', '/acties?/status', { caseId: t150, actionId: id, status: 'gedaan' });
		expect(refused.status).toBe(404);
		const refusedNote = await post('waarnemer', '/acties?/note', { caseId: t150, actionId: id, note: 'toch nog even' });
		expect(refusedNote.status).toBe(404);
		await sleep(200);
		expect(inDoc(doc, INTAKE)).toEqual(before);
		// the casemanager still sees it: her organisation kept its access
		expect(texts((await page('deelnemer')).rows)).toContain(INTAKE);

		const regranted = await post('voorzitter', `/casus/${t150}?/grant`, { organisationId: ggz }, { accept: 'json' });
		expect(JSON.parse(regranted.body)).toMatchObject({ type: 'success', status: 200 });
		expect(texts((await page('waarnemer')).rows)).toEqual([INTAKE]);
	});
});
