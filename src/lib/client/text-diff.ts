/** The smallest single replacement turning `before` into `after`: a common prefix and suffix. */
export interface Splice {
	index: number;
	remove: number;
	insert: string;
}

export function diffText(before: string, after: string): Splice | null {
	if (before === after) return null;
	let start = 0;
	const max = Math.min(before.length, after.length);
	while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
	let endBefore = before.length;
	let endAfter = after.length;
	while (endBefore > start && endAfter > start && before.charCodeAt(endBefore - 1) === after.charCodeAt(endAfter - 1)) {
		endBefore--;
		endAfter--;
	}
	return { index: start, remove: endBefore - start, insert: after.slice(start, endAfter) };
}

/** Where a caret at `position` ends up after a remote change described as a Yjs delta. */
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
			if (index <= result) result += length;
			index += length;
		} else if (op.delete !== undefined) {
			if (index < result) result -= Math.min(op.delete, result - index);
		}
		if (index > result && op.retain !== undefined) break;
	}
	return result;
}
