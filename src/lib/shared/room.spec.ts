import { describe, expect, it } from 'vitest';
import { inRoom, restrictionMessage } from './room';

describe('who counts as in the room for an agenda item', () => {
	it('a mark for the item decides; otherwise aanwezig or a connected laptop puts someone in the room', () => {
		expect(inRoom({ status: null, sockets: 0, item: 'in' })).toBe(true);
		expect(inRoom({ status: 'aanwezig', sockets: 2, item: 'uit' })).toBe(false);
		expect(inRoom({ status: 'aanwezig', sockets: 0, item: null })).toBe(true);
		// a laptop in the meeting says more than an empty or outdated register
		expect(inRoom({ status: null, sockets: 1, item: null })).toBe(true);
		expect(inRoom({ status: 'afgemeld', sockets: 1, item: null })).toBe(true);
		expect(inRoom({ status: 'afgemeld', sockets: 0, item: null })).toBe(false);
		expect(inRoom({ status: 'afwezig', sockets: 0, item: null })).toBe(false);
	});
});

describe('the reason the screen gives', () => {
	it('names the organisations in plain Dutch', () => {
		expect(restrictionMessage(['Politie Eenheid Voorbeeld'])).toBe('Politie Eenheid Voorbeeld heeft geen toegang: beperkte weergave');
		expect(restrictionMessage(['Openbaar Ministerie Voorbeeld', 'Politie Eenheid Voorbeeld'])).toBe(
			'Openbaar Ministerie Voorbeeld en Politie Eenheid Voorbeeld hebben geen toegang: beperkte weergave'
		);
		expect(restrictionMessage(['A', 'B', 'C'])).toBe('A, B en C hebben geen toegang: beperkte weergave');
	});
});
