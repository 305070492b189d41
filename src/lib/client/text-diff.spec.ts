import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { diffText, shiftPosition } from './text-diff';

describe('diffText', () => {
	it('finds a typed character in the middle', () => {
		expect(diffText('abcd', 'abXcd')).toEqual({ index: 2, remove: 0, insert: 'X' });
	});
	it('finds a replaced selection', () => {
		expect(diffText('hello world', 'hello there')).toEqual({ index: 6, remove: 5, insert: 'there' });
	});
	it('handles repeated characters at the edit', () => {
		const splice = diffText('aaa', 'aaaa')!;
		const result = 'aaa'.slice(0, splice.index) + splice.insert + 'aaa'.slice(splice.index + splice.remove);
		expect(result).toBe('aaaa');
	});
	it('puts a typed character where the caret is, in a run of equal characters', () => {
		// "ab|b" + typed "b" at the caret (2): the new "b" is the third, not the second
		expect(diffText('abb', 'abbb', 3)).toEqual({ index: 2, remove: 0, insert: 'b' });
		expect(diffText('x  y', 'x   y', 2)).toEqual({ index: 1, remove: 0, insert: ' ' });
	});
	it('deletes where the caret is, in a run of equal characters', () => {
		expect(diffText('aaab', 'aab', 1)).toEqual({ index: 1, remove: 1, insert: '' });
	});
	it('ignores a caret that does not fit the text', () => {
		expect(diffText('abcd', 'abXcd', 99)).toEqual({ index: 2, remove: 0, insert: 'X' });
	});
	it('returns null when nothing changed', () => {
		expect(diffText('same', 'same')).toBeNull();
	});
});

describe('shiftPosition', () => {
	function remoteDelta(initial: string, change: (t: Y.Text) => void) {
		const doc = new Y.Doc();
		const text = doc.getText('t');
		text.insert(0, initial);
		let delta: { retain?: number; insert?: string; delete?: number }[] = [];
		text.observe((e) => (delta = e.delta as typeof delta));
		change(text);
		return delta;
	}

	it('moves the caret right when someone types before it', () => {
		expect(shiftPosition(5, remoteDelta('hello world', (t) => t.insert(0, '>> ')))).toBe(8);
	});
	it('keeps the caret when someone types after it', () => {
		expect(shiftPosition(2, remoteDelta('hello world', (t) => t.insert(8, 'X')))).toBe(2);
	});
	it('keeps the caret before text inserted exactly at it', () => {
		expect(shiftPosition(5, remoteDelta('hello world', (t) => t.insert(5, 'X')))).toBe(5);
	});
	it('moves the caret left when text before it is deleted', () => {
		expect(shiftPosition(8, remoteDelta('hello world', (t) => t.delete(0, 6)))).toBe(2);
	});
	it('puts the caret at the start of a deleted range that contained it', () => {
		expect(shiftPosition(4, remoteDelta('hello world', (t) => t.delete(2, 5)))).toBe(2);
	});
});
