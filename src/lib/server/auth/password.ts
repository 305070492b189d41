import { hash, verify } from '@node-rs/argon2';

// OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane); @node-rs/argon2 defaults to argon2id.
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
	return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

let dummyHash: Promise<string> | undefined;
/** Spends the same time as a real check, so an unknown e-mail is not told apart by timing. */
export async function verifyAgainstDummy(password: string): Promise<false> {
	dummyHash ??= hashPassword('casustafel-dummy-password');
	await verifyPassword(await dummyHash, password);
	return false;
}

/** Minimum rules, in Dutch for the form; length over composition (NIST 800-63B). */
export function passwordProblem(password: string): string | null {
	if (password.length < 12) return 'Kies een wachtwoord van minstens 12 tekens.';
	if (password.length > 256) return 'Kies een wachtwoord van hoogstens 256 tekens.';
	return null;
}
