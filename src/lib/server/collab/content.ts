import * as Y from 'yjs';
import { actionsOf, agendaItemsOf, decisionsOf, legacyAgendaOf, readAgenda } from '../../shared/documents';
import { actionOrganisationOf } from '../../shared/action-rules';
import { UNKNOWN_WRITER, type DocumentWriter } from '../policy/index';

/**
 * What a document of a kind may hold, checked on its meaning after a client's update applied and
 * before it is stored (the hub then refuses it with 4400 and rebuilds the document). One function
 * per document kind; the limits in limits.ts check only the update's shape.
 *
 * meeting:<id>  every member of the table reads it, so it holds no case content: a case item of
 *               the agenda has no title (pages show the case's own title to those who may see
 *               the case) and the decisions of a case item live in its bespreking document.
 * case:<id>     an action held by another organisation is deleted only by its actiehouder's
 *               organisation or the voorzitter (the policy's 'action.delete', asked of `writer`).
 */
export function contentViolation(docName: string, doc: Y.Doc, transaction: Y.Transaction, writer: DocumentWriter = UNKNOWN_WRITER): string | null {
	if (docName.startsWith('meeting:')) return meetingDocViolation(doc, transaction);
	if (docName.startsWith('case:')) return caseDocViolation(doc, transaction, writer);
	return null;
}

/**
 * Gives the roots the check reads their type before an update applies: a root a document does
 * not have yet is integrated into a placeholder that getMap/getArray later replace, and the
 * check compares the transaction's changed types by identity. Costs nothing to store.
 */
export function prepareContentCheck(docName: string, doc: Y.Doc): void {
	if (docName.startsWith('meeting:')) {
		agendaItemsOf(doc);
		legacyAgendaOf(doc);
		decisionsOf(doc);
	}
	if (docName.startsWith('case:')) actionsOf(doc);
}

/**
 * Whether an item refers to a case: any caseId value but null (stricter than the readers, which
 * take only a finite number). A general item may carry any title: the chair types it, as the notes.
 */
function refersToCase(map: Y.Map<unknown>): boolean {
	const caseId = map.get('caseId');
	return caseId !== undefined && caseId !== null;
}

function hasTitle(map: Y.Map<unknown>): boolean {
	const title = map.get('title');
	return title !== undefined && title !== null && title !== '';
}

/** Whether the type was made by this transaction (its item is past the state before it). */
function isNew(transaction: Y.Transaction, type: { _item: Y.Item | null }): boolean {
	const item = type._item;
	if (!item) return false;
	return isNewItem(transaction, item);
}

function isNewItem(transaction: Y.Transaction, item: Y.Item): boolean {
	return item.id.clock >= (transaction.beforeState.get(item.id.client) ?? 0);
}

const AGENDA_KEYS = new Set(['title', 'caseId']);
const DECISION_KEYS = new Set(['itemId', 'text']);

/**
 * Why a transaction on a meeting document must be refused, or null: (i) it gave an agenda item
 * that refers to a case a non-empty title (checked only for items whose title or case reference
 * the transaction set, so an old document whose case items still have titles keeps working for
 * status and order), or (ii) it added a decision (or changed one's item or text) for an agenda
 * item about a case, or for an item the agenda does not have.
 */
export function meetingDocViolation(doc: Y.Doc, transaction: Y.Transaction): string | null {
	const items = agendaItemsOf(doc);
	const legacy = legacyAgendaOf(doc);
	const decisions = decisionsOf(doc);
	// compared by identity with the types the transaction changed
	const [itemsType, legacyType, decisionsType] = [items, legacy, decisions] as unknown as Y.AbstractType<Y.YEvent<any>>[];
	const touchedItems = new Set<Y.Map<unknown>>();
	const touchedDecisions = new Set<Y.Map<unknown>>();
	for (const [type, keys] of transaction.changed) {
		if (type === itemsType) {
			for (const key of keys) {
				const value = key === null ? undefined : items.get(key);
				if (value instanceof Y.Map) touchedItems.add(value);
			}
		} else if (type === legacyType) {
			for (const value of legacy.toArray()) if (value instanceof Y.Map && isNew(transaction, value)) touchedItems.add(value);
		} else if (type === decisionsType) {
			for (const value of decisions.toArray()) if (value instanceof Y.Map && isNew(transaction, value)) touchedDecisions.add(value);
		} else if (type instanceof Y.Map) {
			const parent = type._item?.parent;
			if ((parent === itemsType || parent === legacyType) && [...keys].some((k) => k !== null && AGENDA_KEYS.has(k))) touchedItems.add(type);
			if (parent === decisionsType && [...keys].some((k) => k !== null && DECISION_KEYS.has(k))) touchedDecisions.add(type);
		}
	}
	for (const map of touchedItems) {
		if (!map._item?.deleted && refersToCase(map) && hasTitle(map)) return 'case content in the meeting document: a title on a case item';
	}
	if (touchedDecisions.size > 0) {
		const agenda = new Map(readAgenda(doc).map((i) => [i.id, i]));
		for (const map of touchedDecisions) {
			if (map._item?.deleted) continue;
			const itemId = map.get('itemId');
			const item = typeof itemId === 'string' ? agenda.get(itemId) : undefined;
			if (!item) return 'a decision for an item the agenda does not have';
			if (item.caseId !== null) return 'case content in the meeting document: a decision on a case item';
		}
	}
	return null;
}

/** The keys that say which action a map is and who holds it: changing one is taking it over. */
const HOLDER_KEYS = new Set(['id', 'actiehouderId', 'organisationId']);

/**
 * A map's value of `key` as it was before the transaction (undefined: none). Read from the items
 * themselves: what the transaction deleted keeps its content until the transaction is cleaned up,
 * after the check.
 */
function valueBefore(transaction: Y.Transaction, map: Y.Map<unknown>, key: string): unknown {
	let item: Y.Item | null = (map as unknown as { _map: Map<string, Y.Item> })._map.get(key) ?? null;
	while (item !== null && isNewItem(transaction, item)) item = item.left;
	if (item === null) return undefined;
	// deleted before this transaction: the key had no value
	if (item.deleted && !Y.isDeleted(transaction.deleteSet, item.id)) return undefined;
	const content = item.content.getContent();
	return content[content.length - 1];
}

/**
 * Why a transaction on a case document must be refused, or null: it deleted an action that
 * existed before it, or changed which action an existing one is or who holds it (its id,
 * actiehouder or organisation: a takeover would let anyone delete anything in two steps), while
 * the writer may not delete actions of the organisation that held it ('action.delete'), or it
 * added an action with the id of such an existing one. Actions made in the same transaction are
 * the writer's own and are not checked.
 */
export function caseDocViolation(doc: Y.Doc, transaction: Y.Transaction, writer: DocumentWriter): string | null {
	const actionsType = actionsOf(doc) as unknown as Y.AbstractType<Y.YEvent<any>>;
	const gone: Y.Map<unknown>[] = [];
	for (const [type, keys] of transaction.changed) {
		if (type === actionsType) {
			// a new action with the id of an existing one hides it from every reader (the first of
			// an id wins): as good as deleting it
			const existing = new Map<unknown, Y.Map<unknown>>();
			const added: Y.Map<unknown>[] = [];
			for (let item = actionsType._start; item !== null; item = item.right) {
				if (!(item.content instanceof Y.ContentType && item.content.type instanceof Y.Map)) continue;
				const map = item.content.type as Y.Map<unknown>;
				if (isNewItem(transaction, item)) {
					if (!item.deleted) added.push(map);
				} else if (!item.deleted) {
					existing.set(map.get('id'), map);
				} else if (Y.isDeleted(transaction.deleteSet, item.id)) {
					gone.push(map);
				}
			}
			for (const map of added) {
				const shadowed = existing.get(map.get('id'));
				if (shadowed) gone.push(shadowed);
			}
		} else if (type instanceof Y.Map && type._item?.parent === actionsType && !isNew(transaction, type)) {
			if ([...keys].some((k) => k !== null && HOLDER_KEYS.has(k))) gone.push(type);
		}
	}
	for (const map of gone) {
		const organisationId = actionOrganisationOf(valueBefore(transaction, map, 'organisationId'));
		if (!writer.mayDeleteActionOf(organisationId)) return 'an action of another organisation deleted or taken over';
	}
	return null;
}
