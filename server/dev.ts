import { createServer } from 'vite';

/**
 * `npm run dev`: Vite's dev server with hot reload. The app context (database, demo seed) is
 * created on the first request by hooks.server.ts; socket.io and `/collab/` will attach to
 * Vite's HTTP server here through the same `attachRealtime` hook as server/index.ts.
 */
const port = Number(process.env.PORT ?? 5173);
const vite = await createServer({ server: { port, host: process.env.HOST ?? 'localhost' } });
await vite.listen();
vite.printUrls();
