import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addAgendaItem, agendaItemsOf, moveAgendaItem, moveAgendaItemTo, readAgenda, updateAgendaItem } from './documents';
import { GENERAL_ITEMS, agendaTiming, formatMinutes, parsePlannedMinutes } from './agenda-plan';

const general = (title: string, plannedMinutes = 10) => ({ caseId: null, caseCode: null, title, plannedMinutes, status: 'gepland' as const });
const titles = (doc: Y.Doc) => readAgenda(doc).map((i) => i.title);

describe('planning an agenda (issue 14 item 2)', () => {
	it('offers opening, mededelingen, rondvraag and evaluatie with their usual minutes', () => {
		expect(GENERAL_ITEMS.map((g) => g.title)).toEqual(['Opening', 'Mededelingen', 'Rondvraag', 'Evaluatie']);
		expect(GENERAL_ITEMS.every((g) => g.minutes > 0)).toBe(true);
	});

	it('reads planned minutes as a whole number from 1 to 240, or not at all', () => {
		expect(parsePlannedMinutes('15')).toBe(15);
		expect(parsePlannedMinutes(' 7,6 ')).toBe(8);
		expect(parsePlannedMinutes(240)).toBe(240);
		for (const bad of ['', 'tien', '0', '-5', '241', null, undefined, Number.NaN]) expect(parsePlannedMinutes(bad)).toBeNull();
	});

	it('adds the planned minutes of the items that are discussed here, and gives the expected end', () => {
		const items = [
			{ plannedMinutes: 5, status: 'gepland' as const },
			{ plannedMinutes: 20, status: 'besproken' as const },
			// held over or carried to the next meeting: no time here
			{ plannedMinutes: 30, status: 'aangehouden' as const },
			{ plannedMinutes: 15, status: 'aangehouden' as const, carriedTo: 9 },
			{ plannedMinutes: 10, status: 'gepland' as const }
		];
		const timing = agendaTiming(items, '2027-09-14T07:30:00.000Z', '2027-09-14T09:00:00.000Z');
		expect(timing.totalMinutes).toBe(35);
		expect(timing.expectedEnd.toISOString()).toBe('2027-09-14T08:05:00.000Z');
		expect(timing.overrunMinutes).toBe(0);
	});

	it('says by how many minutes the expected end passes the planned end', () => {
		const items = [60, 25, 10].map((plannedMinutes) => ({ plannedMinutes, status: 'gepland' as const }));
		const timing = agendaTiming(items, '2027-09-14T07:30:00.000Z', '2027-09-14T09:00:00.000Z');
		expect(timing.expectedEnd.toISOString()).toBe('2027-09-14T09:05:00.000Z');
		expect(timing.overrunMinutes).toBe(5);
		// exactly on time is no overrun; a meeting without an end time never overruns
		expect(agendaTiming([{ plannedMinutes: 90, status: 'gepland' }], '2027-09-14T07:30:00.000Z', '2027-09-14T09:00:00.000Z').overrunMinutes).toBe(0);
		expect(agendaTiming(items, '2027-09-14T07:30:00.000Z', null)).toMatchObject({ plannedEnd: null, overrunMinutes: 0 });
	});

	it('writes a duration in plain Dutch', () => {
		expect(formatMinutes(0)).toBe('0 minuten');
		expect(formatMinutes(1)).toBe('1 minuut');
		expect(formatMinutes(45)).toBe('45 minuten');
		expect(formatMinutes(60)).toBe('1 uur');
		expect(formatMinutes(121)).toBe('2 uur en 1 minuut');
	});

	it('changes the planned minutes of an item after it was added', () => {
		const doc = new Y.Doc();
		const id = addAgendaItem(doc, general('Mededelingen', 10));
		updateAgendaItem(doc, id, { plannedMinutes: 25 });
		expect(readAgenda(doc)[0]!.plannedMinutes).toBe(25);
	});

	it('moves an item to any position, as a drag and drop does, and by one with the arrows', () => {
		const doc = new Y.Doc();
		const ids = ['Opening', 'Mededelingen', 'T-1', 'Rondvraag', 'Evaluatie'].map((t) => addAgendaItem(doc, general(t)));
		moveAgendaItemTo(doc, ids[4]!, 1);
		expect(titles(doc)).toEqual(['Opening', 'Evaluatie', 'Mededelingen', 'T-1', 'Rondvraag']);
		moveAgendaItemTo(doc, ids[0]!, 4);
		expect(titles(doc)).toEqual(['Evaluatie', 'Mededelingen', 'T-1', 'Rondvraag', 'Opening']);
		moveAgendaItem(doc, ids[0]!, -1);
		expect(titles(doc)).toEqual(['Evaluatie', 'Mededelingen', 'T-1', 'Opening', 'Rondvraag']);
		// outside the agenda, or onto itself: nothing changes
		for (const to of [-1, 5, 1.5]) moveAgendaItemTo(doc, ids[0]!, to);
		moveAgendaItemTo(doc, 'onbekend', 0);
		expect(titles(doc)).toEqual(['Evaluatie', 'Mededelingen', 'T-1', 'Opening', 'Rondvraag']);
	});

	it('two chairs dragging the same item at once leave it on the agenda once', () => {
		const a = new Y.Doc();
		const b = new Y.Doc();
		const ids = ['A', 'B', 'C', 'D'].map((t) => addAgendaItem(a, general(t)));
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		moveAgendaItemTo(a, ids[3]!, 0);
		moveAgendaItemTo(b, ids[3]!, 2);
		Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
		Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
		expect(titles(a)).toEqual(titles(b));
		expect(titles(a).filter((t) => t === 'D')).toHaveLength(1);
	});

	it('keeps the carry marks, and writes none for an item that was never carried', () => {
		const doc = new Y.Doc();
		const id = addAgendaItem(doc, general('Rondvraag'));
		expect([...(agendaItemsOf(doc).get(id) as Y.Map<unknown>).keys()]).not.toContain('carriedTo');
		updateAgendaItem(doc, id, { status: 'aangehouden', carriedTo: 42 });
		const copied = addAgendaItem(doc, { ...general('Rondvraag'), carriedFrom: 41 });
		expect(readAgenda(doc).map((i) => [i.status, i.carriedTo ?? null, i.carriedFrom ?? null])).toEqual([
			['aangehouden', 42, null],
			['gepland', null, 41]
		]);
		expect(copied).toBeTruthy();
	});
});
