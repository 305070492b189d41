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
const lastStepUsed = new Map<string, number>();

/**
 * A code the server has not accepted yet for this key (it refuses a time step the second time,
 * RFC 6238 section 5.2). As a person with an app would: three in a row at most (the steps
 * before, at and after now, which the server accepts for clock drift), then the next one when
 * the app shows it; so this waits when a test logs in with the same key often within half a
 * minute. The step before now is used only well away from a step boundary.
 */
export async function nextTotp(secret: string): Promise<string> {
	const key = secret.replace(/\s/g, '').toUpperCase();
	for (;;) {
		const now = Date.now();
		const current = Math.floor(now / STEP_MS);
		const earliest = now % STEP_MS < 25_000 ? current - 1 : current;
		const step = Math.max(earliest, (lastStepUsed.get(key) ?? -Infinity) + 1);
		if (step <= current + 1) {
			lastStepUsed.set(key, step);
			return totpNow(key, step - current, now);
		}
		await new Promise((r) => setTimeout(r, STEP_MS - (now % STEP_MS) + 50));
	}
}

/** The server refused a code as used (another process used that step): skip past it. */
export function skipTotpStep(secret: string): void {
	const key = secret.replace(/\s/g, '').toUpperCase();
	const current = Math.floor(Date.now() / STEP_MS);
	lastStepUsed.set(key, Math.max(lastStepUsed.get(key) ?? -Infinity, current + 1));
}
