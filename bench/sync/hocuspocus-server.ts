/**
 * The second baseline: `@hocuspocus/server` with its SQLite extension (`@hocuspocus/extension-sqlite`),
 * as its documentation sets them up, with no authentication. Version 3.4.4, the last release
 * that runs on Node 20 (Hocuspocus 4 requires Node 22); installed in bench/node_modules only.
 *
 * Env: PORT (0 = a free port), HOST (default 127.0.0.1), HOCUSPOCUS_DB (SQLite file). Prints
 * `baseline hocuspocus draait op http://host:port` once listening. GET /stats answers with the
 * number of documents stored so far (`onStoreDocument` calls, debounced by Hocuspocus: 2 s
 * after the last change, at most every 10 s while changes keep coming, and on unload).
 */
import type { AddressInfo } from 'node:net';
import { Server } from '@hocuspocus/server';
import { SQLite } from '@hocuspocus/extension-sqlite';

const database = process.env.HOCUSPOCUS_DB;
if (!database) {
	console.error('HOCUSPOCUS_DB must name the SQLite file');
	process.exit(2);
}

const stats = { stores: 0, loads: 0, connections: 0 };

const server = new Server({
	port: Number(process.env.PORT ?? 0),
	address: process.env.HOST ?? '127.0.0.1',
	quiet: true,
	stopOnSignals: false,
	extensions: [
		new SQLite({ database }),
		{
			async onStoreDocument() {
				stats.stores += 1;
			},
			async onLoadDocument() {
				stats.loads += 1;
			},
			async onConnect() {
				stats.connections += 1;
			}
		}
	],
	async onRequest({ request, response }) {
		if (request.url === '/stats') {
			response.writeHead(200, { 'content-type': 'application/json' });
			response.end(JSON.stringify(stats));
			// Hocuspocus: a rejected onRequest means "handled", it then writes nothing itself
			throw null;
		}
	}
});

await server.listen();
const { port } = server.httpServer.address() as AddressInfo;
console.log(`baseline hocuspocus draait op http://${process.env.HOST ?? '127.0.0.1'}:${port}`);

const stop = () => {
	void server.destroy().finally(() => process.exit(0));
	setTimeout(() => process.exit(0), 5_000).unref();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
