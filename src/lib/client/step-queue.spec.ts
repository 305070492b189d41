import { describe, expect, it } from 'vitest';
import { StepQueue } from './step-queue';

/** a tiny meeting: the current position moves only when the "server" answers */
function meeting() {
	let position = 0;
	const answers: (() => void)[] = [];
	const queue = new StepQueue<1 | -1>((delta) => {
		const target = position + delta; // computed from the state when the step runs
		return new Promise<void>((resolve) => answers.push(() => ((position = target), resolve())));
	});
	const answer = async () => {
		while (answers.length === 0) await Promise.resolve();
		answers.shift()!();
		await new Promise((r) => setTimeout(r, 0));
	};
	return { queue, answer, position: () => position, waiting: () => answers.length };
}

describe('StepQueue', () => {
	it('moves two items for two quick presses, even while the first is still on its way', async () => {
		const m = meeting();
		m.queue.push(1);
		m.queue.push(1);
		expect(m.waiting()).toBe(1); // the second waits for the first answer
		await m.answer();
		await m.answer();
		expect(m.position()).toBe(2);
	});

	it('keeps the order of the presses', async () => {
		const m = meeting();
		m.queue.push(1);
		m.queue.push(1);
		m.queue.push(-1);
		await m.answer();
		await m.answer();
		await m.answer();
		expect(m.position()).toBe(1);
	});

	it('goes on after a refused step and drops what is cleared', async () => {
		let calls = 0;
		const queue = new StepQueue<number>(async (n) => {
			calls += 1;
			if (n === 1) throw new Error('refused');
		});
		queue.push(1);
		queue.push(2);
		await new Promise((r) => setTimeout(r, 0));
		expect(calls).toBe(2);
		queue.push(3);
		queue.push(4);
		queue.clear();
		await new Promise((r) => setTimeout(r, 0));
		expect(calls).toBe(3);
	});
});
