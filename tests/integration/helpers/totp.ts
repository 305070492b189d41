import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { DEMO_TOTP_SECRET } from '../../../src/lib/server/seed/demo';

/**
 * The TOTP code an authenticator app shows now for a base32 key (RFC 6238: 30 s, 6 digits,
 * SHA-1), as the browser and HTTP tests type it. Spaces in the key, as the page groups it, are ignored.
 */
export function totpNow(secret: string, stepOffset = 0, at = Date.now()): string {
	const key = decodeBase32IgnorePadding(secret.replace(/\s/g, '').toUpperCase());
	return generateHOTP(key, BigInt(Math.floor(at / 30_000) + stepOffset), 6);
}

/** The demo beheerder's key (seeded with TOTP on), and the key a demo login uses, if any. */
export { DEMO_TOTP_SECRET };
export const demoTotpSecret = (email: string): string | undefined =>
	email.trim().toLowerCase() === 'beheerder@casustafel.example' ? DEMO_TOTP_SECRET : undefined;
