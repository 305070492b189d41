import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseId, openShared, organisationId, tableId, type SharedDb } from './helpers/db';
import { connectDoc, connectLive, emitAck, liveConnected, sleep, waitFor, type LiveSocket } from './helpers/realtime';
import { demoLogins, request, startServer, type Reply, type TestServer } from './helpers/server';

/**
 * The authorization matrix over every transport, for every demo role, against one real server:
 * page loads and endpoints (GET), form actions (POST), socket.io events on /live, and document
 * connections. Each row writes out who is let in ('ok') and who is not ('no': 404, the 4403
 * close, or the NOT_FOUND ack; the same answer as for something that does not exist); an
 * anonymous visitor is sent to the login page ('login') or refused at the handshake (4401).
 * Every refusal of a form action or event is checked for having changed nothing.
 *
 * Roles (demo region, Top 150 table, case T150-2026-014, its planned meeting):
 *   B  beheerder          administrator, member of no table
 *   V  voorzitter         chair of Top 150
 *   S  secretaris         secretary of Top 150
 *   D  deelnemer          member; her organisation (Sociaal Team) has access to T150-2026-014, casusregisseur
 *   G  geen-toegang       member (police); no access to T150-2026-014; submitted a T150 request
 *   W  waarnemer          observer (GGZ), access to T150-2026-014, read-only
 *   O  linda              outsider: Sociaal Team (an organisation with access!) but no member
 *   A  anonymous          no session
 */
type Role = 'B' | 'V' | 'S' | 'D' | 'G' | 'W' | 'O' | 'A';
type Expect = 'ok' | 'no' | 'login';
const ROLES: Role[] = ['B', 'V', 'S', 'D', 'G', 'W', 'O', 'A'];
const LOGIN: Record<Exclude<Role, 'A'>, string> = {
	B: 'beheerder',
	V: 'voorzitter',
	S: 'secretaris',
	D: 'deelnemer',
	G: 'geen-toegang',
	W: 'waarnemer',
	O: 'linda'
};

/** One row: a string of 8 letters in ROLES order, o = ok, n = no, l = login. */
const row = (s: string): Record<Role, Expect> => {
	const letters = s.replace(/\s/g, '');
	if (letters.length !== ROLES.length) throw new Error(`row ${s}`);
	return Object.fromEntries(ROLES.map((r, i) => [r, letters[i] === 'o' ? 'ok' : letters[i] === 'n' ? 'no' : 'login'])) as Record<Role, Expect>;
};

let server: TestServer;
let db: SharedDb;
const ids = { table: 0, case: 0, meeting: 0, request: 0, onderwijs: 0, sociaalTeam: 0, action: '' };
const logins = demoLogins(() => server);
const cookieOf = async (role: Role) => (role === 'A' ? null : logins(LOGIN[role]));
const figures = { pages: 0, actions: 0, events: 0, docs: 0 };

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	ids.table = tableId(db, 'Top 150 Regio Voorbeeld');
	ids.case = caseId(db, 'T150-2026-014');
	ids.meeting = (
		db.prepare("select id from meetings where case_table_id = ? and status = 'gepland' order by starts_at limit 1").get(ids.table) as { id: number }
	).id;
	ids.request = (
		db.prepare("select r.id from requests r join users u on u.id = r.submitted_by where u.email = 'geen-toegang@casustafel.example'").get() as { id: number }
	).id;
	ids.onderwijs = (db.prepare("select id from organisations where type = 'onderwijs' limit 1").get() as { id: number }).id;
	ids.sociaalTeam = organisationId(db, (db.prepare("select o.name from organisations o join users u on u.organisation_id = o.id where u.email = 'linda@casustafel.example'").get() as { name: string }).name);
	await waitFor('the seeded actions to be projected', () => db.prepare('select action_id from action_rows where case_id = ? limit 1').get(ids.case), 10_000, 50);
	ids.action = (db.prepare('select action_id from action_rows where case_id = ? order by position limit 1').get(ids.case) as { action_id: string }).action_id;
	await Promise.all(ROLES.filter((r) => r !== 'A').map(cookieOf));
}, 60_000);

afterAll(async () => {
	db?.close();
	await server?.stop();
	console.log(`authorization matrix figures: ${JSON.stringify(figures)}`);
});

function outcomeOfPage(reply: Reply): Expect | string {
	if (reply.status === 200) return 'ok';
	if (reply.status === 404) return 'no';
	if (reply.status === 401) return 'login'; // an endpoint answers an anonymous request itself
	if ((reply.status === 303 || reply.status === 302 || reply.status === 307) && reply.location?.startsWith('/login')) return 'login';
	return `HTTP ${reply.status} ${reply.location ?? ''}`;
}

/** What client-side navigation loads: the page's server data, or its error or redirect. */
function outcomeOfData(reply: Reply): Expect | string {
	if (reply.status === 404) return 'no';
	const body = JSON.parse(reply.body) as { type: string; status?: number; location?: string; nodes?: ({ type: string; status?: number } | null)[] };
	if (body.type === 'redirect') return body.location?.startsWith('/login') ? 'login' : `redirect ${body.location}`;
	if (body.type === 'error') return body.status === 404 ? 'no' : `error ${body.status}`;
	const failed = body.nodes?.find((n) => n?.type === 'error');
	if (failed) return failed.status === 404 ? 'no' : `error ${failed.status}`;
	return 'ok';
}

/** A form action answered as to `use:enhance` (JSON): success, failure(status), redirect or error. */
function outcomeOfAction(reply: Reply): Expect | string {
	if (reply.status === 404) return 'no';
	if (reply.status === 303 && reply.location?.startsWith('/login')) return 'login';
	let body: { type: string; status?: number; location?: string };
	try {
		body = JSON.parse(reply.body);
	} catch {
		return `HTTP ${reply.status}`;
	}
	if (body.type === 'redirect') return body.location?.startsWith('/login') ? 'login' : 'ok';
	if (body.type === 'success') return 'ok';
	if (body.type === 'failure' || body.type === 'error') {
		const status = body.status ?? reply.status;
		// authorized, but the input or the state refused it: the gate was passed
		return status === 404 ? 'no' : status === 401 || status === 403 ? `HTTP ${status}` : 'ok';
	}
	return `HTTP ${reply.status} ${body.type}`;
}

describe('page loads and endpoints (GET)', () => {
	// page: server-rendered, its HTML and its data (__data.json, what client navigation loads) checked;
	// shell: `ssr = false`, the HTML is the same empty shell for everybody, so the data decides;
	// endpoint: a +server route
	type Kind = 'page' | 'shell' | 'endpoint';
	//                                                                    B V S D G W O A
	const pages: [string, Kind, () => string, string][] = [
		['table page', 'page', () => `/tafels/${ids.table}`, '                n o o o o o n l'],
		['case page', 'page', () => `/casus/${ids.case}`, '                 n o o o n o n l'],
		['case JSON', 'endpoint', () => `/api/casus/${ids.case}`, '          n o o o n o n l'],
		['meeting page', 'shell', () => `/overleg/${ids.meeting}`, '          n o o o o o n l'],
		['projector screen', 'shell', () => `/overleg/${ids.meeting}/scherm`, 'n o o o o o n l'],
		['verslag', 'page', () => `/overleg/${ids.meeting}/verslag`, '        n o o o o o n l'],
		['verslag PDF', 'endpoint', () => `/overleg/${ids.meeting}/verslag/verslag.pdf`, 'n o o o o o n l'],
		['triage', 'page', () => `/tafels/${ids.table}/triage`, '             n o o n n n n l'],
		['table monitoring', 'page', () => `/tafels/${ids.table}/monitoring`, 'n o o n n n n l'],
		['beheer', 'page', () => '/beheer', '                                  o n n n n n n l'],
		['beheer gebruikers', 'page', () => '/beheer/gebruikers', '           o n n n n n n l'],
		['beheer organisaties', 'page', () => '/beheer/organisaties', '       o n n n n n n l'],
		['beheer tafels', 'page', () => '/beheer/tafels', '                   o n n n n n n l'],
		['beheer tafeltypes', 'page', () => '/beheer/tafeltypes', '           o n n n n n n l'],
		['mijn acties', 'page', () => '/acties', '                            o o o o o o o l'],
		['besluitenlijst', 'page', () => `/tafels/${ids.table}/besluiten`, '    n o o o o o n l'],
		['table open actions CSV', 'endpoint', () => `/tafels/${ids.table}/acties.csv`, 'n o o o o o n l'],
		['table open actions xlsx', 'endpoint', () => `/tafels/${ids.table}/acties.xlsx`, 'n o o o o o n l'],
		['mijn acties CSV', 'endpoint', () => '/acties/acties.csv', '             o o o o o o o l'],
		['mijn acties xlsx', 'endpoint', () => '/acties/acties.xlsx', '           o o o o o o o l'],
		['zoeken', 'page', () => '/zoeken', '                                 o o o o o o o l'],
		['a request (aanmelding)', 'page', () => `/aanmelden/${ids.request}`, 'n o o n o n n l']
	];
	it.each(pages)('%s', async (_name, kind, path, expected) => {
		const want = row(expected);
		const got: Record<string, Expect | string> = {};
		const data: Record<string, Expect | string> = {};
		await Promise.all(
			ROLES.map(async (role) => {
				const cookie = await cookieOf(role);
				if (kind !== 'shell') got[role] = outcomeOfPage(await request(server.url, path(), { cookie }));
				if (kind !== 'endpoint') data[role] = outcomeOfData(await request(server.url, `${path()}/__data.json`, { cookie }));
			})
		);
		figures.pages += ROLES.length * (kind === 'page' ? 2 : 1);
		if (kind !== 'shell') expect(got).toEqual(want);
		if (kind !== 'endpoint') expect(data).toEqual(want);
	});
});

describe('form actions (POST)', () => {
	const fingerprint = (sql: string, ...args: unknown[]) => () => JSON.stringify(db.prepare(sql).all(...args));
	// the rows each action would change; a refusal must leave them as they were
	//                                                                   B V S D G W O A
	const actions: { name: string; path: () => string; form: () => Record<string, string | number>; state: () => () => string; expected: string; performer: Role }[] = [
		{
			name: 'grant a case access',
			path: () => `/casus/${ids.case}?/grant`,
			form: () => ({ organisationId: ids.onderwijs }),
			state: () => fingerprint('select organisation_id, withdrawn_at from case_access where case_id = ? order by organisation_id', ids.case),
			expected: 'n o o n n n n l',
			performer: 'S'
		},
		{
			name: 'change the lifecycle phase',
			path: () => `/casus/${ids.case}?/phase`,
			form: () => ({ phase: 'monitoring', reviewDate: '2027-01-15' }),
			state: () => fingerprint('select * from cases where id = ?', ids.case),
			// D is the active casusregisseur of T150-2026-014 (demo), whose organisation has access
			expected: 'n o o o n n n l',
			performer: 'V'
		},
		{
			name: 'triage: decline a request',
			path: () => `/tafels/${ids.table}/triage?/decline`,
			form: () => ({ requestId: ids.request, reason: 'Past niet bij deze tafel; meld aan bij het lokale team.' }),
			state: () => fingerprint('select * from requests where id = ?', ids.request),
			expected: 'n o o n n n n l',
			performer: 'V'
		},
		{
			name: 'set the status of an action',
			path: () => '/acties?/status',
			form: () => ({ caseId: ids.case, actionId: ids.action, status: 'gedaan' }),
			state: () => fingerprint('select * from action_rows where case_id = ? and action_id = ?', ids.case, ids.action),
			expected: 'n o o o n n n l',
			performer: 'D'
		},
		{
			name: 'plan a meeting of the table',
			path: () => `/tafels/${ids.table}?/schedule`,
			form: () => ({ date: '2027-06-01', startTime: '09:30', endTime: '11:00', location: 'Stadhuis, zaal 3', onlineUrl: '', repeat: 'none' }),
			state: () => fingerprint('select id from meetings where case_table_id = ? order by id', ids.table),
			expected: 'n o o n n n n l',
			performer: 'S'
		},
		{
			name: 'move a planned meeting of the table',
			path: () => `/tafels/${ids.table}?/update`,
			form: () => ({
				meetingId: (db.prepare('select max(id) as id from meetings where case_table_id = ?').get(ids.table) as { id: number }).id,
				date: '2027-06-08', startTime: '10:00', endTime: '11:30', location: 'Stadhuis, zaal 4', onlineUrl: ''
			}),
			state: () => fingerprint('select id, starts_at, ends_at, location, sequence from meetings where case_table_id = ? order by id', ids.table),
			expected: 'n o o n n n n l',
			performer: 'S'
		},
		{
			name: 'beheer: create a user',
			path: () => '/beheer/gebruikers?/create',
			form: () => ({ name: 'Nieuwe Medewerker', email: 'nieuw@casustafel.example', organisationId: ids.onderwijs, password: 'Een-lang-wachtwoord-2026' }),
			state: () => fingerprint('select id, email from users order by id'),
			expected: 'o n n n n n n l',
			performer: 'B'
		}
	];
	it.each(actions.map((a) => [a.name, a] as const))('%s', async (_name, action) => {
		const want = row(action.expected);
		const state = action.state();
		const before = state();
		const got: Record<string, Expect | string> = {};
		// every role that is refused, one after the other, with nothing changed after each
		for (const role of ROLES.filter((r) => want[r] !== 'ok')) {
			got[role] = outcomeOfAction(await request(server.url, action.path(), { cookie: await cookieOf(role), form: action.form(), accept: 'json' }));
			expect(state(), `${role} changed something`).toBe(before);
		}
		// then the one that may: it changes the rows
		const performer = action.performer;
		got[performer] = outcomeOfAction(await request(server.url, action.path(), { cookie: await cookieOf(performer), form: action.form(), accept: 'json' }));
		await waitFor(`${action.name} to take effect`, () => state() !== before, 3_000);
		// the others who may: past the gate (the state may now refuse a repeat, never with 404)
		for (const role of ROLES.filter((r) => want[r] === 'ok' && r !== performer)) {
			got[role] = outcomeOfAction(await request(server.url, action.path(), { cookie: await cookieOf(role), form: action.form(), accept: 'json' }));
		}
		figures.actions += ROLES.length;
		expect(got).toEqual(want);
	});
});

describe('socket.io events on /live', () => {
	const sockets = new Map<Role, LiveSocket>();
	beforeAll(async () => {
		for (const role of ROLES.filter((r) => r !== 'A')) {
			const socket = connectLive(server.url, await cookieOf(role));
			await liveConnected(socket);
			sockets.set(role, socket);
		}
	});
	afterAll(() => {
		for (const s of sockets.values()) s.disconnect();
	});

	it('anonymous: the handshake is refused', async () => {
		const socket = connectLive(server.url, null);
		await expect(liveConnected(socket)).rejects.toThrow('UNAUTHENTICATED');
		socket.disconnect();
		figures.events += 1;
	});

	const state = () =>
		JSON.stringify([
			db.prepare('select status, current_item_id, timer_started_at, timer_elapsed_ms, timer_extra_ms from meetings where id = ?').get(ids.meeting),
			db.prepare('select count(*) as n from attendance').get(),
			db.prepare('select count(*) as n from regie_assignments').get(),
			db.prepare('select count(*) as n from item_closures').get()
		]);
	//                                                                                   B V S D G W O
	const events: [string, () => Record<string, unknown>, string][] = [
		['meeting:join', () => ({ meetingId: ids.meeting }), '                           n o o o o o n'],
		['meeting:timer', () => ({ meetingId: ids.meeting, action: 'reset' }), '          n o o n n n n'],
		['meeting:current', () => ({ meetingId: ids.meeting, itemId: 'geen-agendapunt' }), 'n o o n n n n'],
		['item:close', () => ({ meetingId: ids.meeting, itemId: 'geen-agendapunt' }), '  n o o n n n n'],
		['item:carry', () => ({ meetingId: ids.meeting, itemId: 'geen-agendapunt' }), '  n o o n n n n'],
		['regie:set', () => ({ meetingId: ids.meeting, caseId: ids.case, kind: 'procesregisseur', userId: null }), 'n o o n n n n'],
		['attendance:add', () => ({ meetingId: ids.meeting, caseId: ids.case, kind: 'ouder', name: 'Matrix Ouder', age: null }), 'n o o o n n n'],
		['attendance:remove', () => ({ meetingId: ids.meeting, caseId: ids.case, attendeeId: 999_999 }), 'n o o o n n n'],
		['meeting:open', () => ({ meetingId: ids.meeting }), '                           n o o n n n n'],
		['meeting:close', () => ({ meetingId: ids.meeting + 100_000 }), '                n n n n n n n']
	];
	it.each(events)('%s', async (event, payload, expected) => {
		const want = row(`${expected} l`);
		const got: Record<string, Expect | string> = { A: 'login' };
		const refused = ROLES.filter((r) => r !== 'A' && want[r] === 'no');
		const before = state();
		for (const role of refused) {
			const ack = await emitAck(sockets.get(role)!, event, payload());
			got[role] = ack.ok ? 'ok' : ack.code === 'NOT_FOUND' ? 'no' : ack.code;
			expect(state(), `${role} changed something with ${event}`).toBe(before);
		}
		for (const role of ROLES.filter((r) => r !== 'A' && want[r] === 'ok')) {
			const ack = await emitAck(sockets.get(role)!, event, payload());
			// past the gate: ok, or refused for the state or the input (never NOT_FOUND)
			got[role] = ack.ok || ack.code !== 'NOT_FOUND' ? 'ok' : 'no';
		}
		figures.events += ROLES.length - 1;
		expect(got).toEqual(want);
	});
});

describe('document connections', () => {
	//                                                                        B V S D G W O A
	const docs: [string, () => string, string][] = [
		['case document', () => `case:${ids.case}`, '                         n o o o n o n l'],
		['meeting agenda', () => `meeting:${ids.meeting}`, '                  n o o o o o n l'],
		['minutes of the case at the meeting', () => `bespreking:${ids.meeting}:${ids.case}`, 'n o o o n o n l']
	];
	it.each(docs)('%s', async (_name, docName, expected) => {
		const want = row(expected);
		const got: Record<string, Expect | string> = {};
		await Promise.all(
			ROLES.map(async (role) => {
				const client = connectDoc(server.url, docName(), await cookieOf(role));
				try {
					got[role] = await Promise.race([
						client.synced.then(() => 'ok' as const),
						client.closed.then((c) => (c.code === 4403 ? 'no' : c.code === 4401 ? 'login' : `close ${c.code}`)),
						sleep(5_000).then(() => 'timeout')
					]);
				} finally {
					client.destroy();
				}
			})
		);
		figures.docs += ROLES.length;
		expect(got).toEqual(want);
	});
});

describe('headers and logs', () => {
	it('pages carry a CSP that allows only our own origin and websocket, and the other security headers', async () => {
		const reply = await request(server.url, '/login', {});
		const csp = reply.headers.get('content-security-policy') ?? '';
		const connect = /connect-src ([^;]*)/.exec(csp)?.[1]?.trim().split(/\s+/);
		expect(connect).toEqual(["'self'", `ws://${new URL(server.url).host}`]);
		expect(csp).toMatch(/script-src 'self'/);
		expect(csp).toMatch(/frame-ancestors 'none'/);
		expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
		expect(reply.headers.get('x-frame-options')).toBe('DENY');
		expect(reply.headers.get('referrer-policy')).toBe('same-origin');
	});

	it('a request body over 512 KiB is refused before any page code runs', async () => {
		const reply = await request(server.url, '/login', { form: { email: 'x@casustafel.example', password: 'x'.repeat(600 * 1024) } });
		expect(reply.status).toBe(413);
	});

	it('the server log of this whole matrix holds no names, no case content and no session tokens', async () => {
		const log = server.output();
		for (const secret of ['Rens Verzonnen', 'Fatima El Amrani', 'Hanna de Vries', 'inbraken en schulden', 'Matrix Ouder', 'Nieuwe Medewerker', 'nieuw@casustafel.example']) {
			expect(log).not.toContain(secret);
		}
		for (const role of ROLES.filter((r) => r !== 'A')) {
			const token = (await cookieOf(role))!.split('=')[1]!;
			expect(log).not.toContain(token);
		}
	});
});
