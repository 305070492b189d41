/**
 * The baseline: a bare `@y/websocket-server` (0.1.1) with no authentication and no storage,
 * on the same URL scheme as Casustafel (`/collab/<docName>`), so the same clients run against
 * both. Env: PORT (0 = a free port), HOST (default 127.0.0.1). Prints
 * `baseline y-websocket-server draait op http://host:port` once listening.
 *
 * `@y/websocket-server/utils` persists to LevelDB only when YPERSISTENCE is set when the module
 * is loaded; the benchmark unsets it, and this script refuses to run if it is set anyway.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

if (process.env.YPERSISTENCE !== undefined) {
	console.error('YPERSISTENCE is set: the baseline must run without persistence');
	process.exit(2);
}
if (process.env.CALLBACK_URL !== undefined) {
	console.error('CALLBACK_URL is set: the baseline must run without callbacks');
	process.exit(2);
}

// Loaded after the checks above: the module reads YPERSISTENCE at load time.
const { setupWSConnection, getPersistence } = await import('@y/websocket-server/utils');
if (getPersistence() !== null) {
	console.error('the baseline has a persistence layer; refusing to run');
	process.exit(2);
}

const PREFIX = '/collab/';
const wss = new WebSocketServer({ noServer: true });
const server = http.createServer((_req, res) => {
	res.writeHead(200, { 'content-type': 'text/plain' });
	res.end('okay');
});

server.on('upgrade', (req, socket, head) => {
	const path = (req.url ?? '').split('?')[0] ?? '';
	if (!path.startsWith(PREFIX)) {
		socket.destroy();
		return;
	}
	const docName = decodeURIComponent(path.slice(PREFIX.length));
	wss.handleUpgrade(req, socket, head, (ws) => setupWSConnection(ws, req, { docName }));
});

const host = process.env.HOST ?? '127.0.0.1';
const port = Number(process.env.PORT ?? 0);
server.listen(port, host, () => {
	const { port: actual } = server.address() as AddressInfo;
	console.log(`baseline y-websocket-server draait op http://${host}:${actual}`);
});

const stop = () => {
	for (const ws of wss.clients) ws.terminate();
	wss.close();
	server.close(() => process.exit(0));
	setTimeout(() => process.exit(0), 2_000).unref();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
