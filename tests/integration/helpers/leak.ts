import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { unzipSync, strFromU8 } from 'fflate';
import * as Y from 'yjs';
import { DEMO_PASSWORD } from '../../../src/lib/server/seed/demo';
import { TABLE_TYPES } from '../../../src/lib/server/seed/table-types';
import {
	addAction,
	addAgendaItem,
	addDecision,
	agendaItemsOf,
	besprekingDocName,
	caseFieldsOf,
	caseTextOf,
	goalText,
	meetingNotesOf,
	minutesText,
	readAgenda
} from '../../../src/lib/shared/documents';
import { CASE_TEXT_KEYS } from '../../../src/lib/shared/tables';
import { openShared, type SharedDb } from './db';
import { startMailbox, type Mailbox } from './mailbox';
import { connectDoc, connectLive, docFromDatabase, emitAck, liveConnected, waitFor, type DocClient, type LiveSocket } from './realtime';
import { demoEmail, login, request, startServer, type TestServer } from './server';

/**
 * The leak harness of issue 13: plants a canary in every field of every case through the
 * product's own paths (the aanmeld form, triage, the case, meeting and bespreking documents,
 * the chair's socket.io commands), then collects, per demo user, everything that reaches that
 * user over every transport, and finds the canaries in it.
 *
 * A canary is a short token (`KAN` + 7 capitals/digits) so that no renderer escapes, wraps or
 * hyphenates it (HTML, devalue JSON, PDF, .docx, iCal, e-mail); the report maps each token back
 * to its case and field. Birthdates are canaries too, searched in every way the product writes
 * a date; the demo region's own names and seeded texts are added as canaries as they are.
 *
 * To add a transport: add one entry to COLLECTORS.
 */

/** LEAK_DEBUG=<file> appends timed progress lines to that file. */
const t0 = Date.now();
export function debug(line: string) {
	if (process.env.LEAK_DEBUG) appendFileSync(process.env.LEAK_DEBUG, `${((Date.now() - t0) / 1000).toFixed(1)} s  ${line}\n`);
}

// ---- canaries ----

export type Scope =
	/** content of a case: for the chair/secretaris of its table, organisations with access, the submitter */
	| { kind: 'case'; caseId: number; code: string; tableId: number }
	/** a meeting's general notes: for members of the meeting's table */
	| { kind: 'meeting'; meetingId: number; tableId: number }
	/** a request that never became a case: for the chair/secretaris of the table and the submitter */
	| { kind: 'request'; requestId: number; tableId: number };

export interface Canary {
	/** what the report prints, e.g. KAN4F7Q2ZP */
	token: string;
	/** the strings that count as the canary (the token, or a date in each format) */
	variants: string[];
	scope: Scope;
	/** e.g. "situatie", "besluit", "sluitreden (template)" */
	field: string;
	/** the subject's name or birthdate (identifying data, issue 13 item 3) */
	identifying: boolean;
	/** the user id that typed it in an aanmelding (sees it by having sent it) */
	submitterId?: number;
	/**
	 * the product may rightly refuse or drop it (a closure reason the template did not ask for,
	 * an actiehouder without access, case content in the meeting document): then nobody sees it,
	 * and the "not blind" check does not ask for it
	 */
	optional?: boolean;
}

const used = new Set<string>();
export function newToken(): string {
	for (;;) {
		const t = `KAN${crypto.randomBytes(8).toString('base64').replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 7)}`;
		if (t.length === 10 && !used.has(t)) {
			used.add(t);
			return t;
		}
	}
}

const MONTHS = ['januari', 'februari', 'maart', 'april', 'mei', 'juni', 'juli', 'augustus', 'september', 'oktober', 'november', 'december'];
const SHORT_MONTHS = ['jan', 'feb', 'mrt', 'apr', 'mei', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'];
/** Every way the product (or a browser) could print the date YYYY-MM-DD. */
export function dateVariants(iso: string): string[] {
	const [y, m, d] = iso.split('-');
	const dd = Number(d);
	const mm = Number(m);
	return [
		iso,
		`${y}${m}${d}`,
		`${d}-${m}-${y}`,
		`${dd}-${mm}-${y}`,
		`${d}/${m}/${y}`,
		`${dd}/${mm}/${y}`,
		`${d}.${m}.${y}`,
		`${dd} ${MONTHS[mm - 1]} ${y}`,
		`${dd} ${SHORT_MONTHS[mm - 1]} ${y}`,
		`${dd} ${SHORT_MONTHS[mm - 1]}. ${y}`
	];
}

// ---- what reached a user ----

export interface Received {
	user: string;
	transport: string;
	/** URL, document name or event */
	where: string;
	text: string;
}

export interface DemoUser {
	local: string;
	email: string;
	id: number;
	organisationId: number;
	organisationName: string;
	isAdmin: boolean;
	/** role per table id */
	roles: Map<number, string>;
}

export interface Leak {
	user: string;
	transport: string;
	where: string;
	token: string;
	matched: string;
	scope: string;
	field: string;
}

export interface World {
	server: TestServer;
	mailbox: Mailbox;
	db: SharedDb;
	users: DemoUser[];
	cookies: Map<string, string>;
	canaries: Canary[];
	tables: { id: number; name: string; slug: string }[];
	caseIds: number[];
	meetingIds: number[];
	requestIds: number[];
	/** the T150 meeting the chair runs */
	meetingId: number;
	/** every socket.io event (and ack) per user, recorded from the start */
	events: Map<string, Received[]>;
	/** calendar feed URL per user */
	feeds: Map<string, string>;
	/** requests that failed while seeding: canaries that the product refused to take */
	refused: string[];
	/** seconds per collector, for the report */
	timings: string[];
	stop(): Promise<void>;
}

const LOCALS = [
	'beheerder',
	'voorzitter',
	'secretaris',
	'deelnemer',
	'geen-toegang',
	'waarnemer',
	'mehmet',
	'sara',
	'kees',
	'eva',
	'noor',
	'tom',
	'anouk',
	'bram',
	'linda',
	// the three tables added for issue 15: their chairs and members, femke at two of them
	'ruben',
	'femke',
	'iris',
	'wouter',
	'lisa'
];

/** Runs `fn` over `items` with at most `limit` at a time. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
	const out: R[] = new Array(items.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: Math.min(limit, items.length) }, async () => {
			while (next < items.length) {
				const i = next++;
				out[i] = await fn(items[i]!);
			}
		})
	);
	return out;
}

function encode(form: Record<string, string | number | (string | number)[]>): string {
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(form)) {
		for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
	}
	return params.toString();
}

// ---- the scenario ----

export async function buildWorld(): Promise<World> {
	const mailbox = await startMailbox();
	const server = await startServer({
		env: { SMTP_URL: mailbox.url, MAIL_FROM: 'Casustafel <meldingen@casustafel.example>', PUBLIC_URL: 'https://casustafel.test' }
	});
	const db = openShared(server.dbFile);
	const refused: string[] = [];
	const canaries: Canary[] = [];
	const events = new Map<string, Received[]>();
	const sockets: LiveSocket[] = [];
	const docs: DocClient[] = [];

	const tables = db
		.prepare('select ct.id, ct.name, tt.slug from case_tables ct join table_types tt on tt.id = ct.table_type_id order by ct.id')
		.all() as { id: number; name: string; slug: string }[];
	const tableBySlug = (slug: string) => tables.find((t) => t.slug === slug)!;
	const orgId = (name: string) => (db.prepare('select id from organisations where name = ?').get(name) as { id: number }).id;
	const nextMeeting = (tableId: number) =>
		(db.prepare("select id from meetings where case_table_id = ? and status = 'gepland' order by starts_at limit 1").get(tableId) as { id: number }).id;

	const users: DemoUser[] = LOCALS.map((local) => {
		const row = db
			.prepare('select u.id, u.organisation_id, u.is_admin, o.name from users u join organisations o on o.id = u.organisation_id where u.email = ?')
			.get(demoEmail(local)) as { id: number; organisation_id: number; is_admin: number; name: string };
		const roles = new Map<number, string>(
			(db.prepare('select case_table_id, role from memberships where user_id = ?').all(row.id) as { case_table_id: number; role: string }[]).map((m) => [m.case_table_id, m.role])
		);
		return { local, email: demoEmail(local), id: row.id, organisationId: row.organisation_id, organisationName: row.name, isAdmin: row.is_admin === 1, roles };
	});
	const userOf = (local: string) => users.find((u) => u.local === local)!;

	debug('logging in');
	const cookies = new Map<string, string>();
	await pool(users, 4, async (u) => cookies.set(u.local, await login(server.url, u.email, DEMO_PASSWORD)));
	const cookie = (local: string) => cookies.get(local)!;
	const post = (local: string, path: string, form: Record<string, string | number | (string | number)[]>) =>
		request(server.url, path, { cookie: cookie(local), body: { contentType: 'application/x-www-form-urlencoded', data: encode(form) } });

	const t150 = tableBySlug('t150');
	const jbt = tableBySlug('jbt');
	const meetingId = nextMeeting(t150.id);
	const jbtMeeting = nextMeeting(jbt.id);

	// every user on /live from the start, in the T150 meeting room if they may be
	const record = (local: string, transport: string, where: string, payload: unknown) => {
		if (!events.has(local)) events.set(local, []);
		events.get(local)!.push({ user: local, transport, where, text: JSON.stringify(payload) });
	};
	const live = new Map<string, LiveSocket>();
	await pool(users, 5, async (u) => {
		const socket = connectLive(server.url, cookie(u.local));
		sockets.push(socket);
		socket.onAny((event: string, payload: unknown) => record(u.local, 'socket.io', event, payload));
		await liveConnected(socket);
		live.set(u.local, socket);
		const ack = await emitAck(socket, 'meeting:join', { meetingId });
		record(u.local, 'socket.io ack', `meeting:join ${meetingId} (start)`, ack);
	});

	debug('aanmeldingen');
	// ---- aanmeldingen, through the form; triage through the chair's form ----
	const caseScope = (caseId: number): Scope => {
		const row = db.prepare('select code, case_table_id from cases where id = ?').get(caseId) as { code: string; case_table_id: number };
		return { kind: 'case', caseId, code: row.code, tableId: row.case_table_id };
	};
	interface Planned {
		by: string;
		table: { id: number; name: string; slug: string };
		kind: string;
		birthdate: string;
		invite: string[];
		meetingId: number;
		outcome: 'accept' | 'decline';
		frame: string;
		/** left with an empty case document, so it closes against its template (with a reason) */
		empty?: boolean;
	}
	const planned: Planned[] = [
		// T150: one for the Sociaal Team and GGZ, one for the police and the OM
		{ by: 'deelnemer', table: t150, kind: 'persoon', birthdate: '1991-07-23', invite: ['GGZ Voorbeeld'], meetingId, outcome: 'accept', frame: 'vrijwillig' },
		{ by: 'geen-toegang', table: t150, kind: 'persoon', birthdate: '1993-10-27', invite: ['Openbaar Ministerie Voorbeeld'], meetingId, outcome: 'accept', frame: 'strafrecht' },
		// T150: GGZ alone; its case document stays empty
		{ by: 'waarnemer', table: t150, kind: 'persoon', birthdate: '1996-12-04', invite: [], meetingId, outcome: 'accept', frame: 'vrijwillig', empty: true },
		// JBT: Veilig Thuis and the Sociaal Team, not Jeugdbescherming (eva sits at that table)
		{ by: 'kees', table: jbt, kind: 'jeugdige', birthdate: '2013-08-19', invite: ['Sociaal Team Voorbeeld'], meetingId: jbtMeeting, outcome: 'accept', frame: 'vrijwillig' },
		// T150: declined; only the chair and the aanmelder ever see it
		{ by: 'tom', table: t150, kind: 'persoon', birthdate: '1985-05-29', invite: [], meetingId, outcome: 'decline', frame: 'strafrecht' }
	];
	const chairOf = (tableId: number) => users.find((u) => u.roles.get(tableId) === 'voorzitter')!.local;
	const requestIds: number[] = [];
	const acceptedCases: number[] = [];
	const emptyCases = new Set<number>();
	for (const p of planned) {
		const tokens = { name: newToken(), reason: newToken(), question: newToken(), consent: newToken(), title: newToken(), decline: newToken() };
		const submitter = userOf(p.by);
		const reply = await post(p.by, '/aanmelden', {
			tableId: p.table.id,
			subjectKind: p.kind,
			subjectName: `Anna ${tokens.name}`,
			birthdate: p.birthdate,
			reason: `Zorgen over de situatie, kanarie ${tokens.reason} in de reden.`,
			question: `Wat is nodig volgens ${tokens.question}?`,
			legalFrame: p.frame,
			consentNote: `Betrokkene weet ervan (${tokens.consent}).`,
			inviteOrgIds: p.invite.map(orgId)
		});
		const row = db.prepare('select id from requests where submitted_by = ? order by id desc limit 1').get(submitter.id) as { id: number } | undefined;
		if (reply.status !== 200 || !reply.body.includes('Uw verzoek is ingediend') || !row) {
			throw new Error(`aanmelding by ${p.by} failed: ${reply.status}\n${reply.body.slice(0, 1500)}`);
		}
		requestIds.push(row.id);
		const chair = chairOf(p.table.id);
		let scope: Scope;
		if (p.outcome === 'accept') {
			const accept = await post(chair, `/tafels/${p.table.id}/triage?/accept`, {
				requestId: row.id,
				meetingId: p.meetingId,
				plannedMinutes: 15,
				title: `Agendapunt ${tokens.title}`,
				inviteOrgIds: p.invite.map(orgId)
			});
			const caseId = (db.prepare('select case_id from requests where id = ?').get(row.id) as { case_id: number | null }).case_id;
			if (accept.status !== 200 || !caseId) throw new Error(`triage accept by ${chair} failed: ${accept.status}\n${accept.body.slice(0, 1500)}`);
			acceptedCases.push(caseId);
			if (p.empty) emptyCases.add(caseId);
			scope = caseScope(caseId);
			canaries.push({ token: tokens.title, variants: [tokens.title], scope, field: 'agendatitel (triage)', identifying: false });
		} else {
			scope = { kind: 'request', requestId: row.id, tableId: p.table.id };
			const decline = await post(chair, `/tafels/${p.table.id}/triage?/decline`, { requestId: row.id, reason: `Past niet, zie ${tokens.decline}.` });
			if (decline.status !== 200) refused.push(`decline ${row.id}: ${decline.status}`);
			canaries.push({ token: tokens.decline, variants: [tokens.decline], scope, field: 'reden afwijzing', identifying: false, submitterId: submitter.id });
		}
		const base = { scope, submitterId: submitter.id };
		canaries.push(
			{ ...base, token: tokens.name, variants: [tokens.name], field: 'naam (aanmelding)', identifying: true },
			{ ...base, token: `geboortedatum ${p.birthdate}`, variants: dateVariants(p.birthdate), field: 'geboortedatum (aanmelding)', identifying: true },
			{ ...base, token: tokens.reason, variants: [tokens.reason], field: 'reden (aanmelding)', identifying: false },
			{ ...base, token: tokens.question, variants: [tokens.question], field: 'vraag (aanmelding)', identifying: false },
			{ ...base, token: tokens.consent, variants: [tokens.consent], field: 'toestemming (aanmelding)', identifying: false }
		);
	}

	// the demo region's own cases: their seeded names, birthdates and texts are canaries as they are
	const demoCases = db.prepare('select id, code, subject_name, subject_birthdate from cases where id not in (' + acceptedCases.join(',') + ')').all() as {
		id: number;
		code: string;
		subject_name: string;
		subject_birthdate: string | null;
	}[];
	for (const c of demoCases) {
		const scope = caseScope(c.id);
		canaries.push({ token: c.subject_name, variants: [c.subject_name], scope, field: 'naam (demo)', identifying: true });
		if (c.subject_birthdate) canaries.push({ token: `geboortedatum ${c.subject_birthdate}`, variants: dateVariants(c.subject_birthdate), scope, field: 'geboortedatum (demo)', identifying: true });
		if (c.code === 'T150-2026-014') {
			canaries.push(
				{ token: 'het OM wacht met vervolging zolang schuldhulp', variants: ['het OM wacht met vervolging zolang schuldhulp'], scope, field: 'besluit (demo, vorig overleg)', identifying: false },
				{ token: 'zolang Rens meewerkt aan schuldhulp', variants: ['zolang Rens meewerkt aan schuldhulp'], scope, field: 'bespreking (demo, vorig overleg)', identifying: false },
				{ token: 'vier keer aangehouden voor inbraak', variants: ['vier keer aangehouden voor inbraak'], scope, field: 'situatie (demo)', identifying: false }
			);
		}
	}

	debug('case documents');
	// ---- the case documents, written by each table's voorzitter ----
	const allCaseIds = (db.prepare('select id from cases order by id').all() as { id: number }[]).map((r) => r.id);
	const openDoc = async (local: string, name: string) => {
		const client = connectDoc(server.url, name, cookie(local));
		docs.push(client);
		const result = await Promise.race([client.synced.then(() => 'synced' as const), client.closed.then((c) => `closed ${c.code}`)]);
		if (result !== 'synced') throw new Error(`${local} could not open ${name}: ${result}`);
		return client;
	};
	const storedHas = (name: string, tokens: string[]) => {
		const rows = db.prepare('select data from doc_updates where doc_name = ?').all(name) as { data: Buffer }[];
		const snaps = db.prepare('select state as data from doc_snapshots where doc_name = ?').all(name) as { data: Buffer }[];
		const all = Buffer.concat([...rows, ...snaps].map((r) => r.data)).toString('latin1');
		return tokens.every((t) => all.includes(t));
	};
	/** Waits until the server has stored everything the client typed. */
	const flushed = (name: string, tokens: string[]) => waitFor(`${name} stored`, () => storedHas(name, tokens), 15_000, 50);
	/** Waits a moment for what the server may refuse; notes it when it did not store it. */
	const flushedOrRefused = async (name: string, tokens: string[], what: string) => {
		if (tokens.length === 0) return;
		await waitFor(`${name} stored`, () => storedHas(name, tokens), 3_000, 50).catch(() => refused.push(`${name}: not stored: ${what}`));
	};
	const accessOrgs = (caseId: number) =>
		(db.prepare('select organisation_id from case_access where case_id = ? and withdrawn_at is null').all(caseId) as { organisation_id: number }[]).map((r) => r.organisation_id);
	const deadline = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);

	await pool(allCaseIds.filter((id) => !emptyCases.has(id)), 3, async (caseId) => {
		const scope = caseScope(caseId) as Extract<Scope, { kind: 'case' }>;
		const table = tables.find((t) => t.id === scope.tableId)!;
		const writer = chairOf(table.id);
		const name = `case:${caseId}`;
		const client = await openDoc(writer, name);
		let typed: string[] = [];
		const plant = (field: string, write: (token: string) => void, optional = false) => {
			const token = newToken();
			write(token);
			typed.push(token);
			canaries.push({ token, variants: [token], scope, field, identifying: false, optional });
		};
		const action = (holder: DemoUser, optional: boolean) => {
			let text = '';
			let note = '';
			plant(`actie van ${holder.local}`, (t) => (text = `Actie ${t}`), optional);
			plant(`actienotitie van ${holder.local}`, (t) => (note = `Notitie ${t}`), optional);
			addAction(client.doc, {
				text,
				note,
				actiehouderId: holder.id,
				actiehouderName: `Houder ${holder.local}`,
				organisationId: holder.organisationId,
				organisationName: holder.organisationName,
				deadline,
				status: 'open',
				leefgebied: leefgebieden[0]!
			});
		};
		const leefgebieden = TABLE_TYPES.find((t) => t.slug === table.slug)!.leefgebieden;
		const orgs = accessOrgs(caseId);
		// an actiehouder with access, one without (another member of the table), and the beheerder
		const withAccess = users.find((u) => u.roles.has(table.id) && orgs.includes(u.organisationId)) ?? userOf(writer);
		const withoutAccess = users.find((u) => u.roles.get(table.id) === 'deelnemer' && !orgs.includes(u.organisationId)) ?? userOf('bram');
		// one update per section, as typing makes them (an update may add only so many roots)
		client.doc.transact(() => {
			for (const key of CASE_TEXT_KEYS) plant(key, (t) => caseTextOf(client.doc, key).insert(0, `Tekst ${t} `));
		});
		client.doc.transact(() => {
			for (const lg of leefgebieden) plant(`doel ${lg}`, (t) => goalText(client.doc, lg).insert(0, `Doel ${t} `));
		});
		client.doc.transact(() => {
			plant('veld financiering', (t) => caseFieldsOf(client.doc).set('financiering', `Jeugdwet ${t}`));
			action(withAccess, false);
		});
		await flushed(name, typed);
		// an actiehouder whose organisation has no access, and the beheerder: the product should
		// refuse these (issue 13 item 4); each in an update of its own, last
		typed = [];
		for (const holder of [withoutAccess, userOf('beheerder')]) client.doc.transact(() => action(holder, true));
		await flushedOrRefused(name, typed, 'actions for actiehouders without access');
	});

	debug('meeting document');
	// ---- the T150 meeting: agenda, decisions, general notes, minutes per case ----
	const t150Cases = [...acceptedCases.filter((id) => caseScope(id).tableId === t150.id), ...['T150-2026-014', 'T150-2026-015'].map((code) => (db.prepare('select id from cases where code = ?').get(code) as { id: number }).id)];
	const meetingDoc = await openDoc('voorzitter', `meeting:${meetingId}`);
	const meetingTyped: string[] = [];
	const general = newToken();
	meetingNotesOf(meetingDoc.doc).insert(0, `Algemene notitie ${general}`);
	canaries.push({ token: general, variants: [general], scope: { kind: 'meeting', meetingId, tableId: t150.id }, field: 'algemene notities overleg', identifying: false, optional: true });
	await flushedOrRefused(`meeting:${meetingId}`, [general], 'general meeting notes');
	// the chair puts the demo cases on the agenda as the meeting page does (a case item carries
	// no title in the meeting document), each in an update of its own
	const itemIds = new Map<number, string>();
	for (const caseId of t150Cases) {
		const scope = caseScope(caseId) as Extract<Scope, { kind: 'case' }>;
		const onAgenda = readAgenda(meetingDoc.doc).find((i) => i.caseId === caseId);
		if (onAgenda) {
			itemIds.set(caseId, onAgenda.id);
			continue;
		}
		itemIds.set(caseId, addAgendaItem(meetingDoc.doc, { caseId, caseCode: scope.code, title: '', plannedMinutes: 10, status: 'gepland' }));
	}
	await waitFor('agenda stored', () => {
		const stored = docFromDatabase(db, `meeting:${meetingId}`).doc;
		return t150Cases.every((caseId) => readAgenda(stored).some((i) => i.id === itemIds.get(caseId)));
	}, 15_000, 50);
	// then, as a raw client of the chair would (an old page, a script), a title typed by hand on
	// each case item, and decisions on the case items, into the document every member reads; a
	// client of its own each, since the product may refuse (and close) either
	const titler = await openDoc('voorzitter', `meeting:${meetingId}`);
	titler.doc.transact(() => {
		for (const caseId of t150Cases) {
			const scope = caseScope(caseId) as Extract<Scope, { kind: 'case' }>;
			const map = agendaItemsOf(titler.doc).get(itemIds.get(caseId)!);
			if (!(map instanceof Y.Map)) continue;
			const title = newToken();
			map.set('title', `Agendapunt ${title}`);
			canaries.push({ token: title, variants: [title], scope, field: 'agendatitel (door voorzitter getypt)', identifying: false, optional: true });
			meetingTyped.push(title);
		}
	});
	await flushedOrRefused(`meeting:${meetingId}`, meetingTyped, 'agenda titles typed by the chair');
	const decider = await openDoc('voorzitter', `meeting:${meetingId}`);
	const decisions: string[] = [];
	for (const caseId of t150Cases) {
		const decision = newToken();
		addDecision(decider.doc, itemIds.get(caseId)!, `Besluit ${decision}`);
		canaries.push({ token: decision, variants: [decision], scope: caseScope(caseId), field: 'besluit (in meeting:)', identifying: false, optional: true });
		decisions.push(decision);
	}
	await flushedOrRefused(`meeting:${meetingId}`, decisions, 'decisions in the meeting document');
	await pool(t150Cases, 2, async (caseId) => {
		const name = besprekingDocName(meetingId, caseId);
		const client = await openDoc('voorzitter', name);
		const token = newToken();
		minutesText(client.doc).insert(0, `Verslag ${token} `);
		canaries.push({ token, variants: [token], scope: caseScope(caseId), field: 'bespreking (notulen)', identifying: false });
		await flushed(name, [token]);
		// a decision where the case's access governs it (issue 13 item 1): the bespreking document
		// (a document kind that did not take decisions before may refuse it)
		const decision = newToken();
		addDecision(client.doc, itemIds.get(caseId)!, `Besluit ${decision}`);
		canaries.push({ token: decision, variants: [decision], scope: caseScope(caseId), field: 'besluit (in bespreking:)', identifying: false, optional: true });
		await flushedOrRefused(name, [decision], 'a decision in the bespreking document');
	});

	debug('running the agenda');
	// ---- the chair runs the agenda over socket.io ----
	const chair = live.get('voorzitter')!;
	const ok = async (what: string, event: string, payload: Record<string, unknown>) => {
		const ack = await emitAck<unknown>(chair, event, payload);
		if (!ack.ok) refused.push(`${what}: ${ack.code} ${ack.message} ${JSON.stringify(ack.fields ?? {})}`);
		return ack;
	};
	await ok('open meeting', 'meeting:open', { meetingId });
	for (const caseId of t150Cases) {
		const scope = caseScope(caseId) as Extract<Scope, { kind: 'case' }>;
		const item = { id: itemIds.get(caseId)! };
		await ok(`current ${scope.code}`, 'meeting:current', { meetingId, itemId: item.id });
		const attendee = newToken();
		canaries.push({ token: attendee, variants: [attendee], scope, field: 'aanwezige (gezin)', identifying: false });
		await ok(`attendee ${scope.code}`, 'attendance:add', { meetingId, caseId, kind: 'ouder', name: `Moeder ${attendee}`, age: 41 });
		const templateReason = newToken();
		const regieReason = newToken();
		canaries.push(
			{ token: templateReason, variants: [templateReason], scope, field: 'sluitreden (sjabloon)', identifying: false, optional: true },
			{ token: regieReason, variants: [regieReason], scope, field: 'sluitreden (regie)', identifying: false, optional: true }
		);
		// half of the cases get a casusregisseur with a note; the other half close without one
		if (caseId % 2 === 0 && !emptyCases.has(caseId)) {
			const note = newToken();
			canaries.push({ token: note, variants: [note], scope, field: 'regienotitie', identifying: false });
			const orgs = accessOrgs(caseId);
			const regisseur = users.find((u) => u.roles.has(t150.id) && orgs.includes(u.organisationId)) ?? userOf('secretaris');
			await ok(`regie ${scope.code}`, 'regie:set', { meetingId, caseId, kind: 'casusregisseur', userId: regisseur.id, note: `Regie ${note}` });
		}
		await ok(`close ${scope.code}`, 'item:close', { meetingId, itemId: item.id, templateReason: `Reden ${templateReason}`, regieReason: `Reden ${regieReason}` });
	}
	await ok('close meeting', 'meeting:close', { meetingId });

	// everyone asks for the room once more: the state as it is at the end
	await pool(users, 5, async (u) => {
		const ack = await emitAck(live.get(u.local)!, 'meeting:join', { meetingId });
		record(u.local, 'socket.io ack', `meeting:join ${meetingId} (end)`, ack);
	});

	debug('calendar feeds');
	// calendar feeds, as each user makes one on /account
	const feeds = new Map<string, string>();
	await pool(users, 4, async (u) => {
		const reply = await post(u.local, '/account?/calendarCreate', {});
		const match = /\/kalender\/[A-Za-z0-9_-]{43}\.ics/.exec(reply.body);
		if (match) feeds.set(u.local, match[0]);
		else refused.push(`calendar feed for ${u.local}: ${reply.status}`);
	});

	debug('waiting for mail');
	// the e-mails: every notification sent (or given up on) before we read the mailbox
	await waitFor(
		'every notification mailed',
		() => (db.prepare('select count(*) as n from notifications where email_sent_at is null').get() as { n: number }).n === 0,
		20_000,
		100
	).catch((e) => refused.push(String(e)));

	const caseIds = (db.prepare('select id from cases order by id').all() as { id: number }[]).map((r) => r.id);
	const meetingIds = (db.prepare('select id from meetings order by id').all() as { id: number }[]).map((r) => r.id);
	const allRequestIds = (db.prepare('select id from requests order by id').all() as { id: number }[]).map((r) => r.id);
	for (const d of docs.splice(0)) d.destroy();

	return {
		server,
		mailbox,
		db,
		users,
		cookies,
		canaries,
		tables,
		caseIds,
		meetingIds,
		requestIds: allRequestIds,
		meetingId,
		events,
		feeds,
		refused,
		timings: [],
		async stop() {
			for (const s of sockets.splice(0)) s.disconnect();
			for (const d of docs.splice(0)) d.destroy();
			db.close();
			await server.stop();
			await mailbox.close();
		}
	};
}

// ---- collectors: one per transport ----

export interface Collector {
	name: string;
	collect(world: World, user: DemoUser): Promise<Received[]>;
}

function pdfText(bytes: Buffer): string {
	try {
		return execFileSync('pdftotext', ['-q', '-', '-'], { input: bytes, maxBuffer: 64 * 1024 * 1024 }).toString('utf8');
	} catch {
		return bytes.toString('latin1');
	}
}

function docxText(bytes: Buffer): string {
	try {
		const files = unzipSync(new Uint8Array(bytes));
		return Object.entries(files)
			.filter(([name]) => name.endsWith('.xml'))
			.map(([, data]) => {
				const xml = strFromU8(data);
				// the XML as is, and its text with the tags taken out (a run may split a word)
				return `${xml}\n${xml.replace(/<[^>]+>/g, '')}`;
			})
			.join('\n');
	} catch {
		return bytes.toString('latin1');
	}
}

async function fetchAs(world: World, user: DemoUser, path: string): Promise<{ status: number; type: string; text: string }> {
	let response: Response;
	for (let attempt = 1; ; attempt++) {
		try {
			response = await fetch(new URL(path, world.server.url), {
				headers: { cookie: world.cookies.get(user.local)!, accept: 'text/html,application/xhtml+xml' },
				redirect: 'manual'
			});
			break;
		} catch (e) {
			// a kept-alive connection the server closed just then: a browser retries a GET, so do we
			if (attempt < 3 && String((e as Error).cause).includes('ECONNRESET')) continue;
			throw new Error(`GET ${path} as ${user.local}: ${String(e)} ${String((e as Error).cause)}\n${world.server.output().slice(-3000)}`);
		}
	}
	const bytes = Buffer.from(await response.arrayBuffer());
	const type = response.headers.get('content-type') ?? '';
	let text: string;
	if (type.includes('pdf')) text = pdfText(bytes);
	else if (type.includes('wordprocessingml') || path.endsWith('.docx')) text = response.status === 200 ? docxText(bytes) : bytes.toString('utf8');
	else text = bytes.toString('utf8');
	// headers reach the user too (Content-Disposition names a file)
	const headers = [...response.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
	return { status: response.status, type, text: `${headers}\n${text}` };
}

/** Every page a user could ask for, with its __data.json, and every file the server makes. */
function pagesFor(world: World): { path: string; data: boolean }[] {
	const pages: { path: string; data: boolean }[] = [];
	const page = (path: string) => pages.push({ path, data: true });
	const file = (path: string) => pages.push({ path, data: false });
	for (const p of ['/', '/acties', '/meldingen', '/account', '/aanmelden', '/monitoring', '/beheer', '/beheer/audit', '/beheer/gebruikers', '/beheer/organisaties', '/beheer/tafels', '/beheer/bewaartermijnen', '/beheer/tafeltypes']) page(p);
	file('/acties/acties.csv?status=alle');
	for (const t of world.tables) {
		page(`/tafels/${t.id}`);
		page(`/tafels/${t.id}/triage`);
		page(`/tafels/${t.id}/monitoring`);
		file(`/tafels/${t.id}/monitoring/cijfers.csv`);
		page(`/tafels/${t.id}/besluiten`);
		file(`/tafels/${t.id}/acties.csv`);
		page(`/beheer/tafels/${t.id}`);
	}
	for (const id of world.caseIds) {
		page(`/casus/${id}`);
		page(`/casus/${id}/inzage`);
		file(`/api/casus/${id}`);
	}
	// the PDF and .docx are slow to make: only for meetings with an agenda (the others hold no case)
	const withAgenda = new Set(
		(world.db.prepare("select distinct doc_name from doc_updates where doc_name like 'meeting:%' union select doc_name from doc_snapshots where doc_name like 'meeting:%'").all() as { doc_name: string }[]).map((r) => Number(r.doc_name.slice(8)))
	);
	for (const id of world.meetingIds) {
		page(`/overleg/${id}`);
		page(`/overleg/${id}/scherm`);
		page(`/overleg/${id}/verslag`);
		if (!withAgenda.has(id)) continue;
		file(`/overleg/${id}/verslag/verslag.pdf`);
		file(`/overleg/${id}/verslag/verslag.docx`);
	}
	for (const id of world.requestIds) page(`/aanmelden/${id}`);
	return pages;
}

const dataUrl = (path: string) => (path === '/' ? '/__data.json' : `${path}/__data.json`);

export const COLLECTORS: Collector[] = [
	{
		name: 'pages, __data.json and files (HTML, CSV, PDF, .docx, JSON)',
		async collect(world, user) {
			const get = async (path: string, transport: string): Promise<Received & { status: number }> => {
				const started = Date.now();
				const reply = await fetchAs(world, user, path);
				const ms = Date.now() - started;
				if (ms > 300) debug(`slow: ${user.local} ${path} ${reply.status} ${ms} ms`);
				return { user: user.local, transport, where: `GET ${path} (${reply.status})`, text: reply.text, status: reply.status };
			};
			const out = await pool(pagesFor(world), 6, async (p) => {
				const page = await get(p.path, p.path.match(/\.(pdf|docx|csv)$/)?.[1] ?? (p.path.startsWith('/api/') ? 'api' : 'page'));
				// the data of every page the user can load (a refused page's data is refused by the same load)
				return p.data && page.status === 200 ? [page, await get(dataUrl(p.path), '__data.json')] : [page];
			});
			return out.flat().map(({ status: _status, ...r }) => r);
		}
	},
	{
		name: 'documents (case:, bespreking:, meeting:)',
		async collect(world, user) {
			const stored = (world.db.prepare('select distinct doc_name from doc_updates union select doc_name from doc_snapshots').all() as { doc_name: string }[]).map((r) => r.doc_name);
			const names = [...new Set([...stored, ...world.caseIds.map((id) => `case:${id}`), ...world.meetingIds.map((id) => `meeting:${id}`)])].sort();
			const got = await pool(names, 6, async (name): Promise<Received[]> => {
				// no garbage collection here: whatever the server sends, deleted text too, stays readable
				const client = connectDoc(world.server.url, name, world.cookies.get(user.local)!, { doc: new Y.Doc({ gc: false }) });
				try {
					const result = await Promise.race([
						client.synced.then(() => 'synced'),
						client.closed.then((c) => `closed ${c.code}`),
						new Promise<string>((r) => setTimeout(() => r('timeout'), 5_000))
					]);
					if (result !== 'synced') return [{ user: user.local, transport: 'document', where: `${name} (${result})`, text: '' }];
					const received = Y.encodeStateAsUpdate(client.doc);
					// what the document holds now (a copy that drops deleted content), and everything the
					// client was sent: deleted text a client can still read is reported as history
					const live = new Y.Doc();
					Y.applyUpdate(live, received);
					const current = Buffer.from(Y.encodeStateAsUpdate(live)).toString('utf8');
					live.destroy();
					return [
						{ user: user.local, transport: 'document', where: `${name} (${result})`, text: current },
						{ user: user.local, transport: 'document history', where: `${name} (${result})`, text: Buffer.from(received).toString('utf8') }
					];
				} finally {
					client.destroy();
				}
			});
			return got.flat();
		}
	},
	{
		name: 'socket.io events and acks',
		async collect(world, user) {
			return world.events.get(user.local) ?? [];
		}
	},
	{
		name: 'calendar feed',
		async collect(world, user) {
			const feed = world.feeds.get(user.local);
			if (!feed) return [];
			const response = await fetch(new URL(feed, world.server.url));
			// iCal folds lines at 75 octets: unfold before searching
			const text = (await response.text()).replace(/\r?\n[ \t]/g, '');
			return [{ user: user.local, transport: 'iCal', where: `GET /kalender/… (${response.status})`, text }];
		}
	},
	{
		name: 'e-mail',
		async collect(world, user) {
			return world.mailbox.to(user.email).map((m) => ({
				user: user.local,
				transport: 'e-mail',
				where: `mail "${m.subject}"`,
				text: `${m.subject}\n${m.text}\n${m.html}\n${m.raw}`
			}));
		}
	}
];

/** Everything that reached every demo user, over every collector. */
export async function collectAll(world: World): Promise<Received[]> {
	const out: Received[] = [];
	world.timings.push(`server CPU before collecting: ${serverCpu(world).toFixed(1)} s`);
	for (const c of COLLECTORS) {
		const started = Date.now();
		const got = await pool(world.users, 3, (user) => c.collect(world, user));
		world.timings.push(`${c.name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
		debug(world.timings.at(-1)!);
		out.push(...got.flat());
	}
	world.timings.push(`server CPU after collecting: ${serverCpu(world).toFixed(1)} s; this process: ${(process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6).toFixed(1)} s`);
	return out;
}

/** CPU seconds the server process has used (Linux /proc), a figure the machine's load does not inflate. */
function serverCpu(world: World): number {
	try {
		const fields = readFileSync(`/proc/${world.server.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
		return (Number(fields[11]) + Number(fields[12])) / 100;
	} catch {
		return NaN;
	}
}

// ---- who may see what ----

const CHAIR_ROLES = new Set(['voorzitter', 'secretaris']);

const known = new WeakMap<Canary, Map<string, boolean>>();
/** Whether the canary's case, meeting or request is the user's to see (issue 13's need to know). */
export function mayKnow(world: World, user: DemoUser, canary: Canary): boolean {
	let perUser = known.get(canary);
	if (!perUser) known.set(canary, (perUser = new Map()));
	if (!perUser.has(user.local)) perUser.set(user.local, decideKnow(world, user, canary));
	return perUser.get(user.local)!;
}

function decideKnow(world: World, user: DemoUser, canary: Canary): boolean {
	const s = canary.scope;
	if (canary.submitterId === user.id) return true;
	if (s.kind === 'meeting') return user.roles.has(s.tableId);
	if (CHAIR_ROLES.has(user.roles.get(s.tableId) ?? '')) return true;
	if (s.kind === 'request') return false;
	return (
		world.db
			.prepare('select 1 from case_access where case_id = ? and organisation_id = ? and withdrawn_at is null')
			.get(s.caseId, user.organisationId) !== undefined
	);
}

export const scopeLabel = (s: Scope) => (s.kind === 'case' ? s.code : s.kind === 'meeting' ? `overleg ${s.meetingId} (algemeen)` : `verzoek ${s.requestId}`);

/** Finds the canaries in what reached each user that `forbidden` says the user must not see. */
export function findLeaks(world: World, received: Received[], forbidden: (user: DemoUser, canary: Canary) => boolean): Leak[] {
	const leaks: Leak[] = [];
	const byUser = new Map(world.users.map((u) => [u.local, u]));
	const perUser = new Map<string, Canary[]>();
	for (const u of world.users) perUser.set(u.local, world.canaries.filter((c) => forbidden(u, c)));
	for (const r of received) {
		const user = byUser.get(r.user)!;
		for (const c of perUser.get(r.user)!) {
			const matched = c.variants.find((v) => r.text.includes(v));
			if (matched) leaks.push({ user: user.local, transport: r.transport, where: r.where, token: c.token, matched, scope: scopeLabel(c.scope), field: c.field });
		}
	}
	// a canary in a document's content is in its history too: name it once, as content
	const live = new Set(leaks.filter((l) => l.transport === 'document').map((l) => `${l.user} ${l.where} ${l.token}`));
	return leaks.filter((l) => l.transport !== 'document history' || !live.has(`${l.user} ${l.where} ${l.token}`));
}

/**
 * Identifying data by role (issue 13 item 3): of a case a user may see, the subject's name and
 * birthdate only for the chair and secretaris of its table, its regisseurs now, and whoever
 * sent the aanmelding (they typed it). Everyone else with access gets the code and initials.
 */
export function mayIdentify(world: World, user: DemoUser, canary: Canary): boolean {
	const s = canary.scope;
	if (canary.submitterId === user.id) return true;
	const role = user.roles.get(s.tableId) ?? null;
	if (role === 'voorzitter') return true;
	const roles = identityRoles(world, s.tableId);
	if (role !== null && roles.includes(role)) return true;
	if (s.kind !== 'case') return false;
	const regie = world.db.prepare('select kind from regie_assignments where case_id = ? and user_id = ? and ended_at is null').all(s.caseId, user.id) as { kind: string }[];
	return regie.some((r) => roles.includes(r.kind));
}

/**
 * Who sees the name at a table: the table type's setting in beheer (table_types.identity_roles,
 * a JSON list of roles) when the database has it, else voorzitter, secretaris and regisseurs.
 */
function identityRoles(world: World, tableId: number): string[] {
	const fallback = ['voorzitter', 'secretaris', 'procesregisseur', 'casusregisseur'];
	const hasColumn = (world.db.prepare("select 1 from pragma_table_info('table_types') where name = 'identity_roles'").get() as unknown) !== undefined;
	if (!hasColumn) return fallback;
	const row = world.db
		.prepare('select tt.identity_roles as roles from case_tables ct join table_types tt on tt.id = ct.table_type_id where ct.id = ?')
		.get(tableId) as { roles: string | null } | undefined;
	try {
		const list: unknown = JSON.parse(row?.roles ?? '');
		return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : fallback;
	} catch {
		return fallback;
	}
}

/** Notifications and e-mails about a case the user may not see, even by its code alone. */
export function findCaseNotices(world: World, received: Received[]): Leak[] {
	const leaks: Leak[] = [];
	const cases = world.db.prepare('select id, code, case_table_id from cases').all() as { id: number; code: string; case_table_id: number }[];
	for (const r of received) {
		if (r.transport !== 'e-mail' && !(r.transport === 'socket.io' && r.where === 'notice')) continue;
		const user = world.users.find((u) => u.local === r.user)!;
		for (const c of cases) {
			if (!r.text.includes(c.code)) continue;
			const canary: Canary = { token: c.code, variants: [c.code], scope: { kind: 'case', caseId: c.id, code: c.code, tableId: c.case_table_id }, field: 'melding over de casus', identifying: false };
			if (!mayKnow(world, user, canary)) leaks.push({ user: user.local, transport: r.transport, where: r.where, token: c.code, matched: c.code, scope: c.code, field: 'melding over de casus' });
		}
	}
	return leaks;
}

export function report(title: string, leaks: Leak[]): string {
	if (leaks.length === 0) return `${title}: geen lekken`;
	const lines = leaks
		.map((l) => `  ${l.user.padEnd(13)} ${l.transport.padEnd(14)} ${l.where}\n      ${l.scope} · ${l.field} · ${l.token}${l.matched !== l.token ? ` (gevonden als "${l.matched}")` : ''}`)
		.sort();
	const unique = [...new Set(lines)];
	const summary = new Map<string, number>();
	for (const l of leaks) summary.set(`${l.transport} · ${l.field}`, (summary.get(`${l.transport} · ${l.field}`) ?? 0) + 1);
	return [
		`${title}: ${unique.length} lekken`,
		'per transport en veld:',
		...[...summary.entries()].sort().map(([k, n]) => `  ${String(n).padStart(4)}  ${k}`),
		'alle:',
		...unique
	].join('\n');
}
