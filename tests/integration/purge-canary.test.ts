import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { actorFor, caseIdOf, createTestContext, email, type TestContext } from './helpers/context';
import { CollabHub } from '../../src/lib/server/collab/hub';
import { createSqliteDocStore, type DocStore } from '../../src/lib/server/collab/store';
import { sqliteHandle } from '../../src/lib/server/db/index';
import type { AppContext } from '../../src/lib/server/context';
import { PURGED_AGENDA_TITLE, purgeDue } from '../../src/lib/server/retention/index';
import {
	addAction,
	addAgendaItem,
	addDecision,
	besprekingDocName,
	caseFieldsOf,
	caseTextOf,
	decisionsOf,
	meetingNotesOf,
	minutesText,
	readAgenda,
	readDecisions,
	removeAgendaItem,
	agendaItemsOf
} from '../../src/lib/shared/documents';

/**
 * Issue 13 item 6 (done when): after a purge, a search of every table and every stored document
 * for the purged person's name, birthdate and free-text canaries finds nothing. A unique canary
 * goes into every place a case leaves personal data: the case row, its aanmelding, the case
 * document (text, fields, an action), the bespreking minutes and a decision kept there, the
 * meeting document (agenda title, a removed agenda item that only the update log remembers,
 * decisions, notes, a quarantined update), item closures, attendee names, regie notes,
 * escalations, notifications (linked to the case and not), agenda and action rows. After the
 * purge every column of every table (text, and BLOBs as raw bytes, so binary Yjs updates are
 * searched for the UTF-8 canary) and the raw bytes of the SQLite files (database, WAL, shared
 * memory) are searched. Before the purge the same search must find every canary, so the search
 * is proven to look in the right places.
 */
let t: TestContext;
let ctx: AppContext;
let hub: CollabHub;
let store: DocStore;
let caseId: number;
let pastMeeting: number;
let plannedMeeting: number;
let dbFile: string;

const tag = Math.random().toString(36).slice(2, 8);
const C = {
	name: `Zwaantje Kanarievogel${tag}`,
	birthdate: '1987-11-23',
	title: `TitelCanary${tag}`,
	outcome: `UitkomstCanary${tag}`,
	nazorg: `NazorgCanary${tag}`,
	requestReason: `AanmeldredenCanary${tag}`,
	requestQuestion: `HulpvraagCanary${tag}`,
	consent: `ToestemmingCanary${tag}`,
	triage: `TriageCanary${tag}`,
	situatie: `SituatieCanary${tag}`,
	field: `VeldCanary${tag}`,
	action: `ActieCanary${tag}`,
	actionNote: `ActienotitieCanary${tag}`,
	minutes: `VerslagCanary${tag}`,
	besprekingDecision: `BesprekingsbesluitCanary${tag}`,
	agendaTitle: `AgendatitelCanary${tag}`,
	removedItem: `VerwijderdAgendapuntCanary${tag}`,
	decision: `OverlegbesluitCanary${tag}`,
	notes: `NotitieCanary${tag}`,
	quarantine: `QuarantaineCanary${tag}`,
	closure: `AfsluitredenCanary${tag}`,
	regieReason: `RegieredenCanary${tag}`,
	attendee: `AanwezigeCanary${tag}`,
	regieNote: `RegienotitieCanary${tag}`,
	escalation: `OpschalingCanary${tag}`,
	escalationOutcome: `OpschalingsuitkomstCanary${tag}`,
	notice: `MeldingCanary${tag}`,
	unlinkedNotice: `LosBerichtCanary${tag}`,
	agendaRow: `AgendarijCanary${tag}`
} as const;
/** Text that stays: a general meeting note and another item's decision are not the case's. */
const KEEP = { note: `Algemene mededeling ${tag}: de koffieautomaat is kapot.`, decision: `Ander besluit ${tag}` };

interface Hit {
	where: string;
}

/** Every table, every column, every row: text by substring, BLOBs by their raw bytes. */
function searchTables(canaries: string[]): { hits: Map<string, Hit[]>; searched: string[] } {
	const sqlite = sqliteHandle(ctx.db);
	const tables = (sqlite.prepare("select name from sqlite_master where type = 'table' order by name").all() as { name: string }[]).map((r) => r.name);
	const hits = new Map<string, Hit[]>(canaries.map((c) => [c, []]));
	const searched: string[] = [];
	const needles = canaries.map((c) => ({ c, text: c.toLowerCase(), bytes: Buffer.from(c, 'utf8') }));
	for (const table of tables) {
		const columns = (sqlite.prepare(`select name from pragma_table_info(?)`).all(table) as { name: string }[]).map((r) => r.name);
		const rows = sqlite.prepare(`select * from "${table}"`).all() as Record<string, unknown>[];
		searched.push(`${table} (${rows.length} rows; ${columns.join(', ')})`);
		for (const [i, row] of rows.entries()) {
			for (const col of columns) {
				const v = row[col];
				if (v === null || v === undefined) continue;
				for (const n of needles) {
					const found = Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v as Uint8Array).includes(n.bytes) : String(v).toLowerCase().includes(n.text);
					if (found) hits.get(n.c)!.push({ where: `${table}.${col} row ${i}` });
				}
			}
		}
	}
	return { hits, searched };
}

/** The raw bytes of the database file and its WAL and shared-memory files. */
function searchFiles(canaries: string[]): { hits: Map<string, string[]>; searched: string[] } {
	const hits = new Map<string, string[]>(canaries.map((c) => [c, []]));
	const searched: string[] = [];
	for (const file of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) {
		if (!fs.existsSync(file)) {
			searched.push(`${file} (absent)`);
			continue;
		}
		const bytes = fs.readFileSync(file);
		searched.push(`${file} (${bytes.length} bytes)`);
		for (const c of canaries) if (bytes.includes(Buffer.from(c, 'utf8'))) hits.get(c)!.push(file);
	}
	return { hits, searched };
}

const missing = (hits: Map<string, unknown[]>) => [...hits].filter(([, h]) => h.length === 0).map(([c]) => c);
const found = (hits: Map<string, unknown[]>) => [...hits].filter(([, h]) => h.length > 0).map(([c, h]) => `${c} in ${JSON.stringify(h)}`);

beforeAll(async () => {
	t = await createTestContext(new Date('2026-03-02T09:00:00Z'));
	ctx = t.ctx;
	dbFile = sqliteHandle(ctx.db).name;
	store = createSqliteDocStore(sqliteHandle(ctx.db), { now: ctx.now, onWriteError: () => {} });
	hub = new CollabHub({ store, log: ctx.log, compactAfter: 1_000 });
	ctx.realtime = { hub } as unknown as AppContext['realtime'];
	caseId = await caseIdOf(ctx, 'T150-2026-014');
	const c = await ctx.db.selectFrom('cases').select(['case_table_id', 'code']).where('id', '=', caseId).executeTakeFirstOrThrow();
	const meetings = await ctx.db.selectFrom('meetings').select(['id', 'status']).where('case_table_id', '=', c.case_table_id).orderBy('starts_at').execute();
	pastMeeting = meetings[0]!.id;
	plannedMeeting = meetings.find((m) => m.status === 'gepland')!.id;
	const chair = await actorFor(ctx, email('voorzitter'));
	const at = '2026-03-02T09:00:00.000Z';

	// rows
	await ctx.db
		.updateTable('cases')
		.set({ subject_name: C.name, subject_birthdate: C.birthdate, title: C.title, outcome: C.outcome, nazorg: C.nazorg })
		.where('id', '=', caseId)
		.execute();
	await ctx.db
		.insertInto('requests')
		.values({ case_table_id: c.case_table_id, organisation_id: chair.organisationId, submitted_by: chair.userId, subject_kind: 'persoon', subject_name: C.name, subject_birthdate: C.birthdate, has_indication: 0, reason: C.requestReason, question: C.requestQuestion, invite_org_ids: '[]', legal_frame: 'vrijwillig', consent_note: C.consent, status: 'geaccepteerd', triage_note: C.triage, decided_by: chair.userId, decided_at: at, case_id: caseId, meeting_id: null, relapse_case_id: null, created_at: at, updated_at: at })
		.execute();
	await ctx.db
		.insertInto('action_rows')
		.values({ case_id: caseId, action_id: `canary-${tag}`, position: 9, text: C.action, actiehouder_id: chair.userId, organisation_id: chair.organisationId, deadline: '', status: 'open', leefgebied: '', note: C.actionNote, projected_at: at })
		.execute();
	await ctx.db.insertInto('item_closures').values({ meeting_id: plannedMeeting, item_id: `item-${tag}`, case_id: caseId, closed_by: chair.userId, closed_at: at, template_missing: '[]', template_reason: C.closure, regie_reason: C.regieReason }).execute();
	for (const name of [C.name, `Moeder ${C.attendee}`]) {
		await ctx.db.insertInto('attendance').values({ meeting_id: pastMeeting, case_id: caseId, kind: 'ouder', name, age: null, added_by: chair.userId, created_at: at }).execute();
	}
	await ctx.db.insertInto('regie_assignments').values({ case_id: caseId, kind: 'casusregisseur', user_id: chair.userId, assigned_at: at, ended_at: at, decided_by: chair.userId, meeting_id: pastMeeting, note: C.regieNote }).execute();
	await ctx.db.insertInto('escalations').values({ case_id: caseId, reason: C.escalation, escalated_to: 'bestuurlijk', raised_by: chair.userId, raised_at: at, outcome: C.escalationOutcome, resolved_by: chair.userId, resolved_at: at }).execute();
	await ctx.db.insertInto('notifications').values({ user_id: chair.userId, kind: 'action.assigned', dedupe_key: `canary-${tag}`, case_id: caseId, meeting_id: null, text: `Nieuwe actie: ${C.notice}`, link: '/acties', created_at: at, read_at: null, email_sent_at: null }).execute();
	await ctx.db.insertInto('notifications').values({ user_id: chair.userId, kind: 'request.outcome', dedupe_key: `canary-loose-${tag}`, case_id: null, meeting_id: null, text: `Over ${c.code}: ${C.unlinkedNotice}`, link: '/meldingen', created_at: at, read_at: null, email_sent_at: null }).execute();
	await ctx.db.insertInto('agenda_rows').values({ meeting_id: plannedMeeting, item_id: `row-${tag}`, position: 5, case_id: caseId, title: `${C.agendaRow} ${C.name}`, planned_minutes: 10, status: 'gepland', projected_at: at }).execute();

	// documents: the case, its bespreking (minutes and, as issue 13 item 1 moves them there, a decision)
	await hub.change(`case:${caseId}`, 'test', (doc) => {
		caseTextOf(doc, 'situatie').insert(0, `${C.name} (${C.birthdate}): ${C.situatie}. `);
		caseFieldsOf(doc).set('financiering', C.field);
		addAction(doc, { text: C.action, actiehouderId: null, actiehouderName: C.name, organisationId: null, organisationName: '', deadline: '', status: 'open', leefgebied: '' });
	});
	await hub.change(besprekingDocName(pastMeeting, caseId), 'test', (doc) => {
		minutesText(doc).insert(0, `${C.minutes} met ${C.name}. `);
		const d = new Y.Map<unknown>();
		d.set('id', `bd-${tag}`);
		d.set('itemId', 'demo-t150-014');
		d.set('text', C.besprekingDecision);
		decisionsOf(doc).push([d]);
	});
	// the meeting documents: an agenda item whose title changes (the old one stays in the log),
	// one that is removed again, decisions, notes with a general line and a line about the case
	let itemId = '';
	let removedId = '';
	const oldTitle = (doc: Y.Doc, id: string, title: string) => (agendaItemsOf(doc).get(id) as Y.Map<unknown>).set('title', title);
	await hub.change(`meeting:${plannedMeeting}`, 'test', (doc) => {
		// titled as documents from before issue 13 are (addAgendaItem writes no title on a case item now)
		itemId = addAgendaItem(doc, { caseId, caseCode: c.code, title: '', plannedMinutes: 20, status: 'gepland' });
		oldTitle(doc, itemId, `${C.name} ${C.agendaTitle}`);
		removedId = addAgendaItem(doc, { caseId, caseCode: c.code, title: '', plannedMinutes: 5, status: 'gepland' });
		oldTitle(doc, removedId, C.removedItem);
		const other = addAgendaItem(doc, { caseId: null, caseCode: null, title: 'Mededelingen', plannedMinutes: 5, status: 'gepland' });
		addDecision(doc, other, KEEP.decision);
	});
	await hub.change(`meeting:${pastMeeting}`, 'test', (doc) => {
		addDecision(doc, 'demo-t150-014', `${C.decision} (vorige keer)`);
	});
	await hub.shutdown(); // compacts to snapshots holding the titles above
	// what follows goes into the update log after the snapshot, written to the store directly (a
	// loaded document would compact it away): the title changes and the second item is removed,
	// so the old texts are only in the snapshot and the log, no longer in the document itself
	const later = new Y.Doc();
	const stored = store.load(`meeting:${plannedMeeting}`);
	Y.applyUpdate(later, stored.snapshot!);
	for (const u of stored.updates) Y.applyUpdate(later, u);
	const step = async (fn: (doc: Y.Doc) => void) => {
		const before = Y.encodeStateVector(later);
		fn(later);
		await store.append(`meeting:${plannedMeeting}`, Y.encodeStateAsUpdate(later, before));
	};
	await step((doc) => oldTitle(doc, itemId, 'Jongvolwassene, zorgen'));
	await step((doc) => removeAgendaItem(doc, removedId));
	await step((doc) => addDecision(doc, itemId, `${C.decision}: ${C.name} krijgt een woonplek.`));
	await step((doc) => meetingNotesOf(doc).insert(0, `${KEEP.note}\nOver ${c.code}: ${C.notes}\n`));
	later.destroy();
	// an update set aside as not applicable, holding the case's text too
	const stray = new Y.Doc();
	stray.getText('notes').insert(0, C.quarantine);
	await ctx.db.insertInto('doc_update_quarantine').values({ id: 999_000 + 1, doc_name: `meeting:${plannedMeeting}`, data: Y.encodeStateAsUpdate(stray), created_at: at, quarantined_at: at, reason: 'test' }).execute();
	stray.destroy();

	// closed long ago: past every term
	await ctx.db.updateTable('cases').set({ status: 'afgesloten', closed_at: '2026-03-02T09:00:00.000Z' }).where('id', '=', caseId).execute();
}, 60_000);

afterAll(async () => {
	await hub?.shutdown();
	await t?.close();
});

describe('a purge leaves no trace of the person anywhere', () => {
	const canaries = Object.values(C);
	// the demo's own decision for this case in the past meeting's document
	const demoDecision = 'Straf en zorg combineren: het OM';

	it('before the purge, the search finds every canary (so it looks in the right places)', () => {
		const { hits } = searchTables([...canaries, demoDecision]);
		expect(missing(hits), 'canaries the table search did not find before the purge').toEqual([]);
		// and the file search finds them in the raw bytes (database or WAL)
		expect(missing(searchFiles([C.name, C.situatie, C.agendaTitle, C.notes]).hits), 'canaries the file search did not find').toEqual([]);
	});

	it('after the purge, no canary is in any column of any table (text or BLOB bytes), nor in the raw database, WAL or shared-memory files', async () => {
		t.clock.set(new Date('2050-01-01T00:00:00Z'));
		const purged = await purgeDue(ctx, ctx.now());
		expect(purged.map((p) => p.caseId)).toContain(caseId);
		const mine = purged.find((p) => p.caseId === caseId)!;
		expect(mine.counts.meetingDocsScrubbed).toBe(2);
		expect(mine.counts.agendaRowsBlanked).toBeGreaterThanOrEqual(1);
		// the database's own log folded back: what is in the files is what the tables say
		sqliteHandle(ctx.db).pragma('wal_checkpoint(TRUNCATE)');

		const tables = searchTables([...canaries, demoDecision]);
		const files = searchFiles([...canaries, demoDecision]);
		console.log(
			[
				`Searched for ${canaries.length + 1} canaries (${[...canaries, demoDecision].join(', ')}):`,
				`every column of every table, text case-insensitively and BLOBs as raw UTF-8 bytes:`,
				...tables.searched.map((s) => `  table ${s}`),
				`the raw bytes of the SQLite files:`,
				...files.searched.map((s) => `  file ${s}`)
			].join('\n')
		);
		expect(tables.searched.length).toBeGreaterThanOrEqual(25);
		expect(found(tables.hits), 'canaries left in the tables').toEqual([]);
		expect(found(files.hits), 'canaries left in the raw files').toEqual([]);
	});

	it('what stays in the meeting documents: the items in their place as "Verwijderde casus" without a code, the other item and its decision, the general note', async () => {
		const planned = await hub.read(`meeting:${plannedMeeting}`, (doc) => ({ agenda: readAgenda(doc), decisions: readDecisions(doc), notes: meetingNotesOf(doc).toString() }));
		expect(planned.agenda.map((i) => [i.title, i.caseCode])).toEqual([
			[PURGED_AGENDA_TITLE, null],
			['Mededelingen', null]
		]);
		expect(planned.decisions.map((d) => d.text)).toEqual([KEEP.decision]);
		expect(planned.notes).toBe(`${KEEP.note}\n`);
		const past = await hub.read(`meeting:${pastMeeting}`, (doc) => ({ agenda: readAgenda(doc), decisions: readDecisions(doc) }));
		expect(past.agenda.map((i) => [i.title, i.caseCode, i.status])).toEqual([[PURGED_AGENDA_TITLE, null, 'besproken']]);
		expect(past.decisions).toEqual([]);
		// the stored log of each is one fresh snapshot: no update row holds the old text
		for (const m of [plannedMeeting, pastMeeting]) {
			expect(await ctx.db.selectFrom('doc_updates').select('id').where('doc_name', '=', `meeting:${m}`).execute()).toEqual([]);
			expect(await ctx.db.selectFrom('doc_update_quarantine').select('id').where('doc_name', '=', `meeting:${m}`).execute()).toEqual([]);
		}
		expect(sqliteHandle(ctx.db).pragma('secure_delete', { simple: true })).toBe(1);
	});
});
