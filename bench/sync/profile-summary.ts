/**
 * Summarises V8 .cpuprofile files (from `npm run bench -- --cpu-prof`): self time per function
 * and per package/file, heaviest first, so the README can say what dominates.
 *
 *   npx tsx bench/sync/profile-summary.ts bench/results/prof-<stamp>/<file>.cpuprofile [top=25]
 */
import fs from 'node:fs';
import path from 'node:path';

interface Node {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}
interface Profile {
	nodes: Node[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

function where(url: string): string {
	if (!url) return '(native/v8)';
	const nm = url.lastIndexOf('node_modules/');
	if (nm >= 0) {
		const rest = url.slice(nm + 'node_modules/'.length).split('/');
		return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
	}
	if (url.startsWith('node:')) return url;
	const m = /\/(src|server|bench|build)\/.*/.exec(url);
	return m ? m[0].slice(1) : path.basename(url);
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
	console.error('usage: tsx bench/sync/profile-summary.ts <file.cpuprofile> [top]');
	process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
for (let i = 0; i < profile.samples.length; i++) {
	const id = profile.samples[i]!;
	self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = (profile.endTime - profile.startTime) / 1000;
const fnTotals = new Map<string, number>();
const pkgTotals = new Map<string, number>();
for (const [id, us] of self) {
	const n = byId.get(id)!;
	const name = n.callFrame.functionName || '(anonymous)';
	const loc = where(n.callFrame.url);
	const key = `${name}  ${loc}${n.callFrame.url ? ':' + (n.callFrame.lineNumber + 1) : ''}`;
	fnTotals.set(key, (fnTotals.get(key) ?? 0) + us / 1000);
	const group = ['(idle)', '(program)', '(garbage collector)'].includes(name) ? name : loc;
	pkgTotals.set(group, (pkgTotals.get(group) ?? 0) + us / 1000);
}
const show = (title: string, m: Map<string, number>) => {
	console.log(`\n${title}`);
	for (const [k, ms] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
		console.log(`${ms.toFixed(0).padStart(8)} ms ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
	}
};
console.log(`${file}: ${total.toFixed(0)} ms profiled`);
show('self time by package / file', pkgTotals);
show('self time by function', fnTotals);
