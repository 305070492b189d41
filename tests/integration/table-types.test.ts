import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openShared, type SharedDb } from './helpers/db';
import { demoLogins, request, startServer, type Reply, type RequestOptions, type TestServer } from './helpers/server';

/**
 * Table types as configuration a beheerder edits (issue 4, item 1), over HTTP against the real
 * server on the production build: the list with the seeded rules, an edit that persists (also
 * across a restart, when the seed runs again), refused input with Dutch messages and the typed
 * values kept, the audit row, adding a type, and the denials for everybody who is not a beheerder.
 * The file has its own server and database, so it may change any type.
 */
let server: TestServer;
let db: SharedDb;
const NOT_FOUND_TEXT = 'Deze pagina bestaat niet of u hebt er geen toegang toe.';

const as = demoLogins(() => server);

/** A form post with repeated fields (the organisation-type checkboxes), as a browser sends it. */
async function postForm(
	who: string | null,
	path: string,
	fields: Record<string, string | string[]>,
	options: RequestOptions = {}
): Promise<Reply> {
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(fields)) {
		for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
	}
	return request(server.url, path, {
		...options,
		cookie: who ? await as(who) : null,
		body: { contentType: 'application/x-www-form-urlencoded', data: params.toString() }
	});
}

const get = async (who: string | null, path: string) => request(server.url, path, { cookie: who ? await as(who) : null });

interface TypeRow {
	id: number;
	slug: string;
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
	updated_at: string | null;
	identity_roles: string;
	rule_basis: string;
}

const typeRow = (slug: string) => db.prepare('select * from table_types where slug = ?').get(slug) as TypeRow;
const auditRows = (action: string) =>
	db.prepare('select user_id, organisation_id, detail from audit_log where action = ? order by id').all(action) as {
		user_id: number;
		organisation_id: number;
		detail: string;
	}[];
const userId = (local: string) =>
	(db.prepare('select id from users where email = ?').get(`${local}@casustafel.example`) as { id: number }).id;

/** The form fields of a saved type, as the edit page would post them unchanged. */
function formOf(row: TypeRow): Record<string, string | string[]> {
	const num = (n: number | null) => (n === null ? '' : String(n));
	return {
		name: row.name,
		purpose: row.purpose,
		submitterOrgTypes: JSON.parse(row.submitter_org_types) as string[],
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
		identityRoles: JSON.parse(row.identity_roles) as string[],
		ruleBasis: row.rule_basis
	};
}

/** Page text without Svelte's hydration comments, so text split by them reads as one. */
const clean = (html: string) => html.replace(/<!--[\s\S]*?-->/g, '');

/** The text of the list's row whose first cell links to `name`. */
function rowText(html: string, name: string): string {
	const row = clean(html)
		.split(/<tr[\s>]/)
		.find((r) => r.includes(`>${name}</a>`));
	if (!row) throw new Error(`no row for ${name}`);
	return row
		.replace(/<br\s*\/?>/g, ' ')
		.replace(/<[^>]+>/g, '')
		.replace(/\s+/g, ' ')
		.trim();
}

/** The organisation types whose checkbox the edit page renders checked. */
function checkedOrgTypes(html: string): string[] {
	return [...clean(html).matchAll(/<input[^>]*name="submitterOrgTypes"[^>]*>/g)]
		.filter((m) => /\schecked(\s|=|>|\/)/.test(m[0]))
		.map((m) => /value="([^"]*)"/.exec(m[0])![1]!);
}

/** The value attribute of the input with this id, or the text of the textarea. */
function fieldValue(html: string, id: string): string | undefined {
	const page = clean(html);
	const input = new RegExp(`<input[^>]*id="${id}"[^>]*>`).exec(page)?.[0];
	if (input) return /\svalue="([^"]*)"/.exec(input)?.[1] ?? '';
	return new RegExp(`<textarea[^>]*id="${id}"[^>]*>([\\s\\S]*?)</textarea>`).exec(page)?.[1];
}

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

let ids: Record<string, number>;

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	ids = Object.fromEntries(
		(db.prepare('select id, slug from table_types').all() as { id: number; slug: string }[]).map((r) => [r.slug, r.id])
	);
	await Promise.all(['beheerder', 'voorzitter', 'deelnemer'].map(as));
});

afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('the beheerder sees every table type with its rules', () => {
	it('The list shows all eight seeded table types, each linking to its edit page.', async () => {
		const reply = await get('beheerder', '/beheer/tafeltypes');
		expect(reply.status).toBe(200);
		const names = [
			'Regionaal Team Integrale Vroeghulp',
			'Overleg Passende Hulp',
			'MDA++',
			'Jeugdbeschermingstafel',
			'Ketenoverleg Beschermd Wonen',
			'Top 150',
			'Top X Plus',
			'Tussen Wal en Schip'
		];
		expect(Object.keys(ids)).toHaveLength(8);
		for (const name of names) expect(clean(reply.body), name).toMatch(new RegExp(`<a href="/beheer/tafeltypes/\\d+">${name.replace(/\+/g, '\\+')}</a>`));
		// the beheer navigation names the page and marks it current
		expect(clean(reply.body)).toMatch(/<a href="\/beheer\/tafeltypes" aria-current="page"[^>]*>Tafeltypes<\/a>/);
	});

	it('The list shows the seeded rules: JBT submitters, the Top 150 cap, the MDA++ template and follow-up.', async () => {
		const html = (await get('beheerder', '/beheer/tafeltypes')).body;
		const jbt = rowText(html, 'Jeugdbeschermingstafel');
		expect(jbt).toContain('Zorgen en wat moet gebeuren (JBT)');
		expect(jbt).toContain('Veilig Thuis, Lokaal team, GI');
		expect(jbt).toContain('Tot en met 17 jaar');
		expect(rowText(html, 'Top 150')).toContain('150 casussen');
		expect(rowText(html, 'Top X Plus')).not.toContain('30 casussen');
		const mda = rowText(html, 'MDA++');
		expect(mda).toContain('Drie acties (MDA++)');
		expect(mda).toContain('36 maanden (3 jaar)');
		expect(rowText(html, 'Regionaal Team Integrale Vroeghulp')).toContain('0 tot en met 6 jaar');
		expect(rowText(html, 'Ketenoverleg Beschermd Wonen')).toContain('met BW-indicatie');
		expect(rowText(html, 'Overleg Passende Hulp')).toContain('Iedere organisatie');
	});

	it('The JBT edit page has exactly Veilig Thuis, lokaal team and GI ticked, and shows the other rules in the form.', async () => {
		const reply = await get('beheerder', `/beheer/tafeltypes/${ids.jbt}`);
		expect(reply.status).toBe(200);
		expect(checkedOrgTypes(reply.body).sort()).toEqual(['GI', 'Veilig Thuis', 'lokaal team']);
		expect(fieldValue(reply.body, 'tt-maxAge')).toBe('17');
		expect(fieldValue(reply.body, 'tt-childMinAge')).toBe('12');
		expect(fieldValue(reply.body, 'tt-leefgebieden')).toBe('Veiligheid\nOntwikkeling\nOpvoeding\nSchool\nGezondheid');
		expect(reply.body).toContain('Jeugdbeschermingstafel Regio Voorbeeld');

		const t150 = await get('beheerder', `/beheer/tafeltypes/${ids.t150}`);
		expect(fieldValue(t150.body, 'tt-caseloadCap')).toBe('150');
		const mda = await get('beheerder', `/beheer/tafeltypes/${ids.mda}`);
		expect(clean(mda.body)).toMatch(/<option value="drie_acties" selected[^>]*>Drie acties \(MDA\+\+\)<\/option>/);
		expect(fieldValue(mda.body, 'tt-followupMonths')).toBe('36');
		// the template's requirement is the select's help text
		expect(mda.body).toContain('Precies drie acties die nodig zijn om het geweld te doorbreken.');
	});
});

describe('the beheerder edits a table type', () => {
	it('An edit is saved, confirmed, shown again and logged with the names of the changed fields only.', async () => {
		const before = typeRow('rtiv');
		expect(before.updated_at).toBeNull();
		const form = {
			...formOf(before),
			submitterOrgTypes: ['MEE', 'lokaal team'],
			caseloadCap: ' 40 ',
			leefgebieden: 'Ontwikkeling\n  Gedrag \n\nGezondheid\nGezin\nKinderopvang en school\nSpraak en taal\n',
			childMinAge: ''
		};
		const reply = await postForm('beheerder', `/beheer/tafeltypes/${ids.rtiv}`, form);
		expect(reply.status).toBe(200);
		expect(reply.body).toContain('De wijzigingen zijn opgeslagen (wie mag aanmelden, maximum aantal lopende casussen, leefgebieden).');

		const after = typeRow('rtiv');
		expect(after.caseload_cap).toBe(40);
		expect(JSON.parse(after.submitter_org_types)).toEqual(['lokaal team', 'MEE']);
		expect(JSON.parse(after.leefgebieden)).toEqual(['Ontwikkeling', 'Gedrag', 'Gezondheid', 'Gezin', 'Kinderopvang en school', 'Spraak en taal']);
		expect(after.updated_at).not.toBeNull();
		expect({ ...after, caseload_cap: null, submitter_org_types: '', leefgebieden: '', updated_at: null }).toEqual({
			...before,
			submitter_org_types: '',
			leefgebieden: ''
		});

		const page = await get('beheerder', `/beheer/tafeltypes/${ids.rtiv}`);
		expect(fieldValue(page.body, 'tt-caseloadCap')).toBe('40');
		expect(checkedOrgTypes(page.body).sort()).toEqual(['MEE', 'lokaal team']);
		expect(page.body).toContain('Laatst gewijzigd op');
		expect(rowText((await get('beheerder', '/beheer/tafeltypes')).body, 'Regionaal Team Integrale Vroeghulp')).toContain('40 casussen');

		const audit = auditRows('tabletype.update');
		expect(audit).toHaveLength(1);
		expect(audit[0]!.user_id).toBe(userId('beheerder'));
		expect(JSON.parse(audit[0]!.detail)).toEqual({ tableTypeId: ids.rtiv, fields: ['submitterOrgTypes', 'caseloadCap', 'leefgebieden'] });
		expect(audit[0]!.detail).not.toContain('Spraak');
	});

	it('Saving without a change writes nothing and says so.', async () => {
		const before = typeRow('oph');
		const reply = await postForm('beheerder', `/beheer/tafeltypes/${ids.oph}`, formOf(before), { accept: 'json' });
		expect(reply.status).toBe(200);
		expect(JSON.parse(reply.body)).toMatchObject({ type: 'success', status: 200 });
		expect(reply.body).toContain('Er was niets gewijzigd');
		expect(typeRow('oph')).toEqual(before);
		expect(auditRows('tabletype.update')).toHaveLength(1);
	});

	it('A form post through use:enhance (JSON) saves as well: the Top X Plus cap.', async () => {
		const reply = await postForm('beheerder', `/beheer/tafeltypes/${ids.topx}`, { ...formOf(typeRow('topx')), caseloadCap: '35' }, { accept: 'json' });
		expect(JSON.parse(reply.body)).toMatchObject({ type: 'success', status: 200 });
		expect(typeRow('topx').caseload_cap).toBe(35);
		expect(JSON.parse(auditRows('tabletype.update').at(-1)!.detail)).toEqual({ tableTypeId: ids.topx, fields: ['caseloadCap'] });
	});

	it('An edited type keeps its rules when the server starts again and the seed runs; an unedited one is seeded again.', async () => {
		// make the unedited KBW differ from its seed behind the app's back: the seed must put it back
		const writable = openShared(server.dbFile, { writable: true });
		writable.prepare("update table_types set caseload_cap = 7 where slug = 'kbw'").run();
		writable.close();
		await server.crash();
		server = await server.restart();
		expect(typeRow('rtiv').caseload_cap).toBe(40);
		expect(typeRow('topx').caseload_cap).toBe(35);
		expect(typeRow('kbw').caseload_cap).toBeNull();
		// sessions live in the database: the beheerder is still logged in
		expect((await get('beheerder', `/beheer/tafeltypes/${ids.rtiv}`)).status).toBe(200);
	});

	it('Renaming a type to the name of another type is refused with 409 and a message at the name.', async () => {
		const reply = await postForm('beheerder', `/beheer/tafeltypes/${ids.oph}`, { ...formOf(typeRow('oph')), name: 'top 150' });
		expect(reply.status).toBe(409);
		expect(reply.body).toContain('Deze naam is al in gebruik bij een ander soort overleg.');
		expect(fieldValue(reply.body, 'tt-name')).toBe('top 150');
		expect(typeRow('oph').name).toBe('Overleg Passende Hulp');
	});
});

describe('invalid input is refused with Dutch messages, and what was typed comes back', () => {
	it('Min age above max age, an unknown template and empty leefgebieden: 400, a message at each field, nothing saved.', async () => {
		const before = typeRow('tws');
		const audits = auditRows('tabletype.update').length;
		const form = {
			...formOf(before),
			name: 'Tussen Wal en Schip (nieuw)',
			minAge: '23',
			maxAge: '16',
			outputTemplate: 'onbekend',
			leefgebieden: '\n   \n',
			caseloadCap: '12',
			submitterOrgTypes: ['GI', 'onderwijs']
		};
		const reply = await postForm('beheerder', `/beheer/tafeltypes/${ids.tws}`, form);
		expect(reply.status).toBe(400);
		const html = decode(reply.body);
		expect(html).toContain('Het soort overleg is niet opgeslagen. Wat er mis is, staat bij het veld.');
		expect(html).toContain('De hoogste leeftijd (16) is lager dan de laagste leeftijd (23).');
		expect(html).toContain('Kies een uitkomst uit de lijst.');
		expect(html).toContain('Vul minstens één leefgebied in, één per regel.');
		// the messages sit at their fields (aria-describedby) and in the summary that links to them
		expect(clean(reply.body)).toMatch(/<span class="error-text" id="tt-maxAge-error">/);
		expect(clean(reply.body)).toMatch(/<a href="#tt-leefgebieden"[^>]*>Leefgebieden: Vul minstens/);
		expect(clean(reply.body)).toMatch(/<input[^>]*id="tt-maxAge"[^>]*aria-invalid="true"/);
		// everything typed is still there
		expect(fieldValue(reply.body, 'tt-name')).toBe('Tussen Wal en Schip (nieuw)');
		expect(fieldValue(reply.body, 'tt-minAge')).toBe('23');
		expect(fieldValue(reply.body, 'tt-maxAge')).toBe('16');
		expect(fieldValue(reply.body, 'tt-caseloadCap')).toBe('12');
		expect(checkedOrgTypes(reply.body).sort()).toEqual(['GI', 'onderwijs']);
		// nothing saved, nothing logged
		expect(typeRow('tws')).toEqual(before);
		expect(auditRows('tabletype.update')).toHaveLength(audits);
	});

	it('Through use:enhance the failure is a 400 JSON answer with the same messages and the typed values.', async () => {
		const reply = await postForm(
			'beheerder',
			`/beheer/tafeltypes/${ids.tws}`,
			{ ...formOf(typeRow('tws')), minAge: '30', maxAge: '18', name: 'Getypte naam' },
			{ accept: 'json' }
		);
		expect(reply.status).toBe(200); // SvelteKit answers an enhanced form post with 200 and the status inside
		const body = JSON.parse(reply.body) as { type: string; status: number; data: string };
		expect(body).toMatchObject({ type: 'failure', status: 400 });
		expect(body.data).toContain('De hoogste leeftijd (18) is lager dan de laagste leeftijd (30).');
		expect(body.data).toContain('Getypte naam');
	});

	const cases: [string, Record<string, string | string[]>, string, string][] = [
		['a name of two characters', { name: 'AB' }, 'name', 'Vul een naam in van minstens 3 tekens.'],
		['a purpose of a few characters', { purpose: 'Kort' }, 'purpose', 'Beschrijf de doelbinding in minstens 10 tekens'],
		['an unknown organisation type', { submitterOrgTypes: ['GI', 'buurvrouw'] }, 'submitterOrgTypes', 'Kies alleen soorten organisaties uit de lijst.'],
		['an age with a decimal', { minAge: '7,5' }, 'minAge', 'Vul een hele leeftijd in van 0 tot en met 120 jaar'],
		['an age of 121', { maxAge: '121' }, 'maxAge', 'Vul een hele leeftijd in van 0 tot en met 120 jaar'],
		['a long indication', { requiredIndication: 'x'.repeat(61) }, 'requiredIndication', 'hoogstens 60 tekens'],
		['a cap of 0', { caseloadCap: '0' }, 'caseloadCap', 'Vul een heel getal in van 1 tot en met 10.000'],
		['a child age of 26', { childMinAge: '26' }, 'childMinAge', 'Vul een hele leeftijd in van 0 tot en met 25 jaar'],
		['an unknown subject kind', { subjectKind: 'hond' }, 'subjectKind', 'Kies wie er besproken wordt.'],
		['a leefgebied twice', { leefgebieden: 'Wonen\nInkomen\nwonen' }, 'leefgebieden', 'Het leefgebied “wonen” staat er twee keer in'],
		['thirteen leefgebieden', { leefgebieden: Array.from({ length: 13 }, (_, i) => `Gebied ${i + 1}`).join('\n') }, 'leefgebieden', 'Gebruik hoogstens 12 leefgebieden; nu zijn het er 13.'],
		['a leefgebied of 61 characters', { leefgebieden: `Wonen\n${'y'.repeat(61)}` }, 'leefgebieden', 'Houd elk leefgebied korter dan 61 tekens'],
		['follow-up of 241 months', { followupMonths: '241' }, 'followupMonths', 'Vul een heel aantal maanden in van 1 tot en met 240'],
		['no retention period', { retentionMonths: '' }, 'retentionMonths', 'Vul de bewaartermijn in, in maanden.'],
		['a retention period of 601 months', { retentionMonths: '601' }, 'retentionMonths', 'Vul een heel aantal maanden in van 1 tot en met 600'],
		['a client participation text of 501 characters', { clientParticipation: 'z'.repeat(501) }, 'clientParticipation', 'korter dan 500 tekens']
	];
	it.each(cases)('Refused: %s.', async (_label, change, field, message) => {
		const before = typeRow('kbw');
		const reply = await postForm('beheerder', `/beheer/tafeltypes/${ids.kbw}`, { ...formOf(before), ...change });
		expect(reply.status).toBe(400);
		const errorSpan = new RegExp(`<span class="error-text" id="tt-${field}-error">([^<]*)</span>`).exec(clean(reply.body));
		expect(decode(errorSpan?.[1] ?? '')).toContain(message);
		expect(typeRow('kbw')).toEqual(before);
	});
});

describe('adding a table type', () => {
	const form = () => ({
		name: 'Wijkgericht Zorg- & Veiligheidsoverleg',
		purpose: 'Casussen in de wijk waarin zorg en veiligheid samenkomen, voor een tafel die de regio nog inricht.',
		submitterOrgTypes: ['politie', 'lokaal team'],
		minAge: '',
		maxAge: '',
		requiredIndication: '',
		caseloadCap: '25',
		clientParticipation: 'De persoon zelf, als die dat wil.',
		childMinAge: '',
		outputTemplate: 'plan_van_aanpak',
		subjectKind: 'persoon',
		leefgebieden: 'Wonen\nVeiligheid\nZorg',
		followupMonths: '12',
		retentionMonths: '60'
	});

	it('The beheerder adds a type: a unique slug from the name, marked as edited, logged, and offered for new tables.', async () => {
		const reply = await postForm('beheerder', '/beheer/tafeltypes/nieuw', form());
		expect(reply.status).toBe(303);
		const id = Number(/^\/beheer\/tafeltypes\/(\d+)\?toegevoegd$/.exec(reply.location ?? '')?.[1]);
		const row = db.prepare('select * from table_types where id = ?').get(id) as TypeRow;
		expect(row.slug).toBe('wijkgericht-zorg-en-veiligheidsoverleg');
		expect(row.caseload_cap).toBe(25);
		expect(row.output_template).toBe('plan_van_aanpak');
		expect(row.updated_at).not.toBeNull();
		expect(JSON.parse(auditRows('tabletype.create').at(-1)!.detail)).toEqual({ tableTypeId: id, slug: row.slug });

		const page = await get('beheerder', reply.location!);
		expect(page.body).toContain('Het tafeltype is toegevoegd.');
		const tables = await get('beheerder', '/beheer/tafels');
		expect(tables.body).toContain(`<option value="${id}">Wijkgericht Zorg- &amp; Veiligheidsoverleg</option>`);
	});

	it('A second type with the same name is refused; a slug already taken gets a number.', async () => {
		const again = await postForm('beheerder', '/beheer/tafeltypes/nieuw', { ...form(), name: 'wijkgericht zorg- & veiligheidsoverleg' });
		expect(again.status).toBe(409);
		expect(again.body).toContain('Deze naam is al in gebruik bij een ander soort overleg.');
		expect(fieldValue(again.body, 'tt-caseloadCap')).toBe('25');

		const similar = await postForm('beheerder', '/beheer/tafeltypes/nieuw', { ...form(), name: 'Wijkgericht Zorg en Veiligheidsoverleg' });
		expect(similar.status).toBe(303);
		const id = Number(/(\d+)\?toegevoegd$/.exec(similar.location ?? '')?.[1]);
		expect((db.prepare('select slug from table_types where id = ?').get(id) as { slug: string }).slug).toBe('wijkgericht-zorg-en-veiligheidsoverleg-2');
	});

	it('Invalid input for a new type is refused with 400 and the typed values; nothing is added.', async () => {
		const count = () => (db.prepare('select count(*) as n from table_types').get() as { n: number }).n;
		const before = count();
		const reply = await postForm('beheerder', '/beheer/tafeltypes/nieuw', { ...form(), name: 'Nog een tafel', leefgebieden: '', minAge: '9', maxAge: '3' });
		expect(reply.status).toBe(400);
		expect(decode(reply.body)).toContain('Vul minstens één leefgebied in, één per regel.');
		expect(fieldValue(reply.body, 'tt-name')).toBe('Nog een tafel');
		expect(count()).toBe(before);
	});
});

describe('only a beheerder may see or change table types', () => {
	const pages = () => ['/beheer/tafeltypes', `/beheer/tafeltypes/${ids.jbt}`, '/beheer/tafeltypes/nieuw'];

	it.each(['voorzitter', 'deelnemer'])('A %s gets the 404 page for every table-type page.', async (who) => {
		for (const path of pages()) {
			const reply = await get(who, path);
			expect(reply.status, path).toBe(404);
			expect(reply.body, path).toContain(NOT_FOUND_TEXT);
			expect(reply.body, path).not.toContain('Jeugdbeschermingstafel</h1>');
		}
	});

	it.each(['voorzitter', 'deelnemer'])('A %s posting the edit or the add form gets a 404 and changes nothing.', async (who) => {
		const before = typeRow('jbt');
		const count = db.prepare('select count(*) as n from table_types').get();
		const audits = db.prepare('select count(*) as n from audit_log where action like ?').get('tabletype.%');
		for (const accept of ['html', 'json'] as const) {
			const edit = await postForm(who, `/beheer/tafeltypes/${ids.jbt}`, { ...formOf(before), submitterOrgTypes: [] }, { accept });
			const add = await postForm(who, '/beheer/tafeltypes/nieuw', { ...formOf(before), name: 'Sluiproute' }, { accept });
			for (const reply of [edit, add]) {
				if (accept === 'html') {
					expect(reply.status).toBe(404);
					expect(reply.body).toContain(NOT_FOUND_TEXT);
				} else {
					expect(reply.status).toBe(404);
					expect(JSON.parse(reply.body)).toMatchObject({ type: 'error', error: { code: 'NOT_FOUND' } });
				}
			}
		}
		expect(typeRow('jbt')).toEqual(before);
		expect(db.prepare('select count(*) as n from table_types').get()).toEqual(count);
		expect(db.prepare('select count(*) as n from audit_log where action like ?').get('tabletype.%')).toEqual(audits);
	});

	it('An anonymous visitor is sent to the login page, for the pages and for both forms, and changes nothing.', async () => {
		for (const path of pages()) {
			const reply = await get(null, path);
			expect([reply.status, reply.location], path).toEqual([303, `/login?terug=${encodeURIComponent(path)}`]);
		}
		const before = typeRow('jbt');
		for (const path of [`/beheer/tafeltypes/${ids.jbt}`, '/beheer/tafeltypes/nieuw']) {
			const reply = await postForm(null, path, { ...formOf(before), submitterOrgTypes: [], name: 'Anoniem' });
			expect(reply.status, path).toBe(303);
			expect(reply.location, path).toMatch(/^\/login\?terug=/);
		}
		expect(typeRow('jbt')).toEqual(before);
		expect(db.prepare("select count(*) as n from table_types where name = 'Anoniem'").get()).toEqual({ n: 0 });
	});

	it('For the beheerder, a table type that does not exist, or an id that is not one, is the same 404.', async () => {
		for (const path of ['/beheer/tafeltypes/999999', '/beheer/tafeltypes/abc', '/beheer/tafeltypes/0']) {
			const reply = await get('beheerder', path);
			expect(reply.status, path).toBe(404);
			expect(reply.body, path).toContain(NOT_FOUND_TEXT);
		}
		const post = await postForm('beheerder', '/beheer/tafeltypes/999999', formOf(typeRow('jbt')));
		expect(post.status).toBe(404);
		expect(typeRow('jbt').updated_at).toBeNull();
	});
});
