import fs from 'node:fs';
import path from 'node:path';

/**
 * Removes this run's database (see playwright.config.ts). Only a file the config generated is
 * removed, never one passed in by hand through E2E_DATABASE_URL.
 */
export default function globalTeardown(): void {
	const file = process.env.E2E_DATABASE_URL;
	if (!file || path.basename(file) !== `casustafel-e2e-${process.pid}.sqlite`) return;
	for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(file + suffix, { force: true });
}
