import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/lib/server/seed/demo';
import {
	caseId,
	hasActiveAccess,
	openShared,
	organisationId,
	tableId,
	user,
	type SharedDb
} from './helpers/db';
import { request, startServer, type Reply, type RequestOptions, type TestServer, demoEmail, demoLogins } from './helpers/server';

/**
 * Need to know over HTTP, against the real server in a child process on the production build,
 * as a browser, a script and an attacker would meet it. One server and one login per demo user
 * for the whole file; the tests run in order and leave the data as they found it, except the
 * last two (throttling and blocking), which use accounts nothing else here needs afterwards.
 */
let server: TestServer;
let db: SharedDb;
const NO_SUCH_ID = 999_999;
const NOT_FOUND_TEXT = 'Deze pagina bestaat niet of u hebt er geen toegang toe.';

let t150: number; // T150-2026-014: access for Sociaal Team (deelnemer@) and GGZ (waarnemer@)
let t150Other: number; // T150-2026-015: access for Politie (geen-toegang@)
let t150New: number; // T150-2026-016: no access for anyone yet
let oph: number; // OPH-2026-003, at a table geen-toegang@ is not a member of
let top150Table: number;
let ophTable: number;
let sociaalTeam: number;
let politie: number;

const email = demoEmail;
/** The session cookie of a demo user, logging in once per file. */
const as = demoLogins(() => server);
const get = async (who: string | null, path: string, options: RequestOptions = {}) =>
	request(server.url, path, { ...options, cookie: who ? await as(who) : null });
const post = async (who: string | null, path: string, form: Record<string, string | number>, options: RequestOptions = {}) =>
	request(server.url, path, { ...options, form, cookie: who ? await as(who) : null });

/**
 * What an observer can compare between two answers: status, headers and body, with the
 * per-response parts (date, the CSP nonce and the etag that depends on it) and the requested
 * id itself taken out.
 */
function observable(reply: Reply, id: number) {
	const scrub = (text: string) =>
		text
			.replace(/nonce-[A-Za-z0-9+/=]+/g, 'nonce-X')
			.replace(/nonce="[^"]*"/g, 'nonce="X"')
			.replaceAll(`/casus/${id}`, '/casus/:id')
			.replaceAll(`/tafels/${id}`, '/tafels/:id')
			.replaceAll(`%2Fcasus%2F${id}`, '%2Fcasus%2F:id')
			.replaceAll(`%2Ftafels%2F${id}`, '%2Ftafels%2F:id');
	const headers: Record<string, string> = {};
	reply.headers.forEach((value, name) => {
		if (!['date', 'etag', 'content-length'].includes(name)) headers[name] = scrub(value);
	});
	return { status: reply.status, headers, body: scrub(reply.body) };
}

function caseViews(caseIdValue: number, userId: number): number {
	const row = db
		.prepare("select count(*) as n from audit_log where action = 'case.view' and case_id = ? and user_id = ?")
		.get(caseIdValue, userId) as { n: number };
	return row.n;
}

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	t150 = caseId(db, 'T150-2026-014');
	t150Other = caseId(db, 'T150-2026-015');
	t150New = caseId(db, 'T150-2026-016');
	oph = caseId(db, 'OPH-2026-003');
	top150Table = tableId(db, 'Top 150 Regio Voorbeeld');
	ophTable = tableId(db, 'Overleg Passende Hulp Regio Voorbeeld');
	sociaalTeam = organisationId(db, 'Sociaal Team Voorbeeld');
	politie = organisationId(db, 'Politie Eenheid Voorbeeld');
	// log everybody in up front, in parallel
	await Promise.all(['deelnemer', 'geen-toegang', 'waarnemer', 'voorzitter', 'beheerder'].map(as));
});

afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('anonymous visitors', () => {
	it('An anonymous visitor who opens a page is sent to the login page, which will bring them back afterwards.', async () => {
		for (const path of ['/', `/casus/${t150}`, `/tafels/${top150Table}`, '/account']) {
			const reply = await get(null, path);
			expect([reply.status, reply.location], path).toEqual([303, `/login?terug=${encodeURIComponent(path)}`]);
			expect(reply.body, path).not.toContain('Rens Verzonnen');
		}
	});

	it('An anonymous program gets a 401 JSON answer from the API, the same for an existing and a missing case.', async () => {
		for (const id of [t150, NO_SUCH_ID]) {
			const reply = await get(null, `/api/casus/${id}`);
			expect(reply.status).toBe(401);
			expect(reply.headers.get('content-type')).toContain('application/json');
			expect(JSON.parse(reply.body)).toEqual({ ok: false, code: 'UNAUTHENTICATED', message: 'Log eerst in.' });
		}
	});

	it('An anonymous form post to grant access is sent to the login page and grants nothing.', async () => {
		const reply = await post(null, `/casus/${t150New}?/grant`, { organisationId: politie });
		expect(reply.status).toBe(303);
		expect(reply.location).toMatch(/^\/login\?terug=/);
		expect(hasActiveAccess(db, t150New, politie)).toBe(false);
	});

	it('A made-up session cookie counts as anonymous, and the server tells the browser to drop it.', async () => {
		const reply = await request(server.url, `/casus/${t150}`, { cookie: 'casustafel_sessie=abcdefghijklmnopqrstuvwxyz234567' });
		expect(reply.status).toBe(303);
		expect(reply.location).toMatch(/^\/login/);
		expect(reply.sessionCookie).toBe('casustafel_sessie=');
	});
});

describe('a case you may not see looks exactly like a case that does not exist', () => {
	// T150-2026-014: his table, not his organisation; OPH-2026-003: not even his table
	const forbiddenCases = () => [
		['T150-2026-014', t150],
		['OPH-2026-003', oph]
	] as const;

	it('Opening the case page gives the same 404 page as opening a case id that does not exist.', async () => {
		const missing = await get('geen-toegang', `/casus/${NO_SUCH_ID}`);
		expect(missing.status).toBe(404);
		expect(missing.body).toContain(NOT_FOUND_TEXT);
		for (const [code, id] of forbiddenCases()) {
			const forbidden = await get('geen-toegang', `/casus/${id}`);
			expect(observable(forbidden, id), code).toEqual(observable(missing, NO_SUCH_ID));
			expect(forbidden.body).not.toContain(code);
		}
	});

	it('The JSON endpoint gives the same 404 body for a forbidden case as for a missing one.', async () => {
		const missing = await get('geen-toegang', `/api/casus/${NO_SUCH_ID}`, { accept: 'json' });
		expect(missing.status).toBe(404);
		expect(JSON.parse(missing.body)).toEqual({ ok: false, code: 'NOT_FOUND', message: NOT_FOUND_TEXT });
		for (const [code, id] of forbiddenCases()) {
			const forbidden = await get('geen-toegang', `/api/casus/${id}`, { accept: 'json' });
			expect(observable(forbidden, id), code).toEqual(observable(missing, NO_SUCH_ID));
		}
	});

	it('Posting the grant form for a forbidden case answers like a missing case, with and without JavaScript, and grants nothing.', async () => {
		for (const accept of ['html', 'json'] as const) {
			const missing = await post('geen-toegang', `/casus/${NO_SUCH_ID}?/grant`, { organisationId: politie }, { accept });
			expect(missing.status).toBe(accept === 'html' ? 404 : 200);
			if (accept === 'json') expect(JSON.parse(missing.body)).toMatchObject({ type: 'failure', status: 404 });
			for (const [code, id] of forbiddenCases()) {
				const forbidden = await post('geen-toegang', `/casus/${id}?/grant`, { organisationId: politie }, { accept });
				expect(observable(forbidden, id), `${code} ${accept}`).toEqual(observable(missing, NO_SUCH_ID));
				expect(hasActiveAccess(db, id, politie), code).toBe(false);
			}
		}
	});

	it('Posting the withdraw form for a forbidden case answers like a missing case, with and without JavaScript, and withdraws nothing.', async () => {
		for (const accept of ['html', 'json'] as const) {
			const missing = await post('geen-toegang', `/casus/${NO_SUCH_ID}?/withdraw`, { organisationId: sociaalTeam }, { accept });
			for (const [code, id] of forbiddenCases()) {
				const forbidden = await post('geen-toegang', `/casus/${id}?/withdraw`, { organisationId: sociaalTeam }, { accept });
				expect(observable(forbidden, id), `${code} ${accept}`).toEqual(observable(missing, NO_SUCH_ID));
				expect(hasActiveAccess(db, id, sociaalTeam), code).toBe(true);
			}
		}
	});

	it('A refused look at a case is not written down as a case view.', async () => {
		const { id } = user(db, email('geen-toegang'));
		expect(caseViews(t150, id)).toBe(0);
		expect(caseViews(oph, id)).toBe(0);
	});
});

describe('tables', () => {
	it('A table you are not a member of gives the same 404 page as a table that does not exist.', async () => {
		const missing = await get('geen-toegang', `/tafels/${NO_SUCH_ID}`);
		const forbidden = await get('geen-toegang', `/tafels/${ophTable}`);
		expect(missing.status).toBe(404);
		expect(observable(forbidden, ophTable)).toEqual(observable(missing, NO_SUCH_ID));
		expect(forbidden.body).not.toContain('Overleg Passende Hulp');
	});

	it("Your own table lists only the cases your organisation may open, not the others at the table.", async () => {
		const reply = await get('geen-toegang', `/tafels/${top150Table}`);
		expect(reply.status).toBe(200);
		expect(reply.body).toContain('T150-2026-015');
		expect(reply.body).not.toContain('T150-2026-014');
		expect(reply.body).not.toContain('T150-2026-016');
		// the chair sees all three
		const chair = await get('voorzitter', `/tafels/${top150Table}`);
		for (const code of ['T150-2026-014', 'T150-2026-015', 'T150-2026-016']) expect(chair.body).toContain(code);
	});
});

describe('members with access', () => {
	it('A deelnemer whose organisation has access opens the case page and reads it through the API.', async () => {
		const page = await get('deelnemer', `/casus/${t150}`);
		expect(page.status).toBe(200);
		expect(page.body).toContain('Casus T150-2026-014');
		expect(page.body).toContain('Rens Verzonnen');
		// a deelnemer is not offered the access forms
		expect(page.body).not.toContain('?/grant');

		const api = await get('deelnemer', `/api/casus/${t150}`, { accept: 'json' });
		expect(api.status).toBe(200);
		expect(JSON.parse(api.body)).toMatchObject({ ok: true, data: { id: t150, code: 'T150-2026-014' } });
	});

	it('A waarnemer whose organisation has access sees the case too.', async () => {
		const page = await get('waarnemer', `/casus/${t150}`);
		expect(page.status).toBe(200);
		expect(page.body).toContain('Casus T150-2026-014');
		// the case, but the subject by initials: Top 150 shows the name to chair, secretaris and regisseurs
		expect(page.body).toContain('R.V.');
		expect(page.body).not.toContain('Rens Verzonnen');
	});

	it("The voorzitter's grant opens the case to the new organisation at once, and withdrawing closes it again on the very next request.", async () => {
		const granted = await post('voorzitter', `/casus/${t150}?/grant`, { organisationId: politie });
		expect(granted.status).toBe(200);
		expect(granted.body).toContain('Toegang verleend.');
		expect(hasActiveAccess(db, t150, politie)).toBe(true);

		const opened = await get('geen-toegang', `/casus/${t150}`);
		expect(opened.status).toBe(200);
		expect(opened.body).toContain('Casus T150-2026-014');
		expect(opened.body).toContain('R.V.');

		const withdrawn = await post('voorzitter', `/casus/${t150}?/withdraw`, { organisationId: politie });
		expect(withdrawn.status).toBe(200);
		expect(withdrawn.body).toContain('Toegang ingetrokken.');
		const missing = await get('geen-toegang', `/casus/${NO_SUCH_ID}`);
		const closed = await get('geen-toegang', `/casus/${t150}`);
		expect(observable(closed, t150)).toEqual(observable(missing, NO_SUCH_ID));
	});

	it("When the voorzitter withdraws a deelnemer's organisation, that deelnemer's open session loses the case on its next request, and regains it when access is granted again.", async () => {
		expect((await get('deelnemer', `/casus/${t150}`)).status).toBe(200);

		const withdrawn = await post('voorzitter', `/casus/${t150}?/withdraw`, { organisationId: sociaalTeam }, { accept: 'json' });
		expect(JSON.parse(withdrawn.body)).toMatchObject({ type: 'success', status: 200 });

		const missingPage = await get('deelnemer', `/casus/${NO_SUCH_ID}`);
		const page = await get('deelnemer', `/casus/${t150}`);
		expect(observable(page, t150)).toEqual(observable(missingPage, NO_SUCH_ID));
		const api = await get('deelnemer', `/api/casus/${t150}`, { accept: 'json' });
		expect([api.status, JSON.parse(api.body).code]).toEqual([404, 'NOT_FOUND']);
		expect((await get('deelnemer', `/tafels/${top150Table}`)).body).not.toContain('T150-2026-014');

		const regranted = await post('voorzitter', `/casus/${t150}?/grant`, { organisationId: sociaalTeam }, { accept: 'json' });
		expect(JSON.parse(regranted.body)).toMatchObject({ type: 'success', status: 200 });
		expect((await get('deelnemer', `/casus/${t150}`)).status).toBe(200);
	});
});

describe('the audit log', () => {
	it('Every view of a case, as a page or through the API, writes exactly one audit row with the user and the organisation they act for.', async () => {
		for (const who of ['deelnemer', 'waarnemer', 'voorzitter']) {
			const me = user(db, email(who));
			for (const path of [`/casus/${t150}`, `/api/casus/${t150}`]) {
				const before = caseViews(t150, me.id);
				const lastId = (db.prepare('select max(id) as id from audit_log').get() as { id: number }).id;
				const reply = await get(who, path, { accept: path.startsWith('/api') ? 'json' : 'html' });
				expect(reply.status, `${who} ${path}`).toBe(200);
				expect(caseViews(t150, me.id), `${who} ${path}`).toBe(before + 1);
				const rows = db
					.prepare('select user_id, organisation_id, action, case_id from audit_log where id > ? order by id')
					.all(lastId);
				expect(rows, `${who} ${path}`).toEqual([
					{ user_id: me.id, organisation_id: me.organisationId, action: 'case.view', case_id: t150 }
				]);
			}
		}
	});
});

describe('form posts from another site', () => {
	const foreign = 'https://kwaadwillend.example';

	it('A login form posted from another origin is refused and starts no session.', async () => {
		const reply = await request(server.url, '/login', {
			form: { email: email('voorzitter'), password: DEMO_PASSWORD },
			origin: foreign
		});
		expect(reply.status).toBe(403);
		expect(reply.sessionCookie).toBeNull();
	});

	it("A grant posted with the voorzitter's cookie from another origin, in any encoding a form can use, is refused and grants nothing.", async () => {
		const cookie = await as('voorzitter');
		const path = `/casus/${t150New}?/grant`;
		const multipart = new FormData();
		multipart.set('organisationId', String(politie));
		const attempts: [string, RequestOptions][] = [
			['urlencoded', { form: { organisationId: politie }, origin: foreign }],
			['multipart', { body: { contentType: 'multipart/form-data', data: multipart }, origin: foreign }],
			['text/plain', { body: { contentType: 'text/plain', data: `organisationId=${politie}` }, origin: foreign }],
			['sandboxed page (Origin: null)', { form: { organisationId: politie }, origin: 'null' }],
			['no Origin header', { form: { organisationId: politie }, origin: null }]
		];
		for (const [label, options] of attempts) {
			const reply = await request(server.url, path, { ...options, method: 'POST', cookie });
			expect(reply.status, label).toBe(403);
			expect(reply.body, label).toContain('Cross-site POST form submissions are forbidden');
		}
		expect(hasActiveAccess(db, t150New, politie)).toBe(false);
		// the same post from the app itself works, so the refusals above are about the origin
		const own = await request(server.url, path, { form: { organisationId: politie }, cookie, accept: 'json' });
		expect(JSON.parse(own.body)).toMatchObject({ type: 'success' });
		expect(hasActiveAccess(db, t150New, politie)).toBe(true);
		await request(server.url, `/casus/${t150New}?/withdraw`, { form: { organisationId: politie }, cookie, accept: 'json' });
		expect(hasActiveAccess(db, t150New, politie)).toBe(false);
	});
});

describe('login throttling over HTTP', () => {
	it('After 5 wrong passwords the 6th attempt, even with the right password, gets 429 with a Dutch message saying when, and the typed address stays in the form.', async () => {
		for (let i = 1; i <= 5; i++) {
			const reply = await request(server.url, '/login', { form: { email: email('tom'), password: `fout-${i}` } });
			expect(reply.status, `attempt ${i}`).toBe(401);
			expect(reply.body).toContain('Het e-mailadres of het wachtwoord klopt niet.');
			expect(reply.sessionCookie).toBeNull();
		}
		const typed = 'Tom@Casustafel.example';
		const reply = await request(server.url, '/login', { form: { email: typed, password: DEMO_PASSWORD } });
		expect(reply.status).toBe(429);
		expect(reply.body).toMatch(/Te veel mislukte pogingen\. Probeer het opnieuw om \d{2}:\d{2} \(over 1 minuut\)\./);
		expect(reply.body).toContain(`value="${typed}"`);
		expect(reply.body).not.toContain(DEMO_PASSWORD);
		expect(reply.sessionCookie).toBeNull();

		// programs posting like use:enhance get the same code
		const json = await request(server.url, '/login', { form: { email: typed, password: DEMO_PASSWORD }, accept: 'json' });
		expect(JSON.parse(json.body)).toMatchObject({ type: 'failure', status: 429 });
	});
});

describe('a blocked user', () => {
	it("When the beheerder blocks a logged-in deelnemer, the deelnemer's open session stops working on its next request.", async () => {
		const deelnemer = user(db, email('deelnemer'));
		expect((await get('deelnemer', `/casus/${t150}`)).status).toBe(200);

		const blocked = await post('beheerder', '/beheer/gebruikers?/block', { userId: deelnemer.id });
		expect(blocked.status).toBe(200);
		expect(blocked.body).toContain('De gebruiker is geblokkeerd en overal uitgelogd.');

		const page = await get('deelnemer', `/casus/${t150}`);
		expect(page.status).toBe(303);
		expect(page.location).toBe(`/login?terug=${encodeURIComponent(`/casus/${t150}`)}`);
		expect(page.sessionCookie).toBe('casustafel_sessie=');
		expect((await get('deelnemer', `/api/casus/${t150}`, { accept: 'json' })).status).toBe(401);
		expect(db.prepare('select count(*) as n from sessions where user_id = ?').get(deelnemer.id)).toEqual({ n: 0 });

		const again = await request(server.url, '/login', { form: { email: email('deelnemer'), password: DEMO_PASSWORD } });
		expect(again.status).toBe(401);
		expect(again.body).toContain('Het e-mailadres of het wachtwoord klopt niet.');
		expect(again.sessionCookie).toBeNull();
	});
});
