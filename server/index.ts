import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createContext, installContext, type AppContext, type ContextOptions } from '../src/lib/server/context';

/**
 * The Casustafel process: one HTTP server on one port. It mounts the SvelteKit handler from
 * the build; socket.io (`/live`) and the Yjs document endpoint (`/collab/`) attach here too
 * (see `attachRealtime`), and shutdown runs in order: stop accepting, close live connections,
 * flush, close the database.
 */
export interface RunningServer {
	ctx: AppContext;
	server: http.Server;
	url: string;
	close(): Promise<void>;
}

type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse, next?: () => void) => void;

export async function startServer(options: ContextOptions = {}): Promise<RunningServer> {
	const contextPromise = createContext(options);
	installContext(contextPromise);
	const ctx = await contextPromise;

	// @ts-ignore: the build output exists only after `vite build`
	const { handler } = (await import('../build/handler.js')) as { handler: RequestHandler };
	const server = http.createServer((req, res) => handler(req, res));
	attachRealtime(server);

	await new Promise<void>((resolve) => server.listen(ctx.config.port, ctx.config.host, resolve));
	const { port } = server.address() as AddressInfo;
	const host = ctx.config.host === '0.0.0.0' ? 'localhost' : ctx.config.host;
	const url = `http://${host}:${port}`;

	let closing: Promise<void> | undefined;
	const close = () =>
		(closing ??= (async () => {
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeIdleConnections();
			});
			await ctx.db.destroy();
		})());
	return { ctx, server, url, close };
}

/** Where socket.io and the `/collab/` upgrade route attach. Until then, refuse every upgrade. */
function attachRealtime(server: http.Server): void {
	server.on('upgrade', (_req, socket) => socket.destroy());
}

async function main() {
	const running = await startServer();
	running.ctx.log.info({ url: running.url }, 'Casustafel listening');
	console.log(`Casustafel draait op ${running.url}`);
	const stop = async (signal: string) => {
		running.ctx.log.info({ signal }, 'shutting down');
		const force = setTimeout(() => process.exit(1), 10_000);
		force.unref();
		await running.close();
		process.exit(0);
	};
	process.once('SIGINT', () => void stop('SIGINT'));
	process.once('SIGTERM', () => void stop('SIGTERM'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	main().catch((e) => {
		console.error(e);
		process.exit(1);
	});
}
