/**
 * Fractional order keys: strings that sort like the fractions 0.d1d2d3… in base 62, so that a key
 * can always be made between two others without touching any other item. An item's place in a
 * shared list is then one value of its own (last writer wins), never a delete and an insert, so
 * two people moving the same item at once cannot make two of it.
 *
 * A valid key is 1..MAX_ORDER_KEY_LENGTH characters of DIGITS and does not end in '0' (a trailing
 * zero would give two spellings of one fraction). Plain string comparison (`<`) orders valid keys
 * by their value, because DIGITS is in ASCII order.
 */
const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE = DIGITS.length;
/** long enough for thousands of moves into one gap; past it, the list is spread out again */
export const MAX_ORDER_KEY_LENGTH = 48;
const VALID = new RegExp(`^[0-9A-Za-z]{0,${MAX_ORDER_KEY_LENGTH - 1}}[1-9A-Za-z]$`);

export function isOrderKey(value: unknown): value is string {
	return typeof value === 'string' && VALID.test(value);
}

/** Compares two keys (valid or not) as the lists order them: by code unit, never by locale. */
export function compareKeys(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

const digit = (c: string | undefined) => (c === undefined ? 0 : DIGITS.indexOf(c));

/** The fraction digits strictly between a (or 0 when '') and b (or 1 when null), a < b. */
function midpoint(a: string, b: string | null): string {
	if (b !== null) {
		// the shared prefix stays; a is padded with zeros
		let n = 0;
		while ((a[n] ?? '0') === b[n]) n++;
		if (n > 0) return b.slice(0, n) + midpoint(a.slice(n), b.slice(n));
	}
	const da = digit(a[0]);
	const db = b === null ? BASE : digit(b[0]);
	if (db - da > 1) return DIGITS[Math.round((da + db) / 2)]!;
	// adjacent first digits: b's first digit alone is between when b goes on, else look deeper
	if (b !== null && b.length > 1) return b.slice(0, 1);
	return DIGITS[da]! + midpoint(a.slice(1), null);
}

/**
 * A key strictly between `before` and `after` (null: the start or the end of the list), or null
 * when none can be made: a bound is not a valid key, the bounds are not in order, or the key
 * would grow past MAX_ORDER_KEY_LENGTH. The caller then spreads the whole list out again.
 */
export function keyBetween(before: string | null, after: string | null): string | null {
	if (before !== null && !isOrderKey(before)) return null;
	if (after !== null && !isOrderKey(after)) return null;
	if (before !== null && after !== null && !(before < after)) return null;
	const key = midpoint(before ?? '', after);
	return isOrderKey(key) ? key : null;
}

/**
 * `count` keys in ascending order, evenly spread over the whole range, all of the same short
 * length: for a new list, or to spread out a list whose keys collided or grew long. The same
 * count always gives the same keys, so two replicas that do this at once agree.
 */
export function spreadKeys(count: number): string[] {
	if (count <= 0) return [];
	let length = 1;
	while (BASE ** length <= count) length++;
	const span = BASE ** length;
	const keys: string[] = [];
	for (let i = 1; i <= count; i++) {
		let value = Math.floor((i * span) / (count + 1));
		let text = '';
		for (let p = 0; p < length; p++) {
			text = DIGITS[value % BASE]! + text;
			value = Math.floor(value / BASE);
		}
		keys.push(text.replace(/0+$/, ''));
	}
	return keys;
}
