/**
 * `npm run bench`: every benchmark of bench/, one after the other, each in its own process so
 * that one's memory and JIT state do not weigh on the next.
 *
 *   npm run bench                   quick: a few minutes
 *   npm run bench -- --full         the documented full run (about 45 minutes on 2 cores)
 *   npm run bench -- sync --full    only bench/sync (likewise data, page, edge)
 *
 * Flags are passed on to each runner (--full, --no-readme, ...). The baselines that bench/sync
 * measures against live in bench/package.json and are installed here on first use.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNNERS = ['sync', 'data', 'page', 'edge'] as const;
const args = process.argv.slice(2);
const chosen = RUNNERS.filter((r) => args.includes(r));
const flags = args.filter((a) => !(RUNNERS as readonly string[]).includes(a));

if (!fs.existsSync(path.join(ROOT, 'build', 'handler.js'))) {
	console.log('build/ is missing: building first (npx vite build)');
	if (spawnSync('npx', ['vite', 'build'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) process.exit(1);
}
if ((chosen.length === 0 || chosen.includes('sync')) && !fs.existsSync(path.join(ROOT, 'bench', 'node_modules', '@hocuspocus', 'server'))) {
	console.log('installing the baselines of bench/sync (bench/package.json) once');
	const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: path.join(ROOT, 'bench'), stdio: 'inherit' });
	if (npm.status !== 0) process.exit(1);
}

let failed = 0;
for (const runner of chosen.length ? chosen : RUNNERS) {
	console.log(`\n######## bench/${runner}\n`);
	const run = spawnSync(process.execPath, ['--import', 'tsx', `bench/${runner}/run.ts`, ...flags], { cwd: ROOT, stdio: 'inherit' });
	if (run.status !== 0) {
		console.error(`bench/${runner} failed (exit ${run.status ?? run.signal})`);
		failed += 1;
	}
}
process.exit(failed ? 1 : 0);
