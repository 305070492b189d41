import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';

/** TOTP codes as a person's app shows them; no app code imported, so the browser tests can use it too. */

/**
 * The TOTP code an authenticator app shows now for a base32 key (RFC 6238: 30 s, 6 digits,
 * SHA-1), as the browser and HTTP tests type it. Spaces in the key, as the page groups it, are ignored.
 */
export function totpNow(secret: string, stepOffset = 0, at = Date.now()): string {
	const key = decodeBase32IgnorePadding(secret.replace(/\s/g, '').toUpperCase());
	return generateHOTP(key, BigInt(Math.floor(at / 30_000) + stepOffset), 6);
}

const STEP_MS = 30_000;

/** Where the last used step per key is kept; in memory by default, shared by a file for browser workers. */
export interface StepLedger {
	/** runs `fn` with the ledger to itself (other processes wait) */
	exclusive<T>(fn: (steps: Map<string, number>) => T): Promise<T>;
}

const memory = new Map<string, number>();
const inMemory: StepLedger = { exclusive: async (fn) => fn(memory) };

/**
 * A code the server has not accepted yet for this key (it refuses a time step the second time,
 * RFC 6238 section 5.2). As a person with an app would: three in a row at most (the steps
 * before, at and after now, which the server accepts for clock drift), then the next one when
 * the app shows it; so this waits when a test logs in with the same key often within half a
 * minute (`onWait` is told how long first). The step before now is used only well away from a
 * step boundary.
 */
export async function nextTotp(
	secret: string,
	options: { ledger?: StepLedger; onWait?: (ms: number) => void } = {}
): Promise<string> {
	const key = secret.replace(/\s/g, '').toUpperCase();
	const ledger = options.ledger ?? inMemory;
	for (;;) {
		const result = await ledger.exclusive((steps): { code: string } | { waitMs: number } => {
			const now = Date.now();
			const current = Math.floor(now / STEP_MS);
			const earliest = now % STEP_MS < 25_000 ? current - 1 : current;
			const step = Math.max(earliest, (steps.get(key) ?? -Infinity) + 1);
			if (step > current + 1) return { waitMs: STEP_MS - (now % STEP_MS) + 50 };
			steps.set(key, step);
			return { code: totpNow(key, step - current, now) };
		});
		if ('code' in result) return result.code;
		options.onWait?.(result.waitMs);
		await new Promise((r) => setTimeout(r, result.waitMs));
	}
}

/** The server refused a code as used (another process used that step): skip past it. */
export async function skipTotpStep(secret: string, ledger: StepLedger = inMemory): Promise<void> {
	const key = secret.replace(/\s/g, '').toUpperCase();
	const current = Math.floor(Date.now() / STEP_MS);
	await ledger.exclusive((steps) => steps.set(key, Math.max(steps.get(key) ?? -Infinity, current + 1)));
}
