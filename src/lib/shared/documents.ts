import * as Y from 'yjs';
import { CASE_TEXT_KEYS, type CaseSnapshot, type CaseTextKey } from './tables';

/**
 * The shape of the two shared documents, one module for browser and server.
 *
 * meeting:<id>  agenda (order, case reference, non-identifying title, planned minutes, status),
 *               meeting notes, decisions. Written by voorzitter and secretaris.
 * case:<id>     situatie, zorgen, what the young person and parents want, goals per leefgebied,
 *               actions and agreements. Written by members whose organisation has access.
 * bespreking:<meetingId>:<caseId>
 *               the minutes of that case at that meeting: the case's access, read-only once
 *               the meeting is closed.
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

export const agendaOf = (doc: Y.Doc) => doc.getArray<Y.Map<unknown>>('agenda');
export const meetingNotesOf = (doc: Y.Doc) => doc.getText('notes');
export const decisionsOf = (doc: Y.Doc) => doc.getArray<Y.Map<unknown>>('decisions');

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

/** Reads the agenda defensively: a malformed entry shows as far as it is readable. */
export function readAgenda(doc: Y.Doc): AgendaItem[] {
	return agendaOf(doc)
		.toArray()
		.filter((m): m is Y.Map<unknown> => m instanceof Y.Map)
		.map((m) => ({
			id: str(m, 'id'),
			caseId: num(m, 'caseId'),
			caseCode: str(m, 'caseCode') || null,
			title: str(m, 'title'),
			plannedMinutes: num(m, 'plannedMinutes') ?? 10,
			status: oneOf(m.get('status'), AGENDA_STATUSES, 'gepland')
		}))
		.filter((item) => item.id !== '');
}

export function addAgendaItem(doc: Y.Doc, item: Omit<AgendaItem, 'id'>): string {
	const id = newId();
	doc.transact(() => {
		const map = new Y.Map<unknown>();
		for (const [k, v] of Object.entries({ ...item, id })) map.set(k, v);
		agendaOf(doc).push([map]);
	});
	return id;
}

function findIn(array: Y.Array<Y.Map<unknown>>, id: string): { map: Y.Map<unknown>; index: number } | null {
	const items = array.toArray();
	const index = items.findIndex((m) => m instanceof Y.Map && m.get('id') === id);
	return index >= 0 ? { map: items[index]!, index } : null;
}

export function updateAgendaItem(doc: Y.Doc, id: string, patch: Partial<Omit<AgendaItem, 'id'>>): void {
	const found = findIn(agendaOf(doc), id);
	if (!found) return;
	doc.transact(() => {
		for (const [k, v] of Object.entries(patch)) found.map.set(k, v);
	});
}

/** Moves an item up or down by one; a move is a delete and an insert of a copy. */
export function moveAgendaItem(doc: Y.Doc, id: string, delta: -1 | 1): void {
	const agenda = agendaOf(doc);
	const found = findIn(agenda, id);
	if (!found) return;
	const target = found.index + delta;
	if (target < 0 || target >= agenda.length) return;
	doc.transact(() => {
		const copy = new Y.Map<unknown>();
		for (const [k, v] of found.map.entries()) copy.set(k, v);
		agenda.delete(found.index, 1);
		agenda.insert(target, [copy]);
	});
}

export function removeAgendaItem(doc: Y.Doc, id: string): void {
	const found = findIn(agendaOf(doc), id);
	if (found) agendaOf(doc).delete(found.index, 1);
}

export function readDecisions(doc: Y.Doc): Decision[] {
	return decisionsOf(doc)
		.toArray()
		.filter((m): m is Y.Map<unknown> => m instanceof Y.Map)
		.map((m) => ({ id: str(m, 'id'), itemId: str(m, 'itemId'), text: str(m, 'text') }))
		.filter((d) => d.id !== '');
}

export function addDecision(doc: Y.Doc, itemId: string, text: string): void {
	doc.transact(() => {
		const map = new Y.Map<unknown>();
		map.set('id', newId());
		map.set('itemId', itemId);
		map.set('text', text);
		decisionsOf(doc).push([map]);
	});
}

// ---- case document ----

export const caseTextOf = (doc: Y.Doc, field: CaseTextField) => doc.getText(field);
export const actionsOf = (doc: Y.Doc) => doc.getArray<Y.Map<unknown>>('acties');

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

export function readActions(doc: Y.Doc): CaseAction[] {
	return actionsOf(doc)
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
