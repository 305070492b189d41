import fs from 'node:fs';
import path from 'node:path';

/**
 * Removes this run's database (see playwright.config.ts). Only a file the config generated is
 * removed, never one passed in by hand through E2E_DATABASE_URL.
 */
export default function globalTeardown(): void {
	remove(process.env.E2E_DATABASE_URL, `casustafel-e2e-${process.pid}.sqlite`);
	remove(process.env.E2E_JOURNEYS_DATABASE_URL, `casustafel-e2e-${process.pid}-reizen.sqlite`);
}

function remove(file: string | undefined, generatedName: string) {
	if (!file || path.basename(file) !== generatedName) return;
	for (const suffix of ['', '-wal', '-shm', '-journal', '-totp-steps.json', '-totp-steps.json.lock']) fs.rmSync(file + suffix, { recursive: true, force: true });
}
