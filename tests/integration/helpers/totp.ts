import { DEMO_TOTP_SECRET } from '../../../src/lib/server/seed/demo';

export { nextTotp, skipTotpStep, totpNow } from './totp-codes';

/** The demo beheerder's key (seeded with TOTP on), and the key a demo login uses, if any. */
export { DEMO_TOTP_SECRET };
export const demoTotpSecret = (email: string): string | undefined =>
	email.trim().toLowerCase() === 'beheerder@casustafel.example' ? DEMO_TOTP_SECRET : undefined;

