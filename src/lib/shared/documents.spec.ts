import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import fc from 'fast-check';
import {
	addAgendaItem,
	addDecision,
	agendaItemLabel,
	agendaItemsOf,
	decisionsOf,
	actionsOf,
	initials,
	migrateLegacyAgenda,
	moveAgendaItem,
	readActions,
	readAgenda,
	readDecisions,
	removeAgendaItem,
	updateAgendaItem,
	type AgendaItem
} from './documents';

describe('initials', () => {
	it('masks a name to its initials', () => {
		expect(initials('Fatima El Amrani')).toBe('F.E.A.');
	});
	it('keeps Dutch tussenvoegsels lower case', () => {
		expect(initials('Hanna de Vries')).toBe('H.d.V.');
		expect(initials('Tom van Leeuwen')).toBe('T.v.L.');
	});
});

describe('a case item in the meeting document has no title (issue 13)', () => {
	it('addAgendaItem and updateAgendaItem write an empty title for a case item, a general item keeps its own', () => {
		const doc = new Y.Doc();
		const c = addAgendaItem(doc, { caseId: 5, caseCode: 'T-5', title: 'Jongvolwassene met schulden', plannedMinutes: 10, status: 'gepland' });
		const g = addAgendaItem(doc, { caseId: null, caseCode: null, title: 'Rondvraag', plannedMinutes: 5, status: 'gepland' });
		updateAgendaItem(doc, c, { title: 'Toch een titel' });
		updateAgendaItem(doc, g, { caseId: 6, caseCode: 'T-6' });
		expect(readAgenda(doc).map((i) => [i.caseCode, i.title])).toEqual([['T-5', ''], ['T-6', '']]);
	});
	it('migrating a legacy agenda drops the titles of case items', () => {
		const doc = new Y.Doc();
		const m = new Y.Map<unknown>();
		for (const [k, v] of Object.entries({ id: 'oud', caseId: 3, caseCode: 'T-3', title: 'Oude titel', plannedMinutes: 5, status: 'gepland' })) m.set(k, v);
		doc.getArray('agenda').push([m]);
		migrateLegacyAgenda(doc);
		expect(readAgenda(doc).map((i) => [i.id, i.title])).toEqual([['oud', '']]);
	});
	it('a page shows the code, and the case title only when the viewer may see the case', () => {
		const item = { caseId: 14, caseCode: 'T150-2026-014', title: '' };
		expect(agendaItemLabel(item, { 14: 'Jongvolwassene, herhaalde inbraken' })).toBe('T150-2026-014: Jongvolwassene, herhaalde inbraken');
		expect(agendaItemLabel(item, {})).toBe('T150-2026-014');
		expect(agendaItemLabel({ caseId: 14, caseCode: 'T150-2026-014', title: 'oud, uit het document' }, {})).toBe('T150-2026-014');
		expect(agendaItemLabel({ caseId: null, caseCode: null, title: 'Rondvraag' }, {})).toBe('Rondvraag');
	});
});

describe('the agenda in a shared document', () => {
	it('keeps both items when two chairs add one at the same moment', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		addAgendaItem(a, { caseId: null, caseCode: null, title: 'Eerste', plannedMinutes: 10, status: 'gepland' });
		addAgendaItem(b, { caseId: null, caseCode: null, title: 'Tweede', plannedMinutes: 15, status: 'gepland' });
		Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		expect(readAgenda(a).map((i) => i.title).sort()).toEqual(['Eerste', 'Tweede']);
		expect(readAgenda(a)).toEqual(readAgenda(b));
	});
	it('moves an item down without losing its fields', () => {
		const doc = new Y.Doc();
		const first = addAgendaItem(doc, { caseId: null, caseCode: null, title: 'Eerste', plannedMinutes: 10, status: 'gepland' });
		addAgendaItem(doc, { caseId: null, caseCode: null, title: 'Tweede', plannedMinutes: 15, status: 'besproken' });
		moveAgendaItem(doc, first, 1);
		expect(readAgenda(doc).map((i) => [i.title, i.plannedMinutes, i.status])).toEqual([
			['Tweede', 15, 'besproken'],
			['Eerste', 10, 'gepland']
		]);
	});
	it('reads a malformed entry defensively instead of failing', () => {
		const doc = new Y.Doc();
		const bad = new Y.Map<unknown>();
		bad.set('id', 'x1');
		bad.set('plannedMinutes', 'veel');
		bad.set('status', 'onzin');
		doc.getArray('agenda').push([bad]);
		expect(readAgenda(doc)).toEqual([{ id: 'x1', caseId: null, caseCode: null, title: '', plannedMinutes: 10, status: 'gepland' }]);
	});
	it('reads the malformed entries of a hostile agenda map without failing and without duplicates', () => {
		const doc = new Y.Doc();
		const items = agendaItemsOf(doc);
		items.set('ok', new Y.Map());
		items.set('not-a-map', 'tekst');
		items.set('bad id\n', new Y.Map());
		const odd = new Y.Map<unknown>();
		items.set('odd', odd);
		odd.set('order', { no: 'key' });
		odd.set('id', 'ok'); // an inner id is not the item's id: the key is
		odd.set('title', new Y.Text('genest'));
		// the same id in the legacy array as well: shown once
		const legacy = new Y.Map<unknown>();
		legacy.set('id', 'ok');
		doc.getArray('agenda').push([legacy, 'rommel']);
		expect(readAgenda(doc).map((i) => [i.id, i.title])).toEqual([
			['odd', ''],
			['ok', '']
		]);
	});
});

const item = (title: string, status: AgendaItem['status'] = 'gepland') => ({ caseId: null, caseCode: null, title, plannedMinutes: 10, status });
/** Two replicas that exchange everything they have (as y-websocket would, both ways). */
function sync(...docs: Y.Doc[]) {
	for (const from of docs) for (const to of docs) if (from !== to) Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
}
function replicas(titles: string[]): [Y.Doc, Y.Doc, string[]] {
	const a = new Y.Doc();
	const ids = titles.map((t) => addAgendaItem(a, item(t)));
	const b = new Y.Doc();
	sync(a, b);
	return [a, b, ids];
}

describe('concurrent changes to the agenda', () => {
	it('two chairs moving the same item at once leave it once, on both replicas', () => {
		const [a, b, [first]] = replicas(['Eerste', 'Tweede', 'Derde']);
		moveAgendaItem(a, first!, 1);
		moveAgendaItem(b, first!, 1);
		moveAgendaItem(b, first!, 1);
		sync(a, b);
		const ids = readAgenda(a).map((i) => i.id);
		expect(ids).toHaveLength(3);
		expect(new Set(ids).size).toBe(3);
		expect(readAgenda(b)).toEqual(readAgenda(a));
	});

	it('a move at the same moment as the server rounding the item off keeps "besproken"', () => {
		const [chair, server, [first]] = replicas(['Eerste', 'Tweede']);
		moveAgendaItem(chair, first!, 1);
		updateAgendaItem(server, first!, { status: 'besproken' });
		sync(chair, server);
		expect(readAgenda(chair).map((i) => [i.title, i.status])).toEqual([
			['Tweede', 'gepland'],
			['Eerste', 'besproken']
		]);
		expect(readAgenda(server)).toEqual(readAgenda(chair));
	});

	it('a move at the same moment as a removal leaves the item removed, not resurrected', () => {
		const [a, b, [first]] = replicas(['Eerste', 'Tweede']);
		moveAgendaItem(a, first!, 1);
		removeAgendaItem(b, first!);
		sync(a, b);
		expect(readAgenda(a).map((i) => i.title)).toEqual(['Tweede']);
	});

	it('two items added into the same place at once sort by id, and can be moved apart afterwards', () => {
		const [a, b] = replicas(['Eerste']);
		const x = addAgendaItem(a, item('Van A'));
		const y = addAgendaItem(b, item('Van B'));
		sync(a, b);
		expect(agendaItemsOf(a).get(x)).toBeInstanceOf(Y.Map);
		const tied = readAgenda(a).map((i) => i.id);
		expect(tied.slice(1)).toEqual([x, y].sort());
		// the later one of the tied pair moves up between the earlier one and 'Eerste': keys respread
		moveAgendaItem(a, tied[2]!, -1);
		expect(readAgenda(a).map((i) => i.id)).toEqual([tied[0], tied[2], tied[1]]);
	});

	it('random concurrent edits by three replicas converge to one list with each item once (property)', () => {
		const op = fc.record({
			replica: fc.integer({ min: 0, max: 2 }),
			kind: fc.constantFrom('move', 'move', 'move', 'status', 'add', 'remove', 'sync'),
			pick: fc.nat(),
			up: fc.boolean()
		});
		fc.assert(
			fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
				const [a, b] = replicas(['A', 'B', 'C', 'D']);
				const c = new Y.Doc();
				sync(a, b, c);
				const docs = [a, b, c];
				const removed = new Set<string>();
				const added = new Set(readAgenda(a).map((i) => i.id));
				for (const o of ops) {
					const doc = docs[o.replica]!;
					const list = readAgenda(doc);
					const target = list[o.pick % Math.max(1, list.length)];
					if (o.kind === 'sync') sync(...docs);
					else if (o.kind === 'add') added.add(addAgendaItem(doc, item(`n${o.pick}`)));
					else if (!target) continue;
					else if (o.kind === 'move') moveAgendaItem(doc, target.id, o.up ? -1 : 1);
					else if (o.kind === 'status') updateAgendaItem(doc, target.id, { status: 'besproken' });
					else {
						removeAgendaItem(doc, target.id);
						removed.add(target.id);
					}
				}
				sync(...docs);
				const ids = readAgenda(a).map((i) => i.id);
				expect(new Set(ids).size).toBe(ids.length);
				expect(new Set(ids)).toEqual(new Set([...added].filter((id) => !removed.has(id))));
				expect(readAgenda(b)).toEqual(readAgenda(a));
				expect(readAgenda(c)).toEqual(readAgenda(a));
			}),
			{ numRuns: 300 }
		);
	});
});

describe('an agenda stored before the agenda map (a Y.Array)', () => {
	function legacyDoc(titles: string[]): Y.Doc {
		const doc = new Y.Doc();
		const array = doc.getArray<Y.Map<unknown>>('agenda');
		for (const [i, title] of titles.entries()) {
			const m = new Y.Map<unknown>();
			for (const [k, v] of Object.entries({ id: `oud-${i}`, caseId: null, caseCode: null, title, plannedMinutes: 5 + i, status: i === 0 ? 'besproken' : 'gepland' })) m.set(k, v);
			array.push([m]);
		}
		return doc;
	}

	it('is read as it was, then migrated into the map in the same order and emptied', () => {
		const doc = legacyDoc(['Eerste', 'Tweede', 'Derde']);
		const before = readAgenda(doc);
		expect(before.map((i) => i.id)).toEqual(['oud-0', 'oud-1', 'oud-2']);
		expect(migrateLegacyAgenda(doc)).toBe(true);
		expect(doc.getArray('agenda').length).toBe(0);
		expect(readAgenda(doc)).toEqual(before);
		expect(migrateLegacyAgenda(doc)).toBe(false);
	});

	it('a writer migrates first: moving an item of a legacy agenda works and keeps every field', () => {
		const doc = legacyDoc(['Eerste', 'Tweede']);
		moveAgendaItem(doc, 'oud-0', 1);
		expect(readAgenda(doc).map((i) => [i.id, i.title, i.plannedMinutes, i.status])).toEqual([
			['oud-1', 'Tweede', 6, 'gepland'],
			['oud-0', 'Eerste', 5, 'besproken']
		]);
	});

	it('the server and a chair migrating at once agree: each item once, in the old order', () => {
		const server = legacyDoc(['Eerste', 'Tweede', 'Derde']);
		const chair = new Y.Doc();
		sync(server, chair);
		migrateLegacyAgenda(server);
		updateAgendaItem(chair, 'oud-2', { status: 'aangehouden' });
		sync(server, chair);
		expect(readAgenda(chair).map((i) => i.id)).toEqual(['oud-0', 'oud-1', 'oud-2']);
		expect(readAgenda(server)).toEqual(readAgenda(chair));
	});

	it('an item an old page adds to the array after the migration still shows, and moves into the map', () => {
		const doc = legacyDoc(['Eerste']);
		migrateLegacyAgenda(doc);
		const late = new Y.Map<unknown>();
		late.set('id', 'laat');
		late.set('title', 'Van een oude pagina');
		doc.getArray('agenda').push([late]);
		expect(readAgenda(doc).map((i) => i.id)).toEqual(['oud-0', 'laat']);
		addAgendaItem(doc, item('Nieuw'));
		expect(readAgenda(doc).map((i) => i.title)).toEqual(['Eerste', 'Van een oude pagina', 'Nieuw']);
		expect(doc.getArray('agenda').length).toBe(0);
	});
});

describe('lists read from documents show each id once', () => {
	it('a decision or an action copied under the same id shows once (the first)', () => {
		const doc = new Y.Doc();
		addDecision(doc, 'punt', 'Eerste besluit');
		const copy = new Y.Map<unknown>();
		copy.set('id', readDecisions(doc)[0]!.id);
		copy.set('text', 'Kopie');
		decisionsOf(doc).push([copy]);
		expect(readDecisions(doc).map((d) => d.text)).toEqual(['Eerste besluit']);

		for (const text of ['Origineel', 'Kopie']) {
			const m = new Y.Map<unknown>();
			m.set('id', 'zelfde');
			m.set('text', text);
			actionsOf(doc).push([m]);
		}
		expect(readActions(doc).map((a) => a.text)).toEqual(['Origineel']);
	});
});

