/** Small numeric helpers for the benchmark: nearest-rank percentiles over a sorted copy. */

export interface Distribution {
	count: number;
	mean: number;
	p50: number;
	p90: number;
	p99: number;
	p999: number;
	max: number;
}

export function percentile(sorted: Float64Array | number[], p: number): number {
	if (sorted.length === 0) return NaN;
	const rank = Math.ceil((p / 100) * sorted.length);
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function distribution(samples: number[]): Distribution {
	const sorted = Float64Array.from(samples).sort();
	let sum = 0;
	for (const x of sorted) sum += x;
	return {
		count: sorted.length,
		mean: sorted.length ? sum / sorted.length : NaN,
		p50: percentile(sorted, 50),
		p90: percentile(sorted, 90),
		p99: percentile(sorted, 99),
		p999: percentile(sorted, 99.9),
		max: sorted.length ? sorted[sorted.length - 1]! : NaN
	};
}

export const round = (x: number, digits = 2): number =>
	Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A small deterministic PRNG (mulberry32), so two servers get the same sequence of keystrokes. */
export function rng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Resolves when `check()` is true, polling; rejects with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string, everyMs = 10): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(everyMs);
	}
}
