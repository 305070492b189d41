import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import fs from 'node:fs';
import os from 'node:os';
import { nextTotp as nextCode, skipTotpStep as skipStep, type StepLedger } from '../integration/helpers/totp-codes';
import { connectDoc, type DocClient } from '../integration/helpers/realtime';

export const DEMO_PASSWORD = 'Voorbeeld-2026';
/** The demo beheerder's TOTP key, as DEMO_TOTP_SECRET in src/lib/server/seed/demo.ts. */
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXPCASUSTAFELDEMO22';
export const NOT_FOUND_TEXT = 'Deze pagina bestaat niet of u hebt er geen toegang toe.';

/** The demo logins of src/lib/server/seed/demo.ts, by the local part of their address. */
export const ROLES = ['beheerder', 'voorzitter', 'secretaris', 'deelnemer', 'geen-toegang', 'waarnemer'] as const;
export type Role = (typeof ROLES)[number];

export const emailOf = (role: Role) => `${role}@casustafel.example`;

export const VIEWPORTS = {
	laptop: { width: 1366, height: 768 },
	projector: { width: 1920, height: 1080 }
} as const;

/** Waits until Svelte has hydrated the page: typing before that can be reset by hydration. */
export async function hydrated(page: Page): Promise<void> {
	await page.locator('html[data-hydrated="true"]').waitFor({ state: 'attached' });
}

/** Logs in through the form and waits until the app has navigated away from /login. */
export async function login(page: Page, who: Role | string, password = DEMO_PASSWORD, totpSecret?: string): Promise<void> {
	const email = who.includes('@') ? who : emailOf(who as Role);
	if (!new URL(page.url(), 'http://x').pathname.startsWith('/login')) await page.goto('/login');
	await hydrated(page);
	await page.getByLabel('E-mailadres').fill(email);
	await page.getByLabel('Wachtwoord').fill(password);
	await page.getByRole('button', { name: 'Inloggen' }).click();
	await page.waitForURL((url) => url.pathname !== '/login');
	// accounts with TOTP on (the demo beheerder) get a second step; the code comes from the known key
	if (new URL(page.url()).pathname === '/login/tweede-factor') {
		const secret = totpSecret ?? demoTotpSecret(email);
		if (!secret) throw new Error(`login as ${email} asks for a second factor, and no TOTP key was given`);
		await hydrated(page);
		// each code once (the server refuses a time step the second time): another worker may
		// have used this step of the demo key already, then the next code is taken
		for (let attempt = 1; ; attempt++) {
			await page.getByLabel('Code', { exact: true }).fill(await nextTotp(secret));
			await page.getByRole('button', { name: 'Controleren' }).click();
			const reused = page.getByRole('alert').filter({ hasText: 'al gebruikt' });
			// whichever comes first; the other wait is dropped without an unhandled rejection
			const passed = page.waitForURL((url) => !url.pathname.startsWith('/login'), { timeout: 15_000 });
			const refused = reused.waitFor({ timeout: 15_000 });
			await Promise.race([passed, refused]).catch(() => {});
			passed.catch(() => {});
			refused.catch(() => {});
			if (!new URL(page.url()).pathname.startsWith('/login')) return;
			if (!(await reused.isVisible())) throw new Error(`the second factor for ${email} was not accepted`);
			if (attempt >= 3) throw new Error(`the second factor for ${email} was refused ${attempt} times`);
			await skipStep(secret, sharedSteps);
		}
	}
}


/**
 * The TOTP steps used in this run, shared by the browser workers through a file next to the
 * run's database (removed by the global teardown): the server accepts each step once, whoever
 * used it.
 */
const STEPS_FILE = `${process.env.E2E_DATABASE_URL ?? path.join(os.tmpdir(), `casustafel-e2e-${process.ppid}`)}-totp-steps.json`;
const sharedSteps: StepLedger = {
	async exclusive(fn) {
		const lock = `${STEPS_FILE}.lock`;
		for (let i = 0; ; i++) {
			try {
				fs.mkdirSync(lock);
				break;
			} catch {
				// a lock older than a few seconds is one a killed worker left behind
				if (i > 300) fs.rmSync(lock, { recursive: true, force: true });
				await new Promise((r) => setTimeout(r, 10));
			}
		}
		try {
			const steps = new Map<string, number>(fs.existsSync(STEPS_FILE) ? JSON.parse(fs.readFileSync(STEPS_FILE, 'utf8')) : []);
			const result = fn(steps);
			fs.writeFileSync(STEPS_FILE, JSON.stringify([...steps]));
			return result;
		} finally {
			fs.rmSync(lock, { recursive: true, force: true });
		}
	}
};

/**
 * A TOTP code not used yet in this run (see nextTotp in tests/integration/helpers/totp-codes.ts);
 * waiting for the app's next code does not count against the test's time.
 */
export function nextTotp(secret: string): Promise<string> {
	return nextCode(secret, {
		ledger: sharedSteps,
		onWait: (ms) => {
			const info = test.info();
			info.setTimeout(info.timeout + ms);
		}
	});
}

/**
 * The TOTP code an authenticator app shows now for a base32 key (RFC 6238: 30 s, 6 digits,
 * SHA-1); spaces, as the account page groups the key, are ignored.
 */
export function totpNow(secret: string, stepOffset = 0): string {
	const key = decodeBase32IgnorePadding(secret.replace(/\s/g, '').toUpperCase());
	return generateHOTP(key, BigInt(Math.floor(Date.now() / 30_000) + stepOffset), 6);
}

const demoTotpSecret = (email: string) => (email === emailOf('beheerder') ? DEMO_TOTP_SECRET : undefined);

/** A fresh browser context (own cookies) with a logged-in page. */
export async function loggedInPage(
	browser: Browser,
	role: Role,
	options: Parameters<Browser['newContext']>[0] = {}
): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext(options);
	const page = await context.newPage();
	await login(page, role);
	return { context, page };
}

/** The context's session cookie `casustafel_sessie=…`, as a Cookie header carries it. */
export async function sessionCookie(context: BrowserContext): Promise<string> {
	const cookie = (await context.cookies()).find((c) => c.name === 'casustafel_sessie');
	if (!cookie) throw new Error('no session cookie in this context');
	return `${cookie.name}=${cookie.value}`;
}

/** The session id the server keeps for this context: SHA-256 of the cookie's token, in hex. */
export async function sessionIdOf(context: BrowserContext): Promise<string> {
	const token = (await sessionCookie(context)).split('=')[1]!;
	return createHash('sha256').update(token).digest('hex');
}

/**
 * A stock y-websocket client on `docName` with the session of a logged-in context (another
 * laptop of the same person), after its first sync. The caller destroys it.
 */
export async function docOfContext(context: BrowserContext, baseURL: string, docName: string): Promise<DocClient> {
	const doc = connectDoc(baseURL, docName, await sessionCookie(context));
	await doc.synced;
	return doc;
}

/** One row of the run's database as the server stored it, read-only (E2E_DATABASE_URL). */
export function dbRow<T>(sql: string, ...params: unknown[]): T {
	const file = process.env.E2E_DATABASE_URL;
	if (!file) throw new Error('E2E_DATABASE_URL is not set');
	const db = new Database(file, { readonly: true, fileMustExist: true });
	try {
		return db.prepare(sql).get(...params) as T;
	} finally {
		db.close();
	}
}

/** Changes the run's database behind the server's back (e.g. a link's expiry); returns the rows changed. */
export function dbRun(sql: string, ...params: unknown[]): number {
	const file = process.env.E2E_DATABASE_URL;
	if (!file) throw new Error('E2E_DATABASE_URL is not set');
	const db = new Database(file, { fileMustExist: true });
	try {
		db.pragma('busy_timeout = 5000');
		return db.prepare(sql).run(...params).changes;
	} finally {
		db.close();
	}
}

/** The upcoming (first planned) meeting of a table in the run's database. */
export function upcomingMeetingId(table: string): number {
	const row = dbRow<{ id: number } | undefined>(
		"select m.id from meetings m join case_tables t on t.id = m.case_table_id where t.name = ? and m.status = 'gepland' order by m.starts_at limit 1",
		table
	);
	if (!row) throw new Error(`no planned meeting of ${table}`);
	return row.id;
}

/**
 * The chair opens the meeting on its page. Opening on another day than planned asks first (the
 * app's own dialog): the seeded meetings are all planned on other days than the test runs.
 */
export async function openMeetingOnAnotherDay(page: Page): Promise<void> {
	await page.getByRole('button', { name: 'Overleg openen' }).click();
	await page.getByRole('dialog', { name: 'Overleg op een andere dag openen?' }).getByRole('button', { name: 'Toch openen' }).click();
}

/** A full-page screenshot in test-results/screens/<name>.png, for people to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
	const file = path.join(test.info().project.outputDir, 'screens', `${name}.png`);
	await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
}

/** Follows the link to a case in a table's case list and returns the case's id from its URL. */
export async function caseIdFromTable(page: Page, code: string): Promise<number> {
	const href = await page.getByRole('link', { name: code, exact: true }).getAttribute('href');
	const id = /^\/casus\/(\d+)$/.exec(href ?? '')?.[1];
	if (!id) throw new Error(`no link to case ${code} (href ${href})`);
	return Number(id);
}

/**
 * Fails with a readable list of every axe violation against WCAG 2.0/2.1 A and AA. With
 * `soft`, the test goes on and fails at its end, so one run reports every page's violations.
 */
export async function expectNoAxeViolations(page: Page, options: { soft?: boolean } = {}): Promise<void> {
	const results = await new AxeBuilder({ page })
		.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
		.analyze();
	const report = results.violations.map((v) => {
		const nodes = v.nodes.map((n) => {
			const summary = (n.failureSummary ?? '').replace(/\s*\n\s*/g, ' ');
			return `    - ${n.target.join(' ')}\n      ${n.html.slice(0, 200)}\n      ${summary}`;
		});
		return `  [${v.impact ?? 'unknown'}] ${v.id}: ${v.help} (${v.helpUrl})\n${nodes.join('\n')}`;
	});
	(options.soft ? expect.soft : expect)(report, `axe found ${results.violations.length} violation(s) on ${page.url()}:\n${report.join('\n')}`).toEqual([]);
}

export interface CaughtMail {
	to: string[];
	from: string;
	subject: string;
	text: string;
	html: string;
}

/** The e-mails the app sent during this run, decoded (tests/e2e/mail-catcher.ts, E2E_PORT + 2). */
export async function receivedMails(to?: string): Promise<CaughtMail[]> {
	const port = Number(process.env.E2E_PORT ?? 4173) + 2;
	const response = await fetch(`http://127.0.0.1:${port}/mails`);
	const mails = (await response.json()) as CaughtMail[];
	return to ? mails.filter((m) => m.to.includes(to)) : mails;
}
