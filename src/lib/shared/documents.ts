import * as Y from 'yjs';
import { CASE_TEXT_KEYS, type CaseSnapshot, type CaseTextKey } from './tables';
import { compareKeys, isOrderKey, keyBetween, spreadKeys } from './order-key';

/**
 * The shape of the two shared documents, one module for browser and server.
 *
 * meeting:<id>  agenda (order, case reference, planned minutes, status; a title for general items
 *               only: a case item's title is empty, pages show the case's own title to those
 *               who may see the case, agendaItemLabel),
 *               general notes and the decisions of general items (opening, mededelingen,
 *               rondvraag): what every member of the table may see, never case content.
 *               Written by voorzitter and secretaris.
 * case:<id>     situatie, zorgen, what the young person and parents want, goals per leefgebied,
 *               actions and agreements. Written by members whose organisation has access.
 * bespreking:<meetingId>:<caseId>
 *               the minutes of that case at that meeting, the family's voice and the decisions
 *               of the agenda items about that case: the case's access, read-only once the
 *               meeting is closed.
 */

export const AGENDA_STATUSES = ['gepland', 'besproken', 'aangehouden'] as const;
export type AgendaStatus = (typeof AGENDA_STATUSES)[number];
export const AGENDA_STATUS_LABELS: Record<AgendaStatus, string> = {
	gepland: 'Gepland',
	besproken: 'Besproken',
	aangehouden: 'Aangehouden'
};

export interface AgendaItem {
	id: string;
	caseId: number | null;
	caseCode: string | null;
	title: string;
	plannedMinutes: number;
	status: AgendaStatus;
	/** the meeting this item was carried to ("doorgeschoven"); its status is then 'aangehouden' */
	carriedTo?: number | null;
	/** the meeting this item was carried from */
	carriedFrom?: number | null;
}

export interface Decision {
	id: string;
	itemId: string;
	text: string;
}

export const ACTION_STATUSES = ['open', 'bezig', 'gedaan', 'vervallen'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = {
	open: 'Open',
	bezig: 'Bezig',
	gedaan: 'Gedaan',
	vervallen: 'Vervallen'
};

export interface CaseAction {
	id: string;
	text: string;
	actiehouderId: number | null;
	actiehouderName: string;
	organisationId: number | null;
	organisationName: string;
	/** YYYY-MM-DD */
	deadline: string;
	status: ActionStatus;
	leefgebied: string;
	/** a short note from the actiehouder, e.g. from Mijn acties */
	note?: string;
}

/** The free-text sections of a case, in the order the screens show them. */
export const CASE_TEXT_FIELDS = [
	{ key: 'situatie', label: 'Situatie' },
	{ key: 'zorgen', label: 'Zorgen' },
	{ key: 'wens', label: 'Wat willen de jongere en de ouders?' },
	{ key: 'afspraken', label: 'Afspraken' }
] as const;
/** Any text section of a case; which ones a table shows depends on its output template. */
export type CaseTextField = CaseTextKey;

export function newId(): string {
	const bytes = new Uint8Array(9);
	crypto.getRandomValues(bytes);
	return Array.from(bytes, (b) => b.toString(36).padStart(2, '0')).join('').slice(0, 12);
}

// ---- meeting document ----

/**
 * The root types of a meeting document, by name, with their Yjs type. Nothing else belongs in it
 * (a hub may refuse other roots).
 *
 * agendaItems  the agenda: a map from item id to a map of the item's fields and its `order`, a
 *              fractional key (order-key.ts). A move sets one value, so concurrent moves of one
 *              item cannot duplicate it, and a move does not undo a status set at the same time.
 * agenda       the agenda as it was stored before: an array of item maps, read only for documents
 *              not migrated yet (and for an old page still open); migrateLegacyAgenda empties it.
 */
export const MEETING_ROOTS = {
	agendaItems: 'map',
	agenda: 'array',
	notes: 'text',
	decisions: 'array'
} as const;
/** The roots that hold the agenda (what the projection of agenda rows reads). */
export const AGENDA_ROOTS: readonly (keyof typeof MEETING_ROOTS)[] = ['agendaItems', 'agenda'];

export const agendaItemsOf = (doc: Y.Doc) => doc.getMap<unknown>('agendaItems');
/** The agenda of documents stored before agendaItems: read and emptied, never written. */
export const legacyAgendaOf = (doc: Y.Doc) => doc.getArray<unknown>('agenda');
export const meetingNotesOf = (doc: Y.Doc) => doc.getText('notes');
/**
 * The decisions of a document: in a meeting document those of general items, in a bespreking
 * document those of the items about its case (see decisionDocName). Same shape in both.
 */
export const decisionsOf = (doc: Y.Doc) => doc.getArray<Y.Map<unknown>>('decisions');

/**
 * One rule for case content: a decision about a case lives where the case's access governs it,
 * the case's bespreking document of this meeting; only an item without a case keeps its
 * decisions in the meeting document that every member reads.
 */
export function decisionDocName(meetingId: number, item: Pick<AgendaItem, 'caseId'>): string {
	return item.caseId === null ? `meeting:${meetingId}` : besprekingDocName(meetingId, item.caseId);
}

function str(map: Y.Map<unknown>, key: string, fallback = ''): string {
	const v = map.get(key);
	return typeof v === 'string' ? v : fallback;
}
function num(map: Y.Map<unknown>, key: string): number | null {
	const v = map.get(key);
	return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
	return allowed.includes(value as T) ? (value as T) : fallback;
}

/** Ids the app makes (newId) and the demo's; anything else in a document is not an item. */
const ITEM_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const isItemId = (id: unknown): id is string => typeof id === 'string' && ITEM_ID.test(id);

/** An item's fields, each checked; never a value of another type, never a nested type. */
function agendaFields(m: Y.Map<unknown>): Omit<AgendaItem, 'id'> {
	// the carry marks only when set, so an item read back equals the item as it was added
	const carriedTo = num(m, 'carriedTo');
	const carriedFrom = num(m, 'carriedFrom');
	return {
		caseId: num(m, 'caseId'),
		caseCode: str(m, 'caseCode') || null,
		title: str(m, 'title'),
		plannedMinutes: num(m, 'plannedMinutes') ?? 10,
		status: oneOf(m.get('status'), AGENDA_STATUSES, 'gepland'),
		...(carriedTo !== null ? { carriedTo } : {}),
		...(carriedFrom !== null ? { carriedFrom } : {})
	};
}

interface AgendaEntry {
	id: string;
	/** a valid order key, or null (then the item sorts after every item that has one) */
	order: string | null;
	fields: Omit<AgendaItem, 'id'>;
	map: Y.Map<unknown> | null;
}

function byOrder(a: AgendaEntry, b: AgendaEntry): number {
	if (a.order !== b.order) {
		if (a.order === null) return 1;
		if (b.order === null) return -1;
		return compareKeys(a.order, b.order);
	}
	// equal keys (two items placed in one gap at once): the id decides, the same on every replica
	return compareKeys(a.id, b.id);
}

/** The map's items in order; items with a malformed id or value are left out. */
function mapEntries(doc: Y.Doc): AgendaEntry[] {
	const entries: AgendaEntry[] = [];
	for (const [id, value] of agendaItemsOf(doc).entries()) {
		if (!isItemId(id) || !(value instanceof Y.Map)) continue;
		const order = value.get('order');
		entries.push({ id, order: isOrderKey(order) ? order : null, fields: agendaFields(value), map: value });
	}
	return entries.sort(byOrder);
}

/** The legacy array's items in array order, each id once (the first wins), minus `except`. */
function legacyEntries(doc: Y.Doc, except: Set<string>): AgendaEntry[] {
	const seen = new Set(except);
	const entries: AgendaEntry[] = [];
	for (const value of legacyAgendaOf(doc).toArray()) {
		if (!(value instanceof Y.Map)) continue;
		const id = value.get('id');
		if (!isItemId(id) || seen.has(id)) continue;
		seen.add(id);
		entries.push({ id, order: null, fields: agendaFields(value), map: null });
	}
	return entries;
}

/**
 * Reads the agenda defensively: the map's items by order key (ties by id), then items only the
 * legacy array holds. An id shows once whatever the document holds, so a list keyed by id never
 * meets a duplicate; a malformed entry shows as far as it is readable.
 */
export function readAgenda(doc: Y.Doc): AgendaItem[] {
	const entries = mapEntries(doc);
	const all = [...entries, ...legacyEntries(doc, new Set(entries.map((e) => e.id)))];
	return all.map((e) => ({ id: e.id, ...e.fields }));
}

/** Whether the document still has items in the legacy array (then migrateLegacyAgenda moves them). */
export const hasLegacyAgenda = (doc: Y.Doc) => legacyAgendaOf(doc).length > 0;

/**
 * Moves the legacy array's items into agendaItems, after the items already there and in their
 * array order, and empties the array. Deterministic: two replicas migrating the same state at
 * once write the same values. Returns whether anything was there to move.
 */
export function migrateLegacyAgenda(doc: Y.Doc): boolean {
	const legacy = legacyAgendaOf(doc);
	if (legacy.length === 0) return false;
	doc.transact(() => {
		const present = mapEntries(doc);
		const moved = legacyEntries(doc, new Set(agendaItemsOf(doc).keys()));
		const keys = keysAfter(present, moved.length);
		const items = agendaItemsOf(doc);
		if (keys === null) {
			// the keys already there are too long or malformed: spread everything out again
			const spread = spreadKeys(present.length + moved.length);
			present.forEach((e, i) => e.map!.set('order', spread[i]!));
			moved.forEach((e, i) => items.set(e.id, itemMap(e.fields, spread[present.length + i]!)));
		} else {
			moved.forEach((e, i) => items.set(e.id, itemMap(e.fields, keys[i]!)));
		}
		legacy.delete(0, legacy.length);
	});
	return true;
}

/** `count` keys after the last valid key of `entries`, or null when they cannot be made. */
function keysAfter(entries: AgendaEntry[], count: number): string[] | null {
	if (entries.length === 0) return spreadKeys(count);
	if (entries.some((e) => e.order === null)) return null;
	const keys: string[] = [];
	let last: string | null = entries.at(-1)!.order;
	for (let i = 0; i < count; i++) {
		last = keyBetween(last, null);
		if (last === null) return null;
		keys.push(last);
	}
	return keys;
}

const CARRY_FIELDS = new Set(['carriedTo', 'carriedFrom']);

function itemMap(fields: Omit<AgendaItem, 'id'>, order: string): Y.Map<unknown> {
	const map = new Y.Map<unknown>();
	for (const [k, v] of Object.entries(withoutCaseTitle(fields))) {
		// an item that was never carried has no carry keys in the document
		if (CARRY_FIELDS.has(k) && (v === undefined || v === null)) continue;
		map.set(k, v);
	}
	map.set('order', order);
	return map;
}

/** Gives every item a fresh, evenly spread key in the order given. */
function respread(entries: AgendaEntry[]): void {
	const keys = spreadKeys(entries.length);
	entries.forEach((e, i) => {
		if (e.map && e.map.get('order') !== keys[i]) e.map.set('order', keys[i]!);
	});
}

/**
 * The meeting document holds only what every member may see: a case item carries its case's id
 * and code, never a title (the case's title is case content; a hub refuses one, meetingDocViolation).
 */
function withoutCaseTitle<T extends Partial<Pick<AgendaItem, 'caseId' | 'title'>>>(fields: T): T {
	return fields.caseId !== null && fields.caseId !== undefined && 'title' in fields ? { ...fields, title: '' } : fields;
}

/**
 * What a page calls an agenda item: a general item by its title; a case item by its code, and
 * the case's own title (from `caseTitles`, the titles of the cases this viewer may see, through
 * the policy) only when the viewer may see the case: "T150-2026-014: Jongvolwassene, ...", as the verslag writes it.
 */
export function agendaItemLabel(
	item: Pick<AgendaItem, 'caseId' | 'caseCode' | 'title'>,
	caseTitles: Readonly<Record<number, string>> | ReadonlyMap<number, string>
): string {
	if (item.caseId === null) return item.title;
	// a purged case's item keeps its place without a code: its title says so ("Verwijderde casus")
	if (item.caseCode === null) return item.title || 'Casus';
	const title = caseTitles instanceof Map ? caseTitles.get(item.caseId) : (caseTitles as Record<number, string>)[item.caseId];
	return title ? `${item.caseCode}: ${title}` : item.caseCode;
}

/** Adds an item at the end of the agenda; returns its id (`id` only for fixed demo data). */
export function addAgendaItem(doc: Y.Doc, item: Omit<AgendaItem, 'id'>, id: string = newId()): string {
	doc.transact(() => {
		migrateLegacyAgenda(doc);
		const entries = mapEntries(doc);
		let key = keysAfter(entries, 1)?.[0] ?? null;
		if (key === null) {
			respread(entries);
			key = keysAfter(mapEntries(doc), 1)![0]!;
		}
		agendaItemsOf(doc).set(id, itemMap(item, key));
	});
	return id;
}

const AGENDA_FIELDS = ['caseId', 'caseCode', 'title', 'plannedMinutes', 'status', 'carriedTo', 'carriedFrom'] as const;

export function updateAgendaItem(doc: Y.Doc, id: string, patch: Partial<Omit<AgendaItem, 'id'>>): void {
	doc.transact(() => {
		migrateLegacyAgenda(doc);
		const map = agendaItemsOf(doc).get(id);
		if (!(map instanceof Y.Map)) return;
		const caseId = 'caseId' in patch ? patch.caseId : num(map, 'caseId');
		const fields = withoutCaseTitle({ ...patch, caseId: caseId ?? null });
		for (const k of AGENDA_FIELDS) if (k in patch) map.set(k, fields[k]);
		// an item that becomes a case item loses its title
		if ('caseId' in patch && fields.caseId !== null && str(map, 'title') !== '') map.set('title', '');
	});
}

/**
 * Moves an item up or down by one: it gets an order key between its new neighbours, one value
 * of its own. Two chairs moving it at once leave it once, wherever the last move put it.
 */
export function moveAgendaItem(doc: Y.Doc, id: string, delta: -1 | 1): void {
	const from = readAgenda(doc).findIndex((i) => i.id === id);
	if (from >= 0) moveAgendaItemTo(doc, id, from + delta);
}

/**
 * Moves an item to position `to` (0-based, in the agenda as it reads now), as a drag and drop
 * does: one new order key between its new neighbours. A position outside the agenda does nothing.
 */
export function moveAgendaItemTo(doc: Y.Doc, id: string, to: number): void {
	doc.transact(() => {
		migrateLegacyAgenda(doc);
		const entries = mapEntries(doc);
		const from = entries.findIndex((e) => e.id === id);
		if (from < 0 || to === from || !Number.isInteger(to) || to < 0 || to >= entries.length) return;
		const reordered = [...entries];
		const [moving] = reordered.splice(from, 1);
		reordered.splice(to, 0, moving!);
		const key = keyBetween(reordered[to - 1]?.order ?? null, reordered[to + 1]?.order ?? null);
		// a neighbour without a valid key, or two neighbours with the same one: spread them all out
		if (key === null || (to > 0 && reordered[to - 1]!.order === null)) respread(reordered);
		else moving!.map!.set('order', key);
	});
}

export function removeAgendaItem(doc: Y.Doc, id: string): void {
	doc.transact(() => {
		migrateLegacyAgenda(doc);
		agendaItemsOf(doc).delete(id);
	});
}

function findIn(array: Y.Array<Y.Map<unknown>>, id: string): { map: Y.Map<unknown>; index: number } | null {
	const items = array.toArray();
	const index = items.findIndex((m) => m instanceof Y.Map && m.get('id') === id);
	return index >= 0 ? { map: items[index]!, index } : null;
}

/** Each id once: the first in document order wins (as the projection keeps the first). */
function firstOfEach<T extends { id: string }>(list: T[]): T[] {
	const seen = new Set<string>();
	return list.filter((x) => x.id !== '' && !seen.has(x.id) && (seen.add(x.id), true));
}

/** The decisions, each id once (a hostile or concurrent copy cannot show twice). */
export function readDecisions(doc: Y.Doc): Decision[] {
	const list = decisionsOf(doc)
		.toArray()
		.filter((m): m is Y.Map<unknown> => m instanceof Y.Map)
		.map((m) => ({ id: str(m, 'id'), itemId: str(m, 'itemId'), text: str(m, 'text') }))
		.filter((d) => d.id !== '');
	return firstOfEach(list);
}

/** Adds a decision at the end (`id` only to move an existing decision, keeping its id). */
export function addDecision(doc: Y.Doc, itemId: string, text: string, id: string = newId()): void {
	doc.transact(() => {
		const map = new Y.Map<unknown>();
		map.set('id', id);
		map.set('itemId', itemId);
		map.set('text', text);
		decisionsOf(doc).push([map]);
	});
}

/** Deletes every copy of the decisions with these ids; returns how many entries went. */
export function removeDecisions(doc: Y.Doc, ids: Set<string>): number {
	const list = decisionsOf(doc);
	let removed = 0;
	doc.transact(() => {
		for (let i = list.length - 1; i >= 0; i--) {
			const m = list.get(i);
			if (m instanceof Y.Map && ids.has(str(m, 'id'))) {
				list.delete(i, 1);
				removed += 1;
			}
		}
	});
	return removed;
}

// ---- case document ----

export const caseTextOf = (doc: Y.Doc, field: CaseTextField) => doc.getText(field);
export const actionsOf = (doc: Y.Doc) => doc.getArray<Y.Map<unknown>>('acties');
/**
 * At most this many actions of one case, and agenda items of one meeting, are projected into
 * the SQL rows behind Mijn acties, reminders, calendars and monitoring (the first in document
 * order). Real cases have tens of actions; the cap keeps a document written by a hostile client
 * from making the projection (and every query over it) unbounded. The editor says when it applies.
 */
export const MAX_PROJECTED_ACTIONS = 2000;
export const MAX_PROJECTED_AGENDA_ITEMS = 1000;

/*
 * Goals and minutes are top-level texts named by leefgebied and by meeting, never nested types
 * created on first use: two people opening a case at once would each create their own nested
 * text, and one of them would win and take the other's typing with it. Top-level types with
 * the same name are the same type on every replica.
 */

/** The goal text of a leefgebied. */
export const goalText = (doc: Y.Doc, leefgebied: string) => doc.getText(`doel:${leefgebied}`);

/**
 * bespreking:<meetingId>:<caseId>: the minutes of one case at one meeting, a document of its
 * own so that it freezes when the meeting closes while the case lives on.
 */
export const besprekingDocName = (meetingId: number, caseId: number) => `bespreking:${meetingId}:${caseId}`;
export const minutesText = (doc: Y.Doc) => doc.getText('verslag');
/**
 * The fixed root types of a bespreking document (a hub may refuse others): the minutes, the
 * decisions of the case's agenda items (decisionsOf). The family's voice fields `stem:<who>`
 * come on top (VOICE_FIELDS in tables.ts).
 */
export const BESPREKING_ROOTS = {
	verslag: 'text',
	decisions: 'array'
} as const;

/** Decisions the case document holds as values, such as TWS's financing (Jeugdwet or Wmo). */
export const caseFieldsOf = (doc: Y.Doc) => doc.getMap<string>('velden');
export function readFinancing(doc: Y.Doc): string | null {
	const v = caseFieldsOf(doc).get('financiering');
	return typeof v === 'string' && v !== '' ? v : null;
}

/** What the template check needs from a case document. */
export function caseSnapshot(doc: Y.Doc, leefgebieden: string[]): CaseSnapshot {
	const texts: CaseSnapshot['texts'] = {};
	for (const key of CASE_TEXT_KEYS) texts[key] = caseTextOf(doc, key).toString();
	const goals: Record<string, string> = {};
	for (const lg of leefgebieden) goals[lg] = goalText(doc, lg).toString();
	return { texts, goals, actions: readActions(doc), financing: readFinancing(doc) };
}

/** The actions in document order, each id once: the first wins, as in the projection. */
export function readActions(doc: Y.Doc): CaseAction[] {
	const list = actionsOf(doc)
		.toArray()
		.filter((m): m is Y.Map<unknown> => m instanceof Y.Map)
		.map((m) => ({
			id: str(m, 'id'),
			text: str(m, 'text'),
			actiehouderId: num(m, 'actiehouderId'),
			actiehouderName: str(m, 'actiehouderName'),
			organisationId: num(m, 'organisationId'),
			organisationName: str(m, 'organisationName'),
			deadline: str(m, 'deadline'),
			status: oneOf(m.get('status'), ACTION_STATUSES, 'open'),
			leefgebied: str(m, 'leefgebied'),
			note: str(m, 'note')
		}))
		.filter((a) => a.id !== '');
	return firstOfEach(list);
}

export function addAction(doc: Y.Doc, action: Omit<CaseAction, 'id'>): string {
	const id = newId();
	doc.transact(() => {
		const map = new Y.Map<unknown>();
		for (const [k, v] of Object.entries({ ...action, id })) map.set(k, v);
		actionsOf(doc).push([map]);
	});
	return id;
}

export function updateAction(doc: Y.Doc, id: string, patch: Partial<Omit<CaseAction, 'id'>>): void {
	const found = findIn(actionsOf(doc), id);
	if (!found) return;
	doc.transact(() => {
		for (const [k, v] of Object.entries(patch)) found.map.set(k, v);
	});
}

export function removeAction(doc: Y.Doc, id: string): void {
	const found = findIn(actionsOf(doc), id);
	if (found) actionsOf(doc).delete(found.index, 1);
}

const TUSSENVOEGSELS = new Set(['de', 'den', 'der', 'van', 'het', 'te', 'ten', 'ter', "'t", 'in', 'op', 'aan', 'bij', 'uit', 'von', 'la', 'le', 'du', 'da', 'dos']);

/**
 * "Fatima El Amrani" → "F.E.A.", "Hanna de Vries" → "H.d.V.": the shared screen masks names
 * by default; Dutch tussenvoegsels keep a lower-case initial.
 */
export function initials(name: string): string {
	const parts = name.split(/\s+/).filter(Boolean);
	return parts
		.map((part, i) => {
			const lower = i > 0 && i < parts.length - 1 && TUSSENVOEGSELS.has(part.toLowerCase());
			const letter = part[0]!;
			return (lower ? letter.toLowerCase() : letter.toUpperCase()) + '.';
		})
		.join('');
}
