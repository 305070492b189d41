import { describe, expect, it } from 'vitest';
import { generateLinkToken, linkPath, linkTokenHash, wellFormedToken } from './links';
import { composeLinkMail, validityText } from './mails';

describe('link tokens', () => {
	it('are 160 random bits in 32 base32 characters, different every time', () => {
		const tokens = new Set(Array.from({ length: 50 }, generateLinkToken));
		expect(tokens.size).toBe(50);
		for (const t of tokens) expect(wellFormedToken(t)).toBe(true);
	});

	it('are stored as their SHA-256 in hex, never as themselves', () => {
		const token = generateLinkToken();
		const hash = linkTokenHash(token);
		expect(hash).toMatch(/^[0-9a-f]{64}$/);
		expect(hash).not.toContain(token);
		expect(linkTokenHash(token)).toBe(hash);
	});

	it('refuses anything that cannot be a token before a lookup', () => {
		for (const bad of ['', 'a'.repeat(31), 'a'.repeat(33), 'A'.repeat(32), '0'.repeat(32), '../../etc/passwd', 'a'.repeat(31) + '!']) {
			expect(wellFormedToken(bad), bad).toBe(false);
		}
	});
});

describe('the e-mails', () => {
	it('say how long a link works in plain Dutch', () => {
		expect(validityText(7 * 24 * 3_600_000)).toBe('7 dagen');
		expect(validityText(24 * 3_600_000)).toBe('1 dag');
		expect(validityText(3_600_000)).toBe('1 uur');
		expect(validityText(30 * 60_000)).toBe('30 minuten');
		expect(validityText(60_000)).toBe('1 minuut');
	});

	it('carry the absolute link and no name, and escape it in the HTML part', () => {
		const token = generateLinkToken();
		const mail = composeLinkMail(
			{ purpose: 'reset', path: linkPath(token), validMs: 3_600_000, expiresAt: new Date('2026-12-03T17:00:00Z') },
			'https://casustafel.test/'
		);
		expect(mail.subject).toBe('Casustafel: nieuw wachtwoord kiezen');
		expect(mail.text).toContain(`https://casustafel.test/wachtwoord/instellen/${token}`);
		expect(mail.text).toContain('De link werkt één keer en is 1 uur geldig, tot donderdag 3 december om 18:00.');
		expect(mail.html).toContain(`href="https://casustafel.test/wachtwoord/instellen/${token}"`);
	});
});
