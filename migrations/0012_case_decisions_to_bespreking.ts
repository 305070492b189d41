import type { Kysely } from 'kysely';
import * as Y from 'yjs';

// Frozen in time: never import app code here, never edit after release.
//
// One rule for case content (issue 13): a decision recorded at an agenda item about a case lives
// in that case's bespreking document (`bespreking:<meetingId>:<caseId>`, the case's access),
// not in the meeting document that every member of the table reads. This moves the decisions
// that exist: for every stored meeting document, each decision whose item refers to a case is
// appended to the bespreking document (a Yjs update in its log, as the server stores any change)
// and deleted from the meeting document. The meeting document is then compacted, so the text
// leaves its stored bytes as well (a deleted item's content is garbage-collected in the
// snapshot). Idempotent: a decision already in the bespreking document (same id) is not added
// twice, and a meeting document without case decisions is not touched.
//
// A decision of a case whose personal data was purged is deleted, not moved: the purge took the
// case's documents; its decisions go with them.
//
// The same rule for agenda titles: an agenda item about a case carries the case's id and code,
// no title (the case's title is case content; pages add it for those who may see the case). The
// title of every case item is set to '' in the same pass (except the purge's fixed "Verwijderde
// casus", which names nothing), and the compaction takes the old text out of the stored bytes.
//
// Shapes as of this release (src/lib/shared/documents.ts): agenda items in the map `agendaItems`
// (item id -> map with `caseId`) or the legacy array `agenda` (maps with `id` and `caseId`);
// decisions in the array `decisions` of maps with `id`, `itemId` and `text`.

type Db = Kysely<any>;

interface Loaded {
	doc: Y.Doc;
	/** the id of the last stored update (0 if none) */
	lastId: number;
	/** every stored update applied: only then may the log be compacted */
	complete: boolean;
}

const bytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? new Uint8Array(v) : new Uint8Array(v as ArrayBuffer));

async function load(db: Db, docName: string): Promise<Loaded> {
	const doc = new Y.Doc({ gc: true });
	const snapshot = await db.selectFrom('doc_snapshots').select(['state', 'last_update_id']).where('doc_name', '=', docName).executeTakeFirst();
	let complete = true;
	if (snapshot) Y.applyUpdate(doc, bytes(snapshot.state));
	const after = snapshot ? Number(snapshot.last_update_id) : 0;
	const rows = await db.selectFrom('doc_updates').select(['id', 'data']).where('doc_name', '=', docName).where('id', '>', after).orderBy('id').execute();
	for (const r of rows) {
		try {
			Y.applyUpdate(doc, bytes(r.data));
		} catch {
			// set aside by the server when the document loads (doc_update_quarantine); never compacted away here
			complete = false;
		}
	}
	return { doc, lastId: rows.length > 0 ? Number(rows[rows.length - 1]!.id) : after, complete };
}

async function append(db: Db, docName: string, update: Uint8Array, at: string): Promise<number> {
	const row = await db.insertInto('doc_updates').values({ doc_name: docName, data: update, created_at: at }).returning('id').executeTakeFirstOrThrow();
	return Number(row.id);
}

function caseIdOf(map: Y.Map<unknown>): number | null {
	const v = map.get('caseId');
	return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null;
}

/** item id -> case id, for the items that refer to a case (map first, then the legacy array) */
function caseItems(doc: Y.Doc): Map<string, number> {
	const items = new Map<string, number>();
	for (const [id, value] of doc.getMap<unknown>('agendaItems').entries()) {
		if (!(value instanceof Y.Map)) continue;
		const caseId = caseIdOf(value);
		if (caseId !== null) items.set(id, caseId);
	}
	for (const value of doc.getArray<unknown>('agenda').toArray()) {
		if (!(value instanceof Y.Map)) continue;
		const id = value.get('id');
		const caseId = caseIdOf(value);
		if (typeof id === 'string' && caseId !== null && !items.has(id)) items.set(id, caseId);
	}
	return items;
}

/** What a purge leaves as an item's title (retention, PURGED_AGENDA_TITLE): not case content. */
const PURGED_TITLE = 'Verwijderde casus';

/** The agenda item maps about a case that still have a title (map first, then the legacy array). */
function titledCaseItems(doc: Y.Doc): Y.Map<unknown>[] {
	const maps = [...doc.getMap<unknown>('agendaItems').values(), ...doc.getArray<unknown>('agenda').toArray()];
	return maps.filter((value): value is Y.Map<unknown> => {
		if (!(value instanceof Y.Map)) return false;
		const title = value.get('title');
		const caseId = value.get('caseId');
		return caseId !== undefined && caseId !== null && typeof title === 'string' && title !== '' && title !== PURGED_TITLE;
	});
}

interface Moving {
	index: number;
	caseId: number;
	id: string;
	itemId: string;
	text: string;
}

export async function up(db: Db): Promise<void> {
	const at = new Date().toISOString();
	const fromLog = await db.selectFrom('doc_updates').select('doc_name').distinct().where('doc_name', 'like', 'meeting:%').execute();
	const fromSnapshots = await db.selectFrom('doc_snapshots').select('doc_name').where('doc_name', 'like', 'meeting:%').execute();
	const names = [...new Set([...fromLog, ...fromSnapshots].map((r) => String(r.doc_name)))].filter((n) => /^meeting:[1-9][0-9]*$/.test(n)).sort();

	for (const name of names) {
		const meetingId = Number(name.slice('meeting:'.length));
		const meeting = await load(db, name);
		const items = caseItems(meeting.doc);
		const decisions = meeting.doc.getArray<unknown>('decisions');
		const moving: Moving[] = [];
		decisions.toArray().forEach((value, index) => {
			if (!(value instanceof Y.Map)) return;
			const itemId = value.get('itemId');
			const caseId = typeof itemId === 'string' ? items.get(itemId) : undefined;
			if (caseId === undefined) return;
			const id = value.get('id');
			const text = value.get('text');
			moving.push({ index, caseId, id: typeof id === 'string' ? id : '', itemId: itemId as string, text: typeof text === 'string' ? text : '' });
		});
		const titled = titledCaseItems(meeting.doc);
		if (moving.length === 0 && titled.length === 0) {
			meeting.doc.destroy();
			continue;
		}

		// into each case's bespreking document first: a crash in between leaves a copy, never a loss
		for (const caseId of [...new Set(moving.map((m) => m.caseId))]) {
			const c = await db.selectFrom('cases').select('purged_at').where('id', '=', caseId).executeTakeFirst();
			if (c?.purged_at) continue;
			const docName = `bespreking:${meetingId}:${caseId}`;
			const target = await load(db, docName);
			const list = target.doc.getArray<unknown>('decisions');
			const present = new Set(list.toArray().map((v) => (v instanceof Y.Map ? v.get('id') : null)));
			const before = Y.encodeStateVector(target.doc);
			target.doc.transact(() => {
				for (const m of moving) {
					if (m.caseId !== caseId || m.id === '' || present.has(m.id)) continue;
					present.add(m.id);
					const map = new Y.Map<unknown>();
					map.set('id', m.id);
					map.set('itemId', m.itemId);
					map.set('text', m.text);
					list.push([map]);
				}
			});
			const update = Y.encodeStateAsUpdate(target.doc, before);
			// an empty update (nothing new) is 2 bytes: no struct, no delete
			if (Y.decodeUpdate(update).structs.length > 0) await append(db, docName, update, at);
			target.doc.destroy();
		}

		// then out of the meeting document, last index first so the others stay where they are;
		// and the case items' titles with it
		const before = Y.encodeStateVector(meeting.doc);
		meeting.doc.transact(() => {
			for (const m of [...moving].sort((a, b) => b.index - a.index)) decisions.delete(m.index, 1);
			for (const map of titled) map.set('title', '');
		});
		const update = Y.encodeStateAsUpdate(meeting.doc, before);
		const lastId = await append(db, name, update, at);
		if (meeting.complete) {
			// the snapshot holds the document as it is now, its deleted content collected
			const state = Y.encodeStateAsUpdate(meeting.doc);
			const exists = await db.selectFrom('doc_snapshots').select('doc_name').where('doc_name', '=', name).executeTakeFirst();
			if (exists) {
				await db.updateTable('doc_snapshots').set({ state, last_update_id: lastId, updated_at: at }).where('doc_name', '=', name).execute();
			} else {
				await db.insertInto('doc_snapshots').values({ doc_name: name, state, last_update_id: lastId, updated_at: at }).execute();
			}
			await db.deleteFrom('doc_updates').where('doc_name', '=', name).where('id', '<=', lastId).execute();
		}
		meeting.doc.destroy();
	}
}

export async function down(): Promise<void> {
	// Nothing to undo: a decision in the bespreking document is read there by this release and
	// the ones before it ignore it (they read the meeting document); moving case content back to
	// every member is not something a rollback should do.
}
