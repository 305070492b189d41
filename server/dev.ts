import type http from 'node:http';
import { createServer } from 'vite';
import { createContext, installContext } from '../src/lib/server/context';
import { attachRealtime } from './realtime';
import { startNotifications } from '../src/lib/server/notifications/service';
import { startRetention } from '../src/lib/server/retention/index';

/**
 * `npm run dev`: Vite's dev server with hot reload, plus the same app context and realtime
 * endpoints as the production server, attached to Vite's HTTP server.
 */
const contextPromise = createContext();
installContext(contextPromise);
const ctx = await contextPromise;

const port = Number(process.env.PORT ?? 5173);
const vite = await createServer({ server: { port, host: process.env.HOST ?? 'localhost' } });
if (vite.httpServer) {
	attachRealtime(vite.httpServer as http.Server, ctx);
	// e-mail (when SMTP_URL is set) and deadline reminders, as in production
	startNotifications(ctx, { publicUrl: () => `http://localhost:${port}` });
	// the retention purge, as in production
	startRetention(ctx);
}
await vite.listen();
vite.printUrls();
