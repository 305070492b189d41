import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addAgendaItem, initials, moveAgendaItem, readAgenda } from './documents';

describe('initials', () => {
	it('masks a name to its initials', () => {
		expect(initials('Fatima El Amrani')).toBe('F.E.A.');
	});
	it('keeps Dutch tussenvoegsels lower case', () => {
		expect(initials('Hanna de Vries')).toBe('H.d.V.');
		expect(initials('Tom van Leeuwen')).toBe('T.v.L.');
	});
});

describe('the agenda in a shared document', () => {
	it('keeps both items when two chairs add one at the same moment', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		addAgendaItem(a, { caseId: 1, caseCode: 'T150-2026-001', title: 'Eerste', plannedMinutes: 10, status: 'gepland' });
		addAgendaItem(b, { caseId: 2, caseCode: 'T150-2026-002', title: 'Tweede', plannedMinutes: 15, status: 'gepland' });
		Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		expect(readAgenda(a).map((i) => i.title).sort()).toEqual(['Eerste', 'Tweede']);
		expect(readAgenda(a)).toEqual(readAgenda(b));
	});
	it('moves an item down without losing its fields', () => {
		const doc = new Y.Doc();
		const first = addAgendaItem(doc, { caseId: 1, caseCode: 'A', title: 'Eerste', plannedMinutes: 10, status: 'gepland' });
		addAgendaItem(doc, { caseId: 2, caseCode: 'B', title: 'Tweede', plannedMinutes: 15, status: 'besproken' });
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
});
