/**
 * Key presses that move the meeting, run one after another. Each step is computed from the
 * state the previous one left (after the server's answer), so two quick PageDown presses move
 * two items instead of asking twice for the same next item.
 */
export class StepQueue<T> {
	private pending: T[] = [];
	private running = false;

	constructor(private readonly run: (step: T) => Promise<unknown>) {}

	push(step: T): void {
		this.pending.push(step);
		if (!this.running) void this.drain();
	}

	/** Forgets steps not yet sent, e.g. when the meeting closes. */
	clear(): void {
		this.pending = [];
	}

	private async drain(): Promise<void> {
		this.running = true;
		try {
			for (let step = this.pending.shift(); step !== undefined; step = this.pending.shift()) {
				// a failed step (the server refused, the socket dropped) does not stop the ones after it
				await this.run(step).catch(() => undefined);
			}
		} finally {
			this.running = false;
		}
	}
}
