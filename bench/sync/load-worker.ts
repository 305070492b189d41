/**
 * A share of the meetings of one load slice, in a child process of the runner: the clients of
 * a meeting (its typists and its readers) all live in one thread, so every edit-to-peer latency
 * is measured on one clock. See runLoadThreaded in threads.ts.
 */
import { runLoad, type LoadOptions } from './load';
import { websocketWithCookie } from './servers';

export type WorkerOptions = Omit<LoadOptions, 'wsFor' | 'onConnected' | 'onTypingStart' | 'onTypingEnd'> & {
	cookies: (string | null)[];
	/** index of this share's first meeting among all meetings */
	offset: number;
};

process.setMaxListeners(10_000); // every y-websocket provider adds an exit listener
const send = (m: unknown) => process.send!(m);
let go: () => void = () => {};
const started = new Promise<void>((resolve) => (go = resolve));
const options = new Promise<WorkerOptions>((resolve) =>
	process.on('message', (m: { kind: string; options?: WorkerOptions }) => {
		if (m.kind === 'options') resolve(m.options!);
		if (m.kind === 'go') go();
	})
);
// the runner gone: stop at once
process.on('disconnect', () => process.exit(0));

const o = await options;
const classes = o.cookies.map((c) => websocketWithCookie(c));
const result = await runLoad({
	...o,
	wsFor: (meeting, participant) => classes[(o.offset + meeting + participant) % classes.length]!,
	async onConnected() {
		send({ kind: 'connected' });
		await started;
	},
	onTypingEnd() {
		send({ kind: 'typing-end' });
	}
});
// disconnect only once the result is handed over (a pending IPC message can be lost otherwise)
process.send!({ kind: 'result', result }, () => process.disconnect());
