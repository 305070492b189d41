import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

/**
 * Browser tests against the real server (server/index.ts) on the production build. The build
 * must exist: `npm test` runs `vite build` before `playwright test`.
 *
 * Each run gets its own SQLite file with the demo region freshly seeded. The path is set once in
 * the main Playwright process and inherited through the environment by the web server, the
 * workers and the global teardown (which removes it). It lives outside test-results/ because
 * Playwright empties that folder only after loading this file, and a concurrent run would empty
 * it under us.
 */
const port = Number(process.env.E2E_PORT ?? 4173);
const databaseUrl = (process.env.E2E_DATABASE_URL ??= path.join(
	os.tmpdir(),
	`casustafel-e2e-${process.pid}.sqlite`
));

/**
 * The journeys (aanmelding → triage → meeting → monitoring at four tables) add cases to the
 * region as real people would; they get a server and a demo region of their own, so the other
 * browser tests keep seeing the seeded region exactly.
 */
const journeysPort = port + 1;
const journeysDatabaseUrl = (process.env.E2E_JOURNEYS_DATABASE_URL ??= path.join(
	os.tmpdir(),
	`casustafel-e2e-${process.pid}-reizen.sqlite`
));

/** A real SMTP server the app mails to, readable by the tests (tests/e2e/mail-catcher.ts). */
const mailHttpPort = port + 2;
const mailSmtpPort = port + 3;
const MAIL_CATCHER = `http://127.0.0.1:${mailHttpPort}`; // tests/e2e/helpers.ts: receivedMails()

/** Dutch users in the Netherlands; fixed so that the machine's timezone and locale do not matter. */
const TIMEZONE = 'Europe/Amsterdam';

export default defineConfig({
	testDir: 'tests/e2e',
	outputDir: 'test-results',
	fullyParallel: false,
	workers: 2,
	retries: 0,
	forbidOnly: !!process.env.CI,
	reporter: 'list',
	timeout: 30_000,
	expect: { timeout: 5_000 },
	globalTeardown: './tests/e2e/global-teardown.ts',
	use: {
		baseURL: `http://localhost:${port}`,
		browserName: 'chromium',
		headless: true,
		// a 13-inch laptop, what most participants bring to a meeting
		viewport: { width: 1366, height: 768 },
		deviceScaleFactor: 1,
		locale: 'nl-NL',
		timezoneId: TIMEZONE,
		trace: 'retain-on-failure',
		screenshot: 'only-on-failure',
		launchOptions: {
			executablePath: '/usr/bin/chromium',
			args: [
				'--no-sandbox',
				'--disable-gpu',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync',
				'--no-first-run',
				'--disable-quic'
			]
		}
	},
	projects: [
		{ name: 'regio', testIgnore: /journeys\.spec\.ts$/ },
		{ name: 'reizen', testMatch: /journeys\.spec\.ts$/, use: { baseURL: `http://localhost:${journeysPort}` } }
	],
	webServer: [
		{
			command: 'npx tsx tests/e2e/mail-catcher.ts',
			url: `${MAIL_CATCHER}/`,
			reuseExistingServer: false,
			timeout: 30_000,
			stdout: 'ignore' as const,
			stderr: 'pipe' as const,
			env: { MAIL_HTTP_PORT: String(mailHttpPort), MAIL_SMTP_PORT: String(mailSmtpPort) }
		},
		server(port, databaseUrl),
		server(journeysPort, journeysDatabaseUrl)
	]
});

function server(port: number, databaseUrl: string) {
	return {
		command: 'npx tsx server/index.ts',
		url: `http://localhost:${port}/login`,
		reuseExistingServer: false,
		timeout: 60_000,
		stdout: 'ignore' as const,
		stderr: 'pipe' as const,
		gracefulShutdown: { signal: 'SIGTERM' as const, timeout: 5_000 },
		env: {
			PORT: String(port),
			DATABASE_URL: databaseUrl,
			SEED_DEMO: 'true',
			LOG_LEVEL: 'warn',
			// user and password as tests/integration/helpers/mailbox.ts expects them
			SMTP_URL: `smtp://casustafel:geheim-wachtwoord@127.0.0.1:${mailSmtpPort}`,
			MAIL_FROM: 'Casustafel <noreply@casustafel.example>',
			PUBLIC_URL: `http://localhost:${port}`,
			// the server formats dates in Europe/Amsterdam itself; UTC here proves it does not rely on TZ
			TZ: 'UTC'
		}
	};
}
