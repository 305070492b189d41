/**
 * Preloaded into both benchmarked servers (`node --import tsx --import ./bench/sync/guard.ts`):
 * when the benchmark runner that started this process is gone (killed without a chance to
 * clean up), the server shuts itself down instead of lingering. It only polls the parent pid
 * once a second, on an unref'd timer; it touches nothing else.
 */
const expected = Number(process.env.BENCH_PARENT_PID);
if (Number.isInteger(expected) && expected > 0) {
	const timer = setInterval(() => {
		if (process.ppid !== expected) {
			clearInterval(timer);
			process.kill(process.pid, 'SIGTERM');
			setTimeout(() => process.exit(1), 5_000).unref();
		}
	}, 1_000);
	timer.unref();
}

export {};
