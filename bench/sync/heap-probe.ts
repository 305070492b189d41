/**
 * Optional diagnostic (`--heap-probe`, both servers alike): the servers start with
 * `--inspect=127.0.0.1:0`, and at each memory checkpoint the runner asks the inspector for a
 * full garbage collection and then for `process.memoryUsage()`. RSS alone cannot tell garbage
 * not yet collected from memory still referenced; the heap after a forced collection can.
 * Forced collections change what RSS shows afterwards, so a probe run's RSS rows are not
 * comparable with a normal run's; the normal run forces nothing.
 */
import WebSocket from 'ws';

export interface HeapSample {
	rssKiB: number;
	heapUsedKiB: number;
	heapTotalKiB: number;
	externalKiB: number;
	arrayBuffersKiB: number;
}

export function inspectorUrl(output: string): string | null {
	return /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+)/.exec(output)?.[1] ?? null;
}

/** Full GC, then the process's own memory figures, over the inspector protocol; 20 s at most. */
export async function gcAndMeasure(url: string): Promise<HeapSample> {
	const ws = new WebSocket(url);
	const timer = setTimeout(() => ws.terminate(), 20_000);
	try {
		await new Promise<void>((resolve, reject) => {
			ws.once('open', () => resolve());
			ws.once('error', reject);
			ws.once('close', () => reject(new Error('inspector closed')));
		});
		let id = 0;
		const call = (method: string, params: object = {}) =>
			new Promise<any>((resolve, reject) => {
				const mine = ++id;
				const onMessage = (data: WebSocket.RawData) => {
					const msg = JSON.parse(String(data));
					if (msg.id !== mine) return;
					ws.off('message', onMessage);
					if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
					else resolve(msg.result);
				};
				ws.on('message', onMessage);
				ws.send(JSON.stringify({ id: mine, method, params }));
			});
		await call('HeapProfiler.collectGarbage');
		await call('HeapProfiler.collectGarbage');
		const result = await call('Runtime.evaluate', {
			expression: 'JSON.stringify(process.memoryUsage())',
			returnByValue: true
		});
		const m = JSON.parse(result.result.value) as Record<string, number>;
		const k = (x: number | undefined) => Math.round((x ?? NaN) / 1024);
		return {
			rssKiB: k(m.rss),
			heapUsedKiB: k(m.heapUsed),
			heapTotalKiB: k(m.heapTotal),
			externalKiB: k(m.external),
			arrayBuffersKiB: k(m.arrayBuffers)
		};
	} finally {
		clearTimeout(timer);
		ws.close();
	}
}
