import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_ORDER_KEY_LENGTH, compareKeys, isOrderKey, keyBetween, spreadKeys } from './order-key';

describe('fractional order keys', () => {
	it('makes a key at the start, at the end and between two keys', () => {
		const middle = keyBetween(null, null)!;
		expect(isOrderKey(middle)).toBe(true);
		const before = keyBetween(null, middle)!;
		const after = keyBetween(middle, null)!;
		expect(before < middle && middle < after).toBe(true);
		const between = keyBetween(before, middle)!;
		expect(before < between && between < middle).toBe(true);
	});

	it('refuses bounds that are malformed, equal or out of order instead of making a wrong key', () => {
		expect(keyBetween('V', 'V')).toBeNull();
		expect(keyBetween('W', 'V')).toBeNull();
		expect(keyBetween('V0', null)).toBeNull(); // trailing zero
		expect(keyBetween('a b', null)).toBeNull();
		expect(keyBetween(null, '')).toBeNull();
		expect(keyBetween('x'.repeat(MAX_ORDER_KEY_LENGTH + 1), null)).toBeNull();
		expect(isOrderKey(42)).toBe(false);
		expect(isOrderKey('\u{1F600}')).toBe(false);
	});

	it('between any two valid keys in order there is a valid key strictly between them (property)', () => {
		const key = fc.stringMatching(/^[0-9A-Za-z]{0,10}[1-9A-Za-z]$/);
		fc.assert(
			fc.property(key, key, (x, y) => {
				if (x === y) return;
				const [a, b] = x < y ? [x, y] : [y, x];
				const k = keyBetween(a, b);
				if (k === null) return; // only when it would grow too long
				expect(isOrderKey(k)).toBe(true);
				expect(a < k && k < b).toBe(true);
			}),
			{ numRuns: 2000 }
		);
	});

	it('keeps keys short when an item is moved into the same gap many times', () => {
		let low: string | null = null;
		let high: string | null = null;
		// alternately squeeze from both sides: the worst case for the length
		for (let i = 0; i < 200; i++) {
			const k = keyBetween(low, high);
			if (k === null) break;
			if (i % 2 === 0) low = k;
			else high = k;
		}
		expect(low!.length).toBeLessThanOrEqual(MAX_ORDER_KEY_LENGTH);
		// appending a thousand items keeps them short as well
		let last: string | null = null;
		for (let i = 0; i < 1000; i++) last = keyBetween(last, null);
		expect(last!.length).toBeLessThan(MAX_ORDER_KEY_LENGTH);
	});

	it('spreads any number of items over distinct, ascending, valid keys, the same on every replica', () => {
		for (const n of [0, 1, 2, 10, 61, 62, 63, 500, 4000]) {
			const keys = spreadKeys(n);
			expect(keys).toHaveLength(n);
			expect(keys.every(isOrderKey)).toBe(true);
			expect([...keys].sort(compareKeys)).toEqual(keys);
			expect(new Set(keys).size).toBe(n);
			expect(spreadKeys(n)).toEqual(keys);
		}
	});
});
