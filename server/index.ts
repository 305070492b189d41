import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createContext, installContext, type AppContext, type ContextOptions } from '../src/lib/server/context';
import { attachRealtime } from './realtime';
import { startNotifications } from '../src/lib/server/notifications/service';
import { startRetention } from '../src/lib/server/retention/index';
import { startWalCheckpointer } from '../src/lib/server/db/checkpoint';
import { securityHeaderLines, setSecurityHeaders } from '../src/lib/server/security-headers';
import { installProcessGuards } from './process-guards';

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

const PROTOCOL_HEADER = 'x-casustafel-protocol';

type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse, next?: () => void) => void;

export async function startServer(options: ContextOptions = {}): Promise<RunningServer> {
	const contextPromise = createContext(options);
	installContext(contextPromise);
	const ctx = await contextPromise;
	// WAL checkpoints (two fsyncs each) on a worker thread, not inside a commit on the event loop
	const checkpointer = startWalCheckpointer(ctx.db, ctx.log);

	// adapter-node assumes https unless told otherwise. Without ORIGIN or PROTOCOL_HEADER, we
	// tell it the real protocol of each connection through a header only we set, so the origin
	// check works on http://localhost as well as on any host name the server is reached by.
	const ownProtocolHeader = !process.env.ORIGIN && !process.env.PROTOCOL_HEADER;
	if (ownProtocolHeader) process.env.PROTOCOL_HEADER = PROTOCOL_HEADER;

	// A computed path: the build output exists only after `vite build` and is not type-checked.
	const handlerModule = new URL('../build/handler.js', import.meta.url).href;
	const { handler } = (await import(handlerModule)) as { handler: RequestHandler };
	const server = http.createServer((req, res) => {
		if (ownProtocolHeader) {
			req.headers[PROTOCOL_HEADER] = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
		}
		handler(req, res);
	});
	const realtime = attachRealtime(server, ctx);
	// Security headers on every response, whoever writes it (SvelteKit, the asset server,
	// socket.io's polling): first among the request listeners, so before any of them writes.
	server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => setSecurityHeaders(res));
	// A request Node cannot parse (bad request line, headers too large) gets Node's answer plus
	// the same headers; the connection is closed either way.
	server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
		if (err.code === 'ECONNRESET' || !socket.writable) {
			socket.destroy();
			return;
		}
		const status =
			err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
		socket.end(`HTTP/1.1 ${status}\r\n${securityHeaderLines()}content-length: 0\r\nconnection: close\r\n\r\n`);
	});
	// e-mail and reminders; links in e-mails use PUBLIC_URL/ORIGIN, else the address we listen on
	let listeningUrl = 'http://localhost';
	const notifications = startNotifications(ctx, { publicUrl: () => listeningUrl });
	// invitations and reset links go out through the same SMTP connection
	if (notifications.mailer) ctx.mail = notifications.mailer;
	// the retention purge: once now, then every RETENTION_INTERVAL_HOURS (24)
	const retention = startRetention(ctx);

	await new Promise<void>((resolve) => server.listen(ctx.config.port, ctx.config.host, resolve));
	const { port } = server.address() as AddressInfo;
	const host = ctx.config.host === '0.0.0.0' ? 'localhost' : ctx.config.host;
	const url = `http://${host}:${port}`;
	listeningUrl = url;

	let closing: Promise<void> | undefined;
	const close = () =>
		(closing ??= (async () => {
			const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
			server.closeIdleConnections();
			await notifications.close();
			await retention.stop();
			await realtime.close();
			await stopped;
			await checkpointer?.stop();
			await ctx.db.destroy();
		})());
	return { ctx, server, url, close };
}

async function main() {
	const running = await startServer();
	// from here on, a stray rejection is logged and the process goes on; an uncaught exception
	// ends it in order (see process-guards.ts)
	installProcessGuards(running.ctx.log, async (reason) => {
		running.ctx.log.info({ reason }, 'shutting down');
		await running.close();
	});
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
