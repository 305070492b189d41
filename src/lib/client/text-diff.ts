/** The smallest single replacement turning `before` into `after`: a common prefix and suffix. */
export interface Splice {
	index: number;
	remove: number;
	insert: string;
}

/**
 * With `caret` (the caret after the edit, i.e. the textarea's selectionEnd) a typed character
 * that equals its neighbour is placed where it was typed, not somewhere else in a run of equal
 * characters: locally the text reads the same, but in a shared document the character would
 * belong to the wrong neighbour, and someone typing there at the same moment would get it in
 * the middle of their sentence. The inserted text ends at the caret.
 */
export function diffText(before: string, after: string, caret?: number): Splice | null {
	if (before === after) return null;
	let start = 0;
	let max = Math.min(before.length, after.length);
	let minEndAfter = 0;
	if (caret !== undefined && caret >= 0 && caret <= after.length) {
		max = Math.min(max, Math.max(0, caret - Math.max(0, after.length - before.length)));
		minEndAfter = caret;
	}
	while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
	let endBefore = before.length;
	let endAfter = after.length;
	while (
		endBefore > start &&
		endAfter > Math.max(start, minEndAfter) &&
		before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)
	) {
		endBefore--;
		endAfter--;
	}
	return { index: start, remove: endBefore - start, insert: after.slice(start, endAfter) };
}

/**
 * Where a caret at `position` ends up after a remote change described as a Yjs delta. Text
 * inserted exactly at the caret lands after the caret: the caret stays with what the user typed last,
 * so two people typing at the same spot each keep their own sentence together.
 */
export function shiftPosition(
	position: number,
	delta: { retain?: number; insert?: string | object; delete?: number }[]
): number {
	let index = 0;
	let result = position;
	for (const op of delta) {
		if (op.retain !== undefined) {
			index += op.retain;
		} else if (op.insert !== undefined) {
			const length = typeof op.insert === 'string' ? op.insert.length : 1;
			if (index < result) result += length;
			index += length;
		} else if (op.delete !== undefined) {
			if (index < result) result -= Math.min(op.delete, result - index);
		}
		if (index > result && op.retain !== undefined) break;
	}
	return result;
}
