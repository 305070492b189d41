/** What every runner of bench/ reports about where and on which code it ran. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** CPUs, memory, Node, OS; the load average at the start tells whether other work ran alongside. */
export function machine() {
	const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
	const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
	let osName = `${os.type()} ${os.release()}`;
	try {
		const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1];
		if (pretty) osName = `${pretty}, kernel ${os.release()}`;
	} catch {
		// not Linux-like
	}
	return {
		nproc: os.availableParallelism(),
		cpuModel: model,
		memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
		node: process.version,
		os: osName,
		arch: process.arch,
		/** 1-minute load average when the run started: other work on the machine skews results */
		loadAverageAtStart: round(os.loadavg()[0]!, 2)
	};
}

/** A git command in the repository; '' when git is missing or fails. */
export function git(...args: string[]): string {
	try {
		return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
	} catch {
		return '';
	}
}

/**
 * Replaces the runner's marked section of bench/README.md in place, re-reading the file first
 * (other runners write their own sections), or appends it at the end.
 */
export function rewriteSection(runner: 'sync' | 'data' | 'page' | 'edge', section: string): void {
	const start = `<!-- bench:${runner}:start (written by bench/${runner}/run.ts; edits inside are overwritten) -->`;
	const end = `<!-- bench:${runner}:end -->`;
	const file = path.join(ROOT, 'bench', 'README.md');
	let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n\n';
	const block = `${start}\n${section}\n${end}`;
	const s = text.indexOf(`<!-- bench:${runner}:start`);
	const e = text.indexOf(end);
	if (s >= 0 && e > s) text = text.slice(0, s) + block + text.slice(e + end.length);
	else text = text.trimEnd() + '\n\n' + block + '\n';
	fs.writeFileSync(file, text);
}
