import type { AppContext } from '../context';
import type { Executor } from '../db/index';
import { hashPassword } from '../auth/password';
import type { CaseStatus, OrganisationType, SubjectKind, TableRole } from '../../shared/roles';
import type { LegalFrame } from '../../shared/tables';
import { TABLE_TYPES } from './table-types';
import { toColumns } from '../tables/types';
import * as Y from 'yjs';
import { addAction, addAgendaItem, addDecision, besprekingDocName, caseTextOf, minutesText } from '../../shared/documents';

/**
 * "Regio Voorbeeld": an invented region for demos and browser tests. Every name, case and
 * organisation here is made up; e-mail addresses use the reserved .example domain.
 */
export const DEMO_PASSWORD = 'Voorbeeld-2026';

/**
 * The demo beheerder's TOTP key (base32), public on purpose: add it to an authenticator app to
 * log in as beheerder@, and tests compute the current code from it. Never use it for a real account.
 */
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPCASUSTAFELDEMO22';

const ORGANISATIONS: [string, OrganisationType][] = [
	['Gemeente Voorbeeld', 'gemeente'],
	['Sociaal Team Voorbeeld', 'lokaal team'],
	['Jeugdbescherming Voorbeeld', 'GI'],
	['Veilig Thuis Voorbeeld', 'Veilig Thuis'],
	['Zorg- en Veiligheidshuis Voorbeeld', 'Zorg- en Veiligheidshuis'],
	['Politie Eenheid Voorbeeld', 'politie'],
	['GGZ Voorbeeld', 'GGZ'],
	['Openbaar Ministerie Voorbeeld', 'OM'],
	['Scholengroep Voorbeeld', 'onderwijs'],
	['Woonstichting Voorbeeld', 'woningcorporatie'],
	// the three seed tables the first demo lacked (issue 15 item 8)
	['MEE Voorbeeld', 'MEE'],
	['GGD Voorbeeld', 'GGD'],
	['Beschermd Wonen Voorbeeld', 'zorgaanbieder']
];

interface DemoUser {
	email: string;
	name: string;
	org: string;
	admin?: boolean;
	/** what the README and the start-up output say about this login */
	demoRole?: string;
}

const USERS: DemoUser[] = [
	{ email: 'beheerder@casustafel.example', name: 'Ilse Vermeer', org: 'Gemeente Voorbeeld', admin: true, demoRole: 'beheerder' },
	{ email: 'voorzitter@casustafel.example', name: 'Hanna de Vries', org: 'Zorg- en Veiligheidshuis Voorbeeld', demoRole: 'voorzitter Top 150 en MDA++' },
	{ email: 'secretaris@casustafel.example', name: 'Joris Bakker', org: 'Zorg- en Veiligheidshuis Voorbeeld', demoRole: 'secretaris Top 150 en MDA++' },
	{ email: 'deelnemer@casustafel.example', name: 'Fatima El Amrani', org: 'Sociaal Team Voorbeeld', demoRole: 'deelnemer, heeft toegang tot T150-2026-014' },
	{ email: 'geen-toegang@casustafel.example', name: 'Pieter Smit', org: 'Politie Eenheid Voorbeeld', demoRole: 'deelnemer Top 150, géén toegang tot T150-2026-014' },
	{ email: 'waarnemer@casustafel.example', name: 'Lotte Jansen', org: 'GGZ Voorbeeld', demoRole: 'waarnemer Top 150, toegang tot T150-2026-014' },
	{ email: 'mehmet@casustafel.example', name: 'Mehmet Yilmaz', org: 'Gemeente Voorbeeld', demoRole: 'voorzitter Overleg Passende Hulp en Tussen Wal en Schip' },
	{ email: 'sara@casustafel.example', name: 'Sara Visser', org: 'Gemeente Voorbeeld', demoRole: 'secretaris Overleg Passende Hulp, Tussen Wal en Schip en Jeugdbeschermingstafel' },
	{ email: 'kees@casustafel.example', name: 'Kees Mulder', org: 'Veilig Thuis Voorbeeld', demoRole: 'aanmelder (Veilig Thuis) en deelnemer Jeugdbeschermingstafel en MDA++' },
	{ email: 'eva@casustafel.example', name: 'Eva de Jong', org: 'Jeugdbescherming Voorbeeld' },
	{ email: 'noor@casustafel.example', name: 'Noor Hendriks', org: 'Gemeente Voorbeeld', demoRole: 'voorzitter Jeugdbeschermingstafel' },
	{ email: 'tom@casustafel.example', name: 'Tom van Leeuwen', org: 'Openbaar Ministerie Voorbeeld' },
	{ email: 'anouk@casustafel.example', name: 'Anouk Peters', org: 'Scholengroep Voorbeeld' },
	{ email: 'bram@casustafel.example', name: 'Bram Kok', org: 'Woonstichting Voorbeeld' },
	{ email: 'linda@casustafel.example', name: 'Linda Bos', org: 'Sociaal Team Voorbeeld', demoRole: 'casusregisseur van het MDA++-huishouden, deelnemer Tussen Wal en Schip' },
	{ email: 'ruben@casustafel.example', name: 'Ruben Smits', org: 'MEE Voorbeeld', demoRole: 'voorzitter Regionaal Team Integrale Vroeghulp' },
	{ email: 'femke@casustafel.example', name: 'Femke Janssen', org: 'GGD Voorbeeld', demoRole: 'jeugdarts en Meldpunt Bijzondere Zorg: deelnemer Integrale Vroeghulp en Top X Plus' },
	{ email: 'iris@casustafel.example', name: 'Iris de Boer', org: 'Zorg- en Veiligheidshuis Voorbeeld', demoRole: 'voorzitter Top X Plus' },
	{ email: 'wouter@casustafel.example', name: 'Wouter Meijer', org: 'Gemeente Voorbeeld', demoRole: 'voorzitter Ketenoverleg Beschermd Wonen (centrumgemeente)' },
	{ email: 'lisa@casustafel.example', name: 'Lisa Vos', org: 'Beschermd Wonen Voorbeeld', demoRole: 'zorgaanbieder: deelnemer Ketenoverleg Beschermd Wonen' }
];

interface DemoTable {
	name: string;
	type: string;
	prefix: string;
	members: [string, TableRole][];
	meetingInDays: number[];
	cases: {
		code: string;
		title: string;
		kind: SubjectKind;
		subject: string;
		birthdate: string | null;
		status: CaseStatus;
		access: string[];
		legalFrame?: LegalFrame;
	}[];
}

const u = (local: string) => `${local}@casustafel.example`;

const TABLES: DemoTable[] = [
	{
		name: 'Top 150 Regio Voorbeeld',
		type: 't150',
		prefix: 'T150',
		members: [
			[u('voorzitter'), 'voorzitter'],
			[u('secretaris'), 'secretaris'],
			[u('deelnemer'), 'deelnemer'],
			[u('geen-toegang'), 'deelnemer'],
			[u('tom'), 'deelnemer'],
			[u('waarnemer'), 'waarnemer']
		],
		meetingInDays: [-14, 3, 17],
		cases: [
			{ code: 'T150-2026-014', title: 'Jongvolwassene, herhaalde inbraken en schulden', kind: 'persoon', subject: 'Rens Verzonnen', birthdate: '2004-03-12', status: 'in_uitvoering', access: ['Sociaal Team Voorbeeld', 'GGZ Voorbeeld'], legalFrame: 'strafrecht' },
			{ code: 'T150-2026-015', title: 'Overlast in de wijk, verslaving', kind: 'persoon', subject: 'Karin Bedacht', birthdate: '1988-09-30', status: 'besproken', access: ['Politie Eenheid Voorbeeld', 'Openbaar Ministerie Voorbeeld'], legalFrame: 'strafrecht' },
			{ code: 'T150-2026-016', title: 'Nieuwe aanmelding, nog te beoordelen', kind: 'persoon', subject: 'Jamal Fictief', birthdate: '2001-01-05', status: 'aangemeld', access: [] }
		]
	},
	{
		name: 'Overleg Passende Hulp Regio Voorbeeld',
		type: 'oph',
		prefix: 'OPH',
		members: [
			[u('mehmet'), 'voorzitter'],
			[u('sara'), 'secretaris'],
			[u('deelnemer'), 'deelnemer'],
			[u('eva'), 'deelnemer'],
			[u('anouk'), 'deelnemer']
		],
		meetingInDays: [5],
		cases: [
			{ code: 'OPH-2026-003', title: 'Kind van 9, dreigende uithuisplaatsing', kind: 'jeugdige', subject: 'Mila Proef', birthdate: '2017-06-21', status: 'gepland', access: ['Sociaal Team Voorbeeld', 'Jeugdbescherming Voorbeeld'] },
			{ code: 'OPH-2026-004', title: 'Tiener, vastgelopen behandeling', kind: 'jeugdige', subject: 'Sem Bedenksel', birthdate: '2012-11-02', status: 'aangemeld', access: ['Scholengroep Voorbeeld'] }
		]
	},
	{
		name: 'Tussen Wal en Schip Regio Voorbeeld',
		type: 'tws',
		prefix: 'TWS',
		members: [
			[u('mehmet'), 'voorzitter'],
			[u('sara'), 'secretaris'],
			[u('anouk'), 'deelnemer'],
			[u('bram'), 'deelnemer'],
			[u('linda'), 'deelnemer']
		],
		meetingInDays: [10],
		cases: [
			{ code: 'TWS-2026-002', title: 'Jongere bijna 18, verblijf loopt af', kind: 'jeugdige', subject: 'Daan Verzonnen', birthdate: '2009-01-15', status: 'gepland', access: ['Sociaal Team Voorbeeld', 'Woonstichting Voorbeeld', 'Scholengroep Voorbeeld'] }
		]
	},
	{
		name: 'Jeugdbeschermingstafel Regio Voorbeeld',
		type: 'jbt',
		prefix: 'JBT',
		members: [
			[u('noor'), 'voorzitter'],
			[u('sara'), 'secretaris'],
			[u('kees'), 'deelnemer'],
			[u('eva'), 'deelnemer'],
			[u('deelnemer'), 'deelnemer']
		],
		meetingInDays: [7],
		cases: [
			{ code: 'JBT-2026-007', title: 'Zorgen over veiligheid, twee kinderen', kind: 'gezin', subject: 'Gezin Voorbeeldstra', birthdate: null, status: 'gepland', access: ['Veilig Thuis Voorbeeld', 'Jeugdbescherming Voorbeeld', 'Sociaal Team Voorbeeld'], legalFrame: 'gedwongen kader' }
		]
	},
	{
		name: 'MDA++ Regio Voorbeeld',
		type: 'mda',
		prefix: 'MDA',
		members: [
			[u('voorzitter'), 'voorzitter'],
			[u('secretaris'), 'secretaris'],
			[u('kees'), 'deelnemer'],
			[u('linda'), 'deelnemer']
		],
		meetingInDays: [12],
		cases: [
			{ code: 'MDA-2026-001', title: 'Huishouden, terugkerend huiselijk geweld', kind: 'huishouden', subject: 'Huishouden Testman', birthdate: null, status: 'monitoring', access: ['Veilig Thuis Voorbeeld', 'Sociaal Team Voorbeeld'] }
		]
	},
	// the three seed tables the first demo lacked, each with a chair, a member and a case, so
	// every table of 001 §5.4 can be walked (issue 15 item 8)
	{
		name: 'Integrale Vroeghulp Regio Voorbeeld',
		type: 'rtiv',
		prefix: 'RTIV',
		members: [
			[u('ruben'), 'voorzitter'],
			[u('femke'), 'deelnemer']
		],
		meetingInDays: [8],
		cases: [
			{ code: 'RTIV-2026-001', title: 'Peuter, achterstand in spraak en gedrag, onduidelijk beeld', kind: 'jeugdige', subject: 'Noa Fantasie', birthdate: '2023-05-10', status: 'gepland', access: ['MEE Voorbeeld', 'GGD Voorbeeld'] }
		]
	},
	{
		name: 'Top X Plus Regio Voorbeeld',
		type: 'topx',
		prefix: 'TOPX',
		members: [
			[u('iris'), 'voorzitter'],
			[u('femke'), 'deelnemer']
		],
		meetingInDays: [15],
		cases: [
			{ code: 'TOPX-2026-001', title: 'Volwassene, ernstige psychiatrie en onveilige situaties in de wijk', kind: 'persoon', subject: 'Victor Verzinsel', birthdate: '1979-08-14', status: 'gepland', access: ['GGD Voorbeeld'], legalFrame: 'Wvggz' }
		]
	},
	{
		name: 'Ketenoverleg Beschermd Wonen Regio Voorbeeld',
		type: 'kbw',
		prefix: 'KBW',
		members: [
			[u('wouter'), 'voorzitter'],
			[u('lisa'), 'deelnemer']
		],
		meetingInDays: [20],
		cases: [
			{ code: 'KBW-2026-001', title: 'Plaatsing na opname, BW-indicatie afgegeven', kind: 'persoon', subject: 'Yvonne Denkbeeld', birthdate: '1985-02-27', status: 'gepland', access: ['Beschermd Wonen Voorbeeld'] }
		]
	}
];

const LOCATIONS = ['Stadskantoor, zaal 2.14', 'Zorg- en Veiligheidshuis, vergaderzaal', 'Online en zaal De Brug'];

/** Seeds all table types (always) and, when the database has no organisations yet, the demo region. */
export async function seedDemoRegion(ctx: AppContext): Promise<{ email: string; role: string }[] | null> {
	const { db } = ctx;
	const now = ctx.now();
	await seedTableTypes(db, now);
	const existing = await db.selectFrom('organisations').select('id').limit(1).executeTakeFirst();
	if (existing) return null;

	const passwordHash = await hashPassword(DEMO_PASSWORD);
	await db.transaction().execute(async (trx) => {
		const at = now.toISOString();
		const orgIds = new Map<string, number>();
		for (const [name, type] of ORGANISATIONS) {
			const row = await trx.insertInto('organisations').values({ name, type, created_at: at }).returning('id').executeTakeFirstOrThrow();
			orgIds.set(name, row.id);
		}
		const userIds = new Map<string, number>();
		for (const user of USERS) {
			const row = await trx
				.insertInto('users')
				.values({ name: user.name, email: user.email, organisation_id: orgIds.get(user.org)!, password_hash: passwordHash, is_admin: user.admin ? 1 : 0, created_at: at, ...(user.admin ? { totp_secret: DEMO_TOTP_SECRET, totp_enabled_at: at } : {}) })
				.returning('id')
				.executeTakeFirstOrThrow();
			userIds.set(user.email, row.id);
		}
		const chairId = userIds.get(u('voorzitter'))!;
		const caseIds = new Map<string, number>();
		const tableIds = new Map<string, number>();
		const pastMeetings = new Map<string, number>();
		for (const [index, table] of TABLES.entries()) {
			const type = await trx.selectFrom('table_types').select('id').where('slug', '=', table.type).executeTakeFirstOrThrow();
			const t = await trx
				.insertInto('case_tables')
				.values({ name: table.name, table_type_id: type.id, code_prefix: table.prefix, created_at: at })
				.returning('id')
				.executeTakeFirstOrThrow();
			tableIds.set(table.type, t.id);
			for (const [email, role] of table.members) {
				await trx.insertInto('memberships').values({ case_table_id: t.id, user_id: userIds.get(email)!, role, created_at: at }).execute();
			}
			for (const days of table.meetingInDays) {
				const meeting = await trx
					.insertInto('meetings')
					.values({
						case_table_id: t.id,
						starts_at: meetingTime(now, days).toISOString(),
						location: LOCATIONS[index % LOCATIONS.length]!,
						status: days < 0 ? 'gesloten' : 'gepland',
						created_at: at,
						...(days < 0 ? { opened_at: meetingTime(now, days).toISOString(), closed_at: new Date(meetingTime(now, days).getTime() + 90 * 60_000).toISOString() } : {})
					})
					.returning('id')
					.executeTakeFirstOrThrow();
				if (days < 0) pastMeetings.set(table.type, meeting.id);
			}
			for (const c of table.cases) {
				const row = await trx
					.insertInto('cases')
					.values({ case_table_id: t.id, code: c.code, title: c.title, subject_kind: c.kind, subject_name: c.subject, subject_birthdate: c.birthdate, status: c.status, created_at: at, legal_frame: c.legalFrame ?? 'vrijwillig' })
					.returning('id')
					.executeTakeFirstOrThrow();
				caseIds.set(c.code, row.id);
				for (const org of c.access) {
					await trx.insertInto('case_access').values({ case_id: row.id, organisation_id: orgIds.get(org)!, granted_by: chairId, granted_at: at }).execute();
				}
			}
		}
		await seedFollowUp(trx, now, { userIds, orgIds, caseIds, tableIds, pastMeetings });
	});
	return USERS.filter((x) => x.demoRole).map((x) => ({ email: x.email, role: x.demoRole! }));
}

interface SeededIds {
	userIds: Map<string, number>;
	orgIds: Map<string, number>;
	caseIds: Map<string, number>;
	tableIds: Map<string, number>;
	pastMeetings: Map<string, number>;
}

const isoDay = (d: Date) => d.toISOString().slice(0, 10);
const plusDays = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000);

/**
 * What a region in use has besides its tables: regie decided at the last Top 150 meeting (so
 * T150-2026-014 returns as a terugkomcasus), an MDA++ household in monitoring with its review
 * date, and two verzoeken tot bespreking waiting for triage.
 */
async function seedFollowUp(trx: Executor, now: Date, ids: SeededIds) {
	const at = now.toISOString();
	const user = (local: string) => ids.userIds.get(u(local))!;
	const caseId = (code: string) => ids.caseIds.get(code)!;
	const past = ids.pastMeetings.get('t150')!;
	const pastAt = meetingTime(now, -14).toISOString();

	await trx
		.insertInto('item_closures')
		.values({ meeting_id: past, item_id: 'demo-t150-014', case_id: caseId('T150-2026-014'), closed_by: user('voorzitter'), closed_at: pastAt, template_missing: '[]' })
		.execute();
	const regie: [string, 'procesregisseur' | 'casusregisseur', string, number | null, string][] = [
		['T150-2026-014', 'procesregisseur', 'secretaris', past, pastAt],
		['T150-2026-014', 'casusregisseur', 'deelnemer', past, pastAt],
		['MDA-2026-001', 'casusregisseur', 'linda', null, plusDays(now, -200).toISOString()]
	];
	await seedDocument(trx, now, `case:${caseId('T150-2026-014')}`, (doc) => {
		caseTextOf(doc, 'situatie').insert(0, 'Rens (22) is sinds januari vier keer aangehouden voor inbraak. Schulden bij drie schuldeisers, geen vast inkomen. Woont bij een vriend.');
		caseTextOf(doc, 'afspraken').insert(0, 'Rens werkt mee aan schuldhulp. Politie en Sociaal Team delen wekelijks hoe het gaat.');
		const who = (local: string) => USERS.find((x) => x.email === u(local))!;
		const fatima = who('deelnemer');
		const lotte = who('waarnemer');
		const action = (text: string, person: DemoUser, days: number, status: 'open' | 'bezig' | 'gedaan', leefgebied: string) => ({
			text,
			actiehouderId: user(person.email.split('@')[0]!),
			actiehouderName: person.name,
			organisationId: ids.orgIds.get(person.org)!,
			organisationName: person.org,
			deadline: isoDay(plusDays(now, days)),
			status,
			leefgebied
		});
		addAction(doc, action('Aanmelding schuldhulpverlening afronden', fatima, 10, 'bezig', 'Financiën'));
		addAction(doc, action('Intake verslavingszorg plannen', lotte, -3, 'open', 'Gezondheid'));
		addAction(doc, action('Tijdelijke woonplek regelen', fatima, -7, 'gedaan', 'Wonen'));
	});
	// the past meeting's own document: its agenda (the item the closure above refers to)
	await seedDocument(trx, now, `meeting:${past}`, (doc) => {
		addAgendaItem(doc, { caseId: caseId('T150-2026-014'), caseCode: 'T150-2026-014', title: '', plannedMinutes: 20, status: 'besproken' }, 'demo-t150-014');
	});
	// the case's minutes and its decision: where the case's access governs them
	await seedDocument(trx, now, besprekingDocName(past, caseId('T150-2026-014')), (doc) => {
		minutesText(doc).insert(0, 'Situatie in kaart gebracht. Straf en zorg worden gecombineerd: het OM wacht met vervolging zolang Rens meewerkt aan schuldhulp en verslavingszorg.');
		addDecision(doc, 'demo-t150-014', 'Straf en zorg combineren: het OM wacht met vervolging zolang schuldhulp en verslavingszorg lopen.');
	});
	for (const [code, kind, who, meetingId, when] of regie) {
		await trx
			.insertInto('regie_assignments')
			.values({ case_id: caseId(code), kind, user_id: user(who), assigned_at: when, decided_by: user('voorzitter'), meeting_id: meetingId })
			.execute();
	}
	await trx
		.updateTable('cases')
		.set({ review_date: isoDay(plusDays(now, 30)), followup_until: isoDay(plusDays(now, 3 * 365 - 200)) })
		.where('id', '=', caseId('MDA-2026-001'))
		.execute();

	const requests = [
		{
			table: 'jbt',
			by: 'kees',
			org: 'Veilig Thuis Voorbeeld',
			kind: 'gezin',
			name: 'Gezin Bedenkhof',
			birthdate: null,
			reason: 'Meerdere meldingen van huiselijk geweld; de kinderen (8 en 14) zijn getuige.',
			question: 'Is een verzoek tot onderzoek bij de Raad nodig, of lukt het vrijwillig?',
			invite: ['Sociaal Team Voorbeeld', 'Jeugdbescherming Voorbeeld'],
			frame: 'vrijwillig'
		},
		{
			table: 't150',
			by: 'geen-toegang',
			org: 'Politie Eenheid Voorbeeld',
			kind: 'persoon',
			name: 'Rik Verzinsel',
			birthdate: '1999-04-18',
			reason: 'Veertien incidenten dit jaar, overlast en bedreiging van buren.',
			question: 'Kan de Top 150 straf en zorg combineren in één plan?',
			invite: ['Openbaar Ministerie Voorbeeld', 'GGZ Voorbeeld'],
			frame: 'strafrecht'
		}
	];
	for (const r of requests) {
		await trx
			.insertInto('requests')
			.values({
				case_table_id: ids.tableIds.get(r.table)!,
				organisation_id: ids.orgIds.get(r.org)!,
				submitted_by: user(r.by),
				subject_kind: r.kind,
				subject_name: r.name,
				subject_birthdate: r.birthdate,
				reason: r.reason,
				question: r.question,
				invite_org_ids: JSON.stringify(r.invite.map((o) => ids.orgIds.get(o)!)),
				legal_frame: r.frame,
				consent_note: r.frame === 'vrijwillig' ? 'Ouders weten van de aanmelding en stemmen in.' : '',
				has_indication: 0,
				status: 'ingediend',
				created_at: at,
				updated_at: at
			})
			.execute();
	}
}

/** Stores a document's first content as one update, as if someone had typed it. */
async function seedDocument(trx: Executor, now: Date, docName: string, fill: (doc: Y.Doc) => void) {
	const doc = new Y.Doc();
	fill(doc);
	await trx.insertInto('doc_updates').values({ doc_name: docName, data: Y.encodeStateAsUpdate(doc), created_at: now.toISOString() }).execute();
	doc.destroy();
}

/**
 * Inserts the eight table types; a type a beheerder never edited (updated_at null) gets the
 * current configuration again, so an upgraded database receives the rules added later.
 */
async function seedTableTypes(db: Executor, now: Date) {
	for (const t of TABLE_TYPES) {
		const columns = toColumns(t);
		await db
			.insertInto('table_types')
			.values({ slug: t.slug, ...columns, created_at: now.toISOString() })
			.onConflict((oc) => oc.column('slug').doUpdateSet(columns).where('table_types.updated_at', 'is', null))
			.execute();
	}
}

/** A weekday morning about `days` from now, at 09:30 Amsterdam time in winter and 10:30 in summer. */
function meetingTime(now: Date, days: number): Date {
	const d = new Date(now.getTime() + days * 86_400_000);
	d.setUTCHours(8, 30, 0, 0);
	const weekday = d.getUTCDay();
	if (weekday === 6) d.setUTCDate(d.getUTCDate() + 2);
	if (weekday === 0) d.setUTCDate(d.getUTCDate() + 1);
	return d;
}

export const DEMO_LOGINS = USERS.filter((x) => x.demoRole).map((x) => ({ email: x.email, role: x.demoRole! }));
