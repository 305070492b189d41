import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMonths, todayIn } from '../../src/lib/server/cases/lifecycle';
import { caseId, openShared, user, type SharedDb } from './helpers/db';
import { demoEmail, demoLogins, request, startServer, type Reply, type TestServer } from './helpers/server';

/**
 * The case after its bespreking over HTTP, against the real server on the production build:
 * in uitvoering → monitoring (review date, follow-up period from the table type) → afgesloten
 * (outcome, nazorg), escalation and its outcome, and who may do any of it. The chair and the
 * active regisseur may; nobody else, and they get the same 404 as for a case that does not
 * exist. The file has its own server and database; the tests run in order.
 */
let server: TestServer;
let db: SharedDb;

let t014: number; // T150-2026-014: in uitvoering; deelnemer@ casusregisseur; access Sociaal Team, GGZ
let t015: number; // T150-2026-015: besproken; access Politie (geen-toegang@), OM (tom@)
let t016: number; // T150-2026-016: aangemeld
let mda: number; // MDA-2026-001: monitoring; linda@ casusregisseur
let oph: number; // OPH-2026-003: gepland; mehmet@ chairs OPH

const NOT_FOUND_TEXT = 'Deze pagina bestaat niet of u hebt er geen toegang toe.';
const as = demoLogins(() => server);

/** A form post to the case page; 'html' as without JavaScript, 'json' as use:enhance posts it. */
async function act(who: string, id: number, action: string, form: Record<string, string | number>, accept: 'html' | 'json' = 'html'): Promise<Reply> {
	return request(server.url, `/casus/${id}?/${action}`, { form, cookie: await as(who), accept });
}
const page = async (who: string, id: number) => request(server.url, `/casus/${id}`, { cookie: await as(who) });

/** The status a form post ended with: the HTTP status without JavaScript, the action's with. */
function outcome(reply: Reply): { status: number; type: string } {
	if (reply.headers.get('content-type')?.includes('application/json')) {
		const body = JSON.parse(reply.body) as { type: string; status?: number };
		return { type: body.type, status: body.status ?? reply.status };
	}
	return { type: reply.status === 200 ? 'success' : 'failure', status: reply.status };
}

function caseRow(id: number) {
	return db
		.prepare('select status, review_date, followup_until, outcome, nazorg, closed_at from cases where id = ?')
		.get(id) as { status: string; review_date: string | null; followup_until: string | null; outcome: string | null; nazorg: string | null; closed_at: string | null };
}

function auditRows(caseIdValue: number, since: number) {
	return db
		.prepare("select user_id, organisation_id, action, detail from audit_log where case_id = ? and id > ? and action != 'case.view' order by id")
		.all(caseIdValue, since) as { user_id: number; organisation_id: number; action: string; detail: string | null }[];
}
const lastAuditId = () => (db.prepare('select coalesce(max(id), 0) as id from audit_log').get() as { id: number }).id;

function escalations(caseIdValue: number) {
	return db.prepare('select id, reason, escalated_to, outcome, resolved_at from escalations where case_id = ? order by id').all(caseIdValue) as {
		id: number;
		reason: string;
		escalated_to: string;
		outcome: string | null;
		resolved_at: string | null;
	}[];
}

/** Dates relative to the server's "today" in the Netherlands. */
const today = () => todayIn(new Date());
const inDays = (days: number) => new Date(Date.parse(`${today()}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** What svelte renders for a value inside an attribute or text. */
const html = (text: string) => text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	t014 = caseId(db, 'T150-2026-014');
	t015 = caseId(db, 'T150-2026-015');
	t016 = caseId(db, 'T150-2026-016');
	mda = caseId(db, 'MDA-2026-001');
	oph = caseId(db, 'OPH-2026-003');
	await Promise.all(['voorzitter', 'deelnemer', 'linda', 'tom', 'geen-toegang', 'waarnemer', 'beheerder', 'mehmet'].map(as));
});

afterAll(async () => {
	db?.close();
	await server?.stop();
});

describe('who may change the phase of a case, escalate or close it', () => {
	// [who, case, why not]
	const refused = () =>
		[
			['tom', t015, 'deelnemer with access who is not regisseur'],
			['geen-toegang', t015, 'deelnemer with access who is not regisseur'],
			['waarnemer', t014, 'waarnemer with access'],
			['geen-toegang', t014, 'deelnemer without access'],
			['beheerder', t014, 'beheerder, not a member'],
			['mehmet', t014, 'voorzitter of another table']
		] as const;

	let escalationId: number;

	beforeAll(async () => {
		// an open escalation on each case, raised by someone who may, for the resolve attempts
		const raised = await act('deelnemer', t014, 'escalate', { reason: 'Schuldhulp komt niet op gang, al drie maanden.', escalatedTo: 'Lokale taskforce gemeente' }, 'json');
		expect(outcome(raised)).toEqual({ type: 'success', status: 200 });
		const raised015 = await act('voorzitter', t015, 'escalate', { reason: 'Verslavingszorg heeft een wachtlijst van een half jaar.', escalatedTo: 'Toetsingscommissie' }, 'json');
		expect(outcome(raised015)).toEqual({ type: 'success', status: 200 });
	});

	it('Everybody else gets the same 404 for every action, with and without JavaScript, and nothing changes.', async () => {
		const open = () => [...escalations(t014), ...escalations(t015)].filter((e) => !e.resolved_at);
		expect(open()).toHaveLength(2);
		const before = { t014: caseRow(t014), t015: caseRow(t015), audit: lastAuditId() };
		for (const [who, id, why] of refused()) {
			escalationId = open().find((e) => escalations(id).some((x) => x.id === e.id))!.id;
			const attempts: [string, Record<string, string | number>][] = [
				['phase', { phase: 'monitoring', reviewDate: inDays(30), followupUntil: '' }],
				['phase', { phase: 'in_uitvoering', reviewDate: '' }],
				['close', { outcome: 'Afgesloten door iemand die dat niet mag.', nazorg: '', earlyReason: 'Omdat het kan, zou je denken.' }],
				['escalate', { reason: 'Escalatie door iemand die dat niet mag.', escalatedTo: 'Toetsingscommissie' }],
				['resolve', { escalationId, outcome: 'Uitkomst door iemand die dat niet mag.' }],
				// invalid input is refused the same way: the policy comes first
				['phase', { phase: 'gesloten', reviewDate: 'gisteren' }],
				['close', { outcome: '' }]
			];
			for (const [action, form] of attempts) {
				for (const accept of ['html', 'json'] as const) {
					const reply = await act(who, id, action, form, accept);
					expect(outcome(reply), `${who} (${why}) ${action} ${accept}`).toEqual({ type: 'failure', status: 404 });
					if (accept === 'json') expect(reply.body).toContain(NOT_FOUND_TEXT);
				}
			}
		}
		expect(caseRow(t014)).toEqual(before.t014);
		expect(caseRow(t015)).toEqual(before.t015);
		expect(open()).toHaveLength(2);
		expect(db.prepare("select count(*) as n from audit_log where id > ? and action like 'case.%' and action != 'case.view'").get(before.audit)).toEqual({ n: 0 });
	});

	it('A case id that does not exist and an escalation of another case are refused the same way.', async () => {
		const reply = await act('voorzitter', 999_999, 'phase', { phase: 'monitoring', reviewDate: inDays(30) }, 'json');
		expect(outcome(reply)).toEqual({ type: 'failure', status: 404 });
		// the escalation belongs to T150-2026-014; posting it to T150-2026-015's page finds nothing
		const other = escalations(t014)[0]!.id;
		const cross = await act('voorzitter', t015, 'resolve', { escalationId: other, outcome: 'Via de verkeerde casus vastgelegd.' }, 'json');
		expect(outcome(cross)).toEqual({ type: 'failure', status: 404 });
		expect(escalations(t014)[0]!.resolved_at).toBeNull();
	});

	it('The page offers the forms only to who may use them.', async () => {
		for (const who of ['voorzitter', 'deelnemer']) {
			const reply = await page(who, t014);
			expect(reply.status, who).toBe(200);
			for (const action of ['?/phase', '?/close', '?/escalate', '?/resolve']) expect(reply.body, `${who} ${action}`).toContain(action);
		}
		const waarnemer = await page('waarnemer', t014);
		expect(waarnemer.status).toBe(200);
		expect(waarnemer.body).toContain('Fase en opvolging');
		for (const action of ['?/phase', '?/close', '?/escalate', '?/resolve']) expect(waarnemer.body, action).not.toContain(action);
		const tom = await page('tom', t015);
		expect(tom.status).toBe(200);
		expect(tom.body).not.toContain('?/phase');
	});

	it('The escalations are resolved by the chair and by the regisseur, and closing them twice is refused.', async () => {
		const e014 = escalations(t014).find((e) => !e.resolved_at)!;
		const byRegisseur = await act('deelnemer', t014, 'resolve', { escalationId: e014.id, outcome: 'De taskforce betaalt de schuldhulp uit het maatwerkbudget.' }, 'json');
		expect(outcome(byRegisseur)).toEqual({ type: 'success', status: 200 });
		const e015 = escalations(t015).find((e) => !e.resolved_at)!;
		const byChair = await act('voorzitter', t015, 'resolve', { escalationId: e015.id, outcome: 'Voorrang bij de verslavingszorg geregeld.' }, 'json');
		expect(outcome(byChair)).toEqual({ type: 'success', status: 200 });
		const again = await act('voorzitter', t015, 'resolve', { escalationId: e015.id, outcome: 'Nog een keer vastgelegd.' });
		expect(again.status).toBe(409);
		expect(again.body).toContain('De uitkomst van deze escalatie is al vastgelegd.');
		expect(escalations(t015).find((e) => e.id === e015.id)!.outcome).toBe('Voorrang bij de verslavingszorg geregeld.');
	});
});

describe('the voorzitter takes a Top 150 case from besproken to afgesloten', () => {
	it('A case still aangemeld or gepland cannot go into monitoring or be closed, with a Dutch message.', async () => {
		const aangemeld = await act('voorzitter', t016, 'phase', { phase: 'monitoring', reviewDate: inDays(30) });
		expect(aangemeld.status).toBe(409);
		expect(aangemeld.body).toContain('Deze casus is nog niet besproken.');
		const gepland = await act('mehmet', oph, 'phase', { phase: 'monitoring', reviewDate: inDays(30) });
		expect(gepland.status).toBe(409);
		expect(gepland.body).toContain('Deze casus is nog niet besproken.');
		const close = await act('mehmet', oph, 'close', { outcome: 'Afgesloten voordat er iets besproken is.' });
		expect(close.status).toBe(409);
		expect(caseRow(oph).status).toBe('gepland');
		expect(caseRow(t016).status).toBe('aangemeld');
	});

	it('In uitvoering needs no review date; it is recorded in the audit log.', async () => {
		const chair = user(db, demoEmail('voorzitter'));
		const since = lastAuditId();
		const reply = await act('voorzitter', t015, 'phase', { phase: 'in_uitvoering', reviewDate: '', followupUntil: '' });
		expect(reply.status).toBe(200);
		expect(reply.body).toContain('De casus staat nu in uitvoering.');
		expect(caseRow(t015)).toMatchObject({ status: 'in_uitvoering', review_date: null, followup_until: null });
		const rows = auditRows(t015, since);
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ user_id: chair.id, organisation_id: chair.organisationId, action: 'case.phase' });
		expect(JSON.parse(rows[0]!.detail!)).toMatchObject({ from: 'besproken', to: 'in_uitvoering' });
	});

	it('Monitoring without a review date, with one in the past, or with a date that does not exist is refused with Dutch messages, and what was typed comes back.', async () => {
		const cases: [Record<string, string>, string, string][] = [
			[{ phase: 'monitoring', reviewDate: '', followupUntil: '' }, 'reviewDate', 'Vul de datum in waarop de tafel de voortgang tussentijds toetst.'],
			[{ phase: 'monitoring', reviewDate: inDays(-1), followupUntil: '' }, 'reviewDate', 'Kies voor het tussentijds toetsen een datum na vandaag.'],
			[{ phase: 'monitoring', reviewDate: today(), followupUntil: '' }, 'reviewDate', 'Kies voor het tussentijds toetsen een datum na vandaag.'],
			[{ phase: 'monitoring', reviewDate: '2027-02-30', followupUntil: '' }, 'reviewDate', 'Vul een geldige datum in, zoals 2026-09-30.'],
			[{ phase: 'monitoring', reviewDate: 'volgende week', followupUntil: '' }, 'reviewDate', 'Vul een geldige datum in, zoals 2026-09-30.'],
			[{ phase: 'monitoring', reviewDate: inDays(30), followupUntil: '31-12-2030' }, 'followupUntil', 'Vul een geldige datum in, zoals 2026-09-30.'],
			[{ phase: 'afgesloten', reviewDate: inDays(30), followupUntil: '' }, 'phase', 'Kies in uitvoering of monitoring.']
		];
		for (const [form, field, message] of cases) {
			const reply = await act('voorzitter', t015, 'phase', form);
			expect(reply.status, JSON.stringify(form)).toBe(400);
			expect(reply.body, JSON.stringify(form)).toContain('Controleer de invoer. Wat er mis is, staat bij het veld.');
			expect(reply.body, JSON.stringify(form)).toContain(html(message));
			// the message is tied to its field
			expect(reply.body, JSON.stringify(form)).toMatch(field === 'phase' ? /id="phase-error"/ : new RegExp(`id="${field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="${field}"`));
			if (form.reviewDate) expect(reply.body, JSON.stringify(form)).toContain(`value="${html(form.reviewDate)}"`);
			if (form.followupUntil) expect(reply.body, JSON.stringify(form)).toContain(`value="${html(form.followupUntil)}"`);

			const json = await act('voorzitter', t015, 'phase', form, 'json');
			const body = JSON.parse(json.body) as { type: string; status: number; data: string };
			expect([body.type, body.status]).toEqual(['failure', 400]);
			if (form.reviewDate) expect(body.data).toContain(form.reviewDate);
		}
		expect(caseRow(t015).status).toBe('in_uitvoering');
	});

	it('A follow-up end before the table type\'s minimum (Top 150: two years) is refused with a message naming it; a review date after the end too.', async () => {
		const minimum = addMonths(today(), 24);
		const early = await act('voorzitter', t015, 'phase', { phase: 'monitoring', reviewDate: inDays(30), followupUntil: inDays(365) });
		expect(early.status).toBe(400);
		expect(early.body).toContain('Top 150 volgt een casus minimaal twee jaar: kies');
		expect(early.body).toContain(`value="${inDays(365)}"`);
		const late = await act('voorzitter', t015, 'phase', { phase: 'monitoring', reviewDate: addMonths(minimum, 1), followupUntil: '' });
		expect(late.status).toBe(400);
		expect(late.body).toContain('Het tussentijds toetsen valt binnen de opvolging');
		expect(caseRow(t015).status).toBe('in_uitvoering');
	});

	it('Monitoring with a review date follows the case for the table type\'s period by default, and the page shows both dates.', async () => {
		const reply = await act('voorzitter', t015, 'phase', { phase: 'monitoring', reviewDate: inDays(42), followupUntil: '' });
		expect(reply.status).toBe(200);
		expect(reply.body).toContain('De casus staat nu in monitoring.');
		expect(caseRow(t015)).toMatchObject({ status: 'monitoring', review_date: inDays(42), followup_until: addMonths(today(), 24) });
		const view = await page('voorzitter', t015);
		expect(view.body).toContain('Tussentijds toetsen');
		expect(view.body).toContain('Volgen tot');
		expect(view.body).toContain('Top 150 volgt een casus minimaal twee jaar.');
		// a later end is fine; staying in monitoring keeps the period it already has as the minimum
		const later = await act('voorzitter', t015, 'phase', { phase: 'monitoring', reviewDate: inDays(60), followupUntil: addMonths(today(), 30) }, 'json');
		expect(outcome(later)).toEqual({ type: 'success', status: 200 });
		expect(caseRow(t015).followup_until).toBe(addMonths(today(), 30));
		const shorter = await act('voorzitter', t015, 'phase', { phase: 'monitoring', reviewDate: inDays(60), followupUntil: addMonths(today(), 27) });
		expect(shorter.status).toBe(400);
		expect(shorter.body).toContain('De opvolging loopt al tot');
		expect(caseRow(t015).followup_until).toBe(addMonths(today(), 30));
	});

	it('Closing needs an outcome of at least 10 characters, and before the follow-up period ends a reason as well.', async () => {
		const empty = await act('voorzitter', t015, 'close', { outcome: '', nazorg: 'Wijkagent houdt contact.', earlyReason: '' });
		expect(empty.status).toBe(400);
		expect(empty.body).toContain('Beschrijf de uitkomst in minstens 10 tekens.');
		expect(empty.body).toContain('Wijkagent houdt contact.</textarea>');

		const noReason = await act('voorzitter', t015, 'close', { outcome: 'Karin is in behandeling en woont zelfstandig.', nazorg: 'Wijkagent houdt contact.', earlyReason: '' });
		expect(noReason.status).toBe(400);
		expect(noReason.body).toContain('Top 150 volgt deze casus tot');
		expect(noReason.body).toContain('Wie eerder afsluit, schrijft op waarom (minstens 10 tekens).');
		expect(noReason.body).toContain('Karin is in behandeling en woont zelfstandig.</textarea>');
		expect(caseRow(t015).status).toBe('monitoring');

		const chair = user(db, demoEmail('voorzitter'));
		const since = lastAuditId();
		const closed = await act('voorzitter', t015, 'close', {
			outcome: 'Karin is in behandeling en woont zelfstandig.',
			nazorg: 'Wijkagent houdt contact.',
			earlyReason: 'Verhuisd naar een andere regio; overgedragen aan de Top 150 daar.'
		});
		expect(closed.status).toBe(200);
		expect(closed.body).toContain('De casus is afgesloten.');
		const row = caseRow(t015);
		expect(row).toMatchObject({
			status: 'afgesloten',
			outcome: 'Karin is in behandeling en woont zelfstandig.\n\nEerder afgesloten: Verhuisd naar een andere regio; overgedragen aan de Top 150 daar.',
			nazorg: 'Wijkagent houdt contact.'
		});
		expect(row.closed_at).not.toBeNull();
		const rows = auditRows(t015, since);
		expect(rows.map((r) => [r.user_id, r.organisation_id, r.action])).toEqual([[chair.id, chair.organisationId, 'case.close']]);
		expect(JSON.parse(rows[0]!.detail!)).toEqual({ from: 'monitoring', early: true, nazorg: true });
		// the page shows the outcome and offers no more changes
		expect(closed.body).toContain('Nazorgafspraken');
		expect(closed.body).not.toContain('?/phase');
		expect(closed.body).not.toContain('?/escalate');
	});

	it('A closed case cannot be moved, closed again or escalated.', async () => {
		const phase = await act('voorzitter', t015, 'phase', { phase: 'monitoring', reviewDate: inDays(30) });
		expect(phase.status).toBe(409);
		expect(phase.body).toContain('Deze casus is afgesloten. Een nieuwe aanmelding opent hem opnieuw.');
		expect((await act('voorzitter', t015, 'close', { outcome: 'Nog een keer afgesloten.' })).status).toBe(409);
		expect((await act('voorzitter', t015, 'escalate', { reason: 'Escalatie na het afsluiten.', escalatedTo: 'Toetsingscommissie' })).status).toBe(409);
	});
});

describe('the casusregisseur follows her own cases up', () => {
	it('deelnemer@, casusregisseur of T150-2026-014, puts it in monitoring and escalates it; the voorzitter sees both.', async () => {
		const me = user(db, demoEmail('deelnemer'));
		const since = lastAuditId();
		const reply = await act('deelnemer', t014, 'phase', { phase: 'monitoring', reviewDate: inDays(21), followupUntil: '' }, 'json');
		expect(outcome(reply)).toEqual({ type: 'success', status: 200 });
		expect(caseRow(t014)).toMatchObject({ status: 'monitoring', review_date: inDays(21), followup_until: addMonths(today(), 24) });
		const escalated = await act('deelnemer', t014, 'escalate', { reason: 'GGZ-behandeling start niet: geen plek binnen acht weken.', escalatedTo: 'Regiehouder met doorzettingsmacht' }, 'json');
		expect(outcome(escalated)).toEqual({ type: 'success', status: 200 });
		expect(auditRows(t014, since).map((r) => [r.user_id, r.organisation_id, r.action])).toEqual([
			[me.id, me.organisationId, 'case.phase'],
			[me.id, me.organisationId, 'case.escalate']
		]);
		const chair = await page('voorzitter', t014);
		expect(chair.body).toContain('Loopt nog');
		expect(chair.body).toContain('Naar Regiehouder met doorzettingsmacht');
		expect(chair.body).toContain('GGZ-behandeling start niet: geen plek binnen acht weken.');
		expect(chair.body).toContain('Gemeld door Fatima El Amrani');
	});

	it('Escalation input is checked with Dutch messages, and what was typed comes back.', async () => {
		const reply = await act('deelnemer', t014, 'escalate', { reason: 'Te kort', escalatedTo: '' });
		expect(reply.status).toBe(400);
		expect(reply.body).toContain('Beschrijf in minstens 10 tekens waarom de hulp stagneert.');
		expect(reply.body).toContain('Vul in naar wie de escalatie gaat, bijvoorbeeld de lokale taskforce.');
		expect(reply.body).toContain('Te kort</textarea>');
		const long = await act('deelnemer', t014, 'escalate', { reason: 'Hulp stagneert al maanden.', escalatedTo: 'x'.repeat(201) });
		expect(long.status).toBe(400);
		expect(long.body).toContain('Gebruik hoogstens 200 tekens voor naar wie de escalatie gaat.');
		expect(long.body).toContain('Hulp stagneert al maanden.</textarea>');
		const open = escalations(t014).find((e) => !e.resolved_at)!;
		const noOutcome = await act('deelnemer', t014, 'resolve', { escalationId: open.id, outcome: 'kort' });
		expect(noOutcome.status).toBe(400);
		expect(noOutcome.body).toContain('Beschrijf de uitkomst van de escalatie in minstens 10 tekens.');
		expect(noOutcome.body).toContain('kort</textarea>');
		expect(escalations(t014).find((e) => e.id === open.id)!.resolved_at).toBeNull();
	});

	it('linda@, casusregisseur of MDA-2026-001: monitoring restarts the three years, an earlier end is refused, closing waits for the open escalation.', async () => {
		const back = await act('linda', mda, 'phase', { phase: 'in_uitvoering', reviewDate: inDays(14) }, 'json');
		expect(outcome(back)).toEqual({ type: 'success', status: 200 });
		expect(caseRow(mda)).toMatchObject({ status: 'in_uitvoering', review_date: inDays(14), followup_until: null });

		const twoYears = await act('linda', mda, 'phase', { phase: 'monitoring', reviewDate: inDays(30), followupUntil: addMonths(today(), 24) });
		expect(twoYears.status).toBe(400);
		expect(twoYears.body).toContain('MDA++ volgt een casus minimaal drie jaar: kies');
		// the form offers the default, three years from today
		expect(twoYears.body).toContain('Standaard');
		const monitoring = await act('linda', mda, 'phase', { phase: 'monitoring', reviewDate: inDays(30), followupUntil: '' }, 'json');
		expect(outcome(monitoring)).toEqual({ type: 'success', status: 200 });
		expect(caseRow(mda)).toMatchObject({ status: 'monitoring', followup_until: addMonths(today(), 36) });

		const escalated = await act('linda', mda, 'escalate', { reason: 'Partner houdt zich niet aan het contactverbod.', escalatedTo: 'Lokale taskforce (doorzettingsmacht)' }, 'json');
		expect(outcome(escalated)).toEqual({ type: 'success', status: 200 });
		const refused = await act('linda', mda, 'close', { outcome: 'Het geweld is gestopt, het huishouden is stabiel.', earlyReason: 'Het huishouden verhuist naar het buitenland.' });
		expect(refused.status).toBe(409);
		expect(refused.body).toContain('Er loopt nog een escalatie. Leg eerst de uitkomst van de escalatie vast en sluit de casus daarna af.');
		expect(refused.body).toContain('Het geweld is gestopt, het huishouden is stabiel.</textarea>');
		expect(caseRow(mda).status).toBe('monitoring');

		const open = escalations(mda).find((e) => !e.resolved_at)!;
		expect(open.escalated_to).toBe('Lokale taskforce (doorzettingsmacht)');
		const resolved = await act('linda', mda, 'resolve', { escalationId: open.id, outcome: 'Taskforce: straatverbod via de burgemeester.' }, 'json');
		expect(outcome(resolved)).toEqual({ type: 'success', status: 200 });

		const closed = await act('linda', mda, 'close', { outcome: 'Het geweld is gestopt, het huishouden is stabiel.', nazorg: 'Veilig Thuis belt na drie maanden.', earlyReason: 'Het huishouden verhuist naar het buitenland.' });
		expect(closed.status).toBe(200);
		expect(caseRow(mda)).toMatchObject({ status: 'afgesloten', nazorg: 'Veilig Thuis belt na drie maanden.' });
		expect(caseRow(mda).outcome).toContain('Eerder afgesloten: Het huishouden verhuist naar het buitenland.');
		const view = await page('voorzitter', mda);
		expect(view.body).toContain('Afgerond');
		expect(view.body).toContain('Taskforce: straatverbod via de burgemeester.');
	});
});

describe('regie history, besprekingen and terugval on the case page', () => {
	it('A member with access sees the regie history: who, from when, decided by whom, in which meeting.', async () => {
		for (const who of ['deelnemer', 'waarnemer', 'voorzitter']) {
			const reply = await page(who, t014);
			expect(reply.status, who).toBe(200);
			expect(reply.body, who).toContain('Geschiedenis van de regie');
			expect(reply.body, who).toContain('Joris Bakker'); // procesregisseur
			expect(reply.body, who).toContain('Fatima El Amrani'); // casusregisseur
			expect(reply.body, who).toContain('Hanna de Vries'); // decided by
			expect(reply.body, who).toMatch(/<a href="\/overleg\/\d+">/); // the meeting it was decided in
			expect(reply.body, who).toContain('Overleg van'); // the bespreking
		}
	});

	it('A member without access, and someone from another table, see nothing of it.', async () => {
		for (const who of ['geen-toegang', 'mehmet', 'beheerder']) {
			const reply = await page(who, t014);
			expect(reply.status, who).toBe(404);
			expect(reply.body, who).toContain(NOT_FOUND_TEXT);
			expect(reply.body, who).not.toContain('Geschiedenis van de regie');
			expect(reply.body, who).not.toContain('Fatima El Amrani');
		}
	});

	it('A case that came back links to the earlier case for whoever may see that one, and only for them.', async () => {
		const writable = openShared(server.dbFile, { writable: true });
		try {
			// T150-2026-016 as the return of T150-2026-015 (closed above)
			writable.prepare('update cases set previous_case_id = ? where id = ?').run(t015, t016);
		} finally {
			writable.close();
		}
		const chair = await page('voorzitter', t016);
		expect(chair.body).toContain('Terugval');
		expect(chair.body).toContain(`<a href="/casus/${t015}">T150-2026-015</a>`);

		// deelnemer@'s organisation gets T150-2026-016 but never had T150-2026-015
		const sociaalTeam = user(db, demoEmail('deelnemer')).organisationId;
		const granted = await act('voorzitter', t016, 'grant', { organisationId: sociaalTeam }, 'json');
		expect(outcome(granted)).toEqual({ type: 'success', status: 200 });
		const deelnemer = await page('deelnemer', t016);
		expect(deelnemer.status).toBe(200);
		expect(deelnemer.body).not.toContain('Terugval');
		expect(deelnemer.body).not.toContain('T150-2026-015');
	});
});
