import { expect, test, type Page } from '@playwright/test';
import {
	NOT_FOUND_TEXT,
	ROLES,
	VIEWPORTS,
	caseIdFromTable,
	login,
	loggedInPage,
	hydrated,
	screenshot,
	sessionIdOf,
	type Role
} from './helpers';

/**
 * Every demo login from src/lib/server/seed/demo.ts, each in its own browser context (the `page`
 * fixture is a fresh context per test), with the tables and Top 150 cases the seed gives it.
 */
const TOP150 = 'Top 150 Regio Voorbeeld';
const MDA = 'MDA++ Regio Voorbeeld';
const OPH = 'Overleg Passende Hulp Regio Voorbeeld';
const JBT = 'Jeugdbeschermingstafel Regio Voorbeeld';

interface Expected {
	name: string;
	organisation: string;
	/** the table cards on the home page, in the page's order (by name) */
	tables: string[];
	/** the case codes this role sees on the Top 150 table page */
	top150Cases: string[];
	/** voorzitter and secretaris manage case access */
	managesAccess: boolean;
}

const EXPECTED: Record<Role, Expected> = {
	beheerder: { name: 'Ilse Vermeer', organisation: 'Gemeente Voorbeeld', tables: [], top150Cases: [], managesAccess: false },
	voorzitter: {
		name: 'Hanna de Vries',
		organisation: 'Zorg- en Veiligheidshuis Voorbeeld',
		tables: [MDA, TOP150],
		top150Cases: ['T150-2026-014', 'T150-2026-015', 'T150-2026-016'],
		managesAccess: true
	},
	secretaris: {
		name: 'Joris Bakker',
		organisation: 'Zorg- en Veiligheidshuis Voorbeeld',
		tables: [MDA, TOP150],
		top150Cases: ['T150-2026-014', 'T150-2026-015', 'T150-2026-016'],
		managesAccess: true
	},
	deelnemer: {
		name: 'Fatima El Amrani',
		organisation: 'Sociaal Team Voorbeeld',
		tables: [JBT, OPH, TOP150],
		top150Cases: ['T150-2026-014'],
		managesAccess: false
	},
	'geen-toegang': {
		name: 'Pieter Smit',
		organisation: 'Politie Eenheid Voorbeeld',
		tables: [TOP150],
		top150Cases: ['T150-2026-015'],
		managesAccess: false
	},
	waarnemer: {
		name: 'Lotte Jansen',
		organisation: 'GGZ Voorbeeld',
		tables: [TOP150],
		top150Cases: ['T150-2026-014'],
		managesAccess: false
	}
};

const tableCards = (page: Page) =>
	page.getByRole('region', { name: 'Mijn overlegtafels' }).getByRole('heading', { level: 3 });
const mainNav = (page: Page) => page.getByRole('navigation', { name: 'Hoofdmenu' });
const caseCodes = (page: Page) =>
	page.getByRole('region', { name: 'Casussen' }).getByRole('row').locator('td:first-child');

async function openTop150(page: Page): Promise<void> {
	await page.getByRole('region', { name: 'Mijn overlegtafels' }).getByRole('link', { name: TOP150 }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(TOP150);
}

test.describe('elke demorol', () => {
	for (const role of ROLES) {
		const expected = EXPECTED[role];

		test(`${role}: startpagina, eigen tafels, menu, tafel, casus en account`, async ({ page }) => {
			await login(page, role);
			await expect(page).toHaveURL('/');
			await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mijn overleggen');
			await expect(page.getByRole('banner')).toContainText(`${expected.name}, ${expected.organisation}`);

			if (expected.tables.length === 0) {
				await expect(tableCards(page)).toHaveCount(0);
				await expect(page.getByText('U bent geen lid van een overlegtafel.')).toBeVisible();
				await expect(page.getByRole('main').getByRole('link', { name: 'Beheer' })).toBeVisible();
			} else {
				await expect(tableCards(page)).toHaveText(expected.tables);
			}

			const nav = mainNav(page);
			await expect(nav.getByRole('link', { name: 'Mijn overleggen' })).toHaveAttribute('aria-current', 'page');
			await expect(nav.getByRole('link', { name: 'Mijn account' })).toBeVisible();
			// ASVS 7.4.4: logging out is one click away on every page
			await expect(page.locator('form[action="/logout"]').getByRole('button', { name: 'Uitloggen' })).toBeVisible();
			if (role === 'beheerder') {
				await expect(nav.getByRole('link', { name: 'Beheer' })).toBeVisible();
			} else {
				await expect(nav.getByRole('link', { name: 'Beheer' })).toHaveCount(0);
			}
			await screenshot(page, `${role}-home`);

			if (expected.tables.includes(TOP150)) {
				await openTop150(page);
				await expect(caseCodes(page)).toHaveText(expected.top150Cases);
				await screenshot(page, `${role}-tafel`);

				const first = expected.top150Cases[0]!;
				await page.getByRole('link', { name: first, exact: true }).click();
				await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Casus ${first}`);
				const grantForm = page.getByRole('combobox', { name: 'Organisatie toegang geven' });
				await expect(grantForm).toHaveCount(expected.managesAccess ? 1 : 0);
				await expect(page.getByRole('button', { name: /^Toegang intrekken/ }).first()).toHaveCount(
					expected.managesAccess ? 1 : 0
				);
				await screenshot(page, `${role}-casus`);
			}

			await nav.getByRole('link', { name: 'Mijn account' }).click();
			await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mijn account');
			await expect(page.getByRole('row').filter({ hasText: 'deze sessie' })).toHaveCount(1);
			await screenshot(page, `${role}-account`);
		});
	}
});

test('de startpagina op een projector (1920x1080)', async ({ browser }) => {
	const { context, page } = await loggedInPage(browser, 'voorzitter', { viewport: VIEWPORTS.projector });
	await expect(tableCards(page)).toHaveText(EXPECTED.voorzitter.tables);
	await screenshot(page, 'voorzitter-home-projector');
	await context.close();
});

test('deelnemer opent T150-2026-014 vanaf de tafelpagina', async ({ page }) => {
	await login(page, 'deelnemer');
	await openTop150(page);
	await page.getByRole('link', { name: 'T150-2026-014', exact: true }).click();
	await expect(page).toHaveURL(/\/casus\/\d+$/);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Casus T150-2026-014');
	await expect(page.getByText('Jongvolwassene, herhaalde inbraken en schulden')).toBeVisible();
	const access = page.getByRole('region', { name: 'Toegang' });
	await expect(access.getByText('Sociaal Team Voorbeeld')).toBeVisible();
	// a deelnemer sees who has access but cannot change it
	await expect(page.getByRole('button', { name: 'Toegang geven' })).toHaveCount(0);
	await expect(page.getByRole('button', { name: /^Toegang intrekken/ })).toHaveCount(0);
});

test('geen-toegang ziet T150-2026-014 niet en krijgt dezelfde pagina als voor een onbekende casus', async ({
	browser
}) => {
	// the case's id, as someone who may see it finds it
	const chair = await loggedInPage(browser, 'voorzitter');
	await openTop150(chair.page);
	const caseId = await caseIdFromTable(chair.page, 'T150-2026-014');
	await chair.context.close();

	const { context, page } = await loggedInPage(browser, 'geen-toegang');
	await openTop150(page);
	await expect(page.getByRole('link', { name: 'T150-2026-015', exact: true })).toBeVisible();
	await expect(page.getByText('T150-2026-014')).toHaveCount(0);

	const denied = await page.goto(`/casus/${caseId}`);
	expect(denied?.status()).toBe(404);
	await expect(page.getByRole('main')).toContainText(NOT_FOUND_TEXT);
	await expect(page.getByRole('main')).not.toContainText('T150-2026-014');
	const deniedText = await page.getByRole('main').innerText();
	const deniedTitle = await page.title();
	await screenshot(page, 'geen-toegang-casus-geweigerd');

	const missing = await page.goto('/casus/999999');
	expect(missing?.status()).toBe(404);
	expect(await page.getByRole('main').innerText()).toBe(deniedText);
	expect(await page.title()).toBe(deniedTitle);

	// the JSON endpoint answers the same way
	const apiDenied = await page.request.get(`/api/casus/${caseId}`);
	const apiMissing = await page.request.get('/api/casus/999999');
	expect(apiDenied.status()).toBe(404);
	expect(apiMissing.status()).toBe(404);
	expect(await apiDenied.json()).toEqual(await apiMissing.json());
	await context.close();
});

test('voorzitter geeft een organisatie toegang en trekt die weer in', async ({ page }) => {
	// T150-2026-016 has no access yet; the other tests do not depend on it
	const org = 'Woonstichting Voorbeeld';
	await login(page, 'voorzitter');
	await openTop150(page);
	await page.getByRole('link', { name: 'T150-2026-016', exact: true }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Casus T150-2026-016');
	const access = page.getByRole('region', { name: 'Toegang' });
	await expect(access.getByText('Nog geen organisaties.')).toBeVisible();

	await access.getByLabel('Organisatie toegang geven').selectOption({ label: `${org} (woningcorporatie)` });
	await access.getByRole('button', { name: 'Toegang geven' }).click();
	await expect(access.getByRole('status')).toHaveText('Toegang verleend.');
	const granted = access.getByRole('listitem').filter({ hasText: org });
	await expect(granted).toContainText('door Hanna de Vries');
	// once granted, the organisation is no longer offered
	await expect(access.getByLabel('Organisatie toegang geven').locator('option', { hasText: org })).toHaveCount(0);
	await screenshot(page, 'voorzitter-casus-toegang-verleend');

	await access.getByRole('button', { name: `Toegang intrekken voor ${org}` }).click();
	await expect(access.getByRole('status')).toHaveText('Toegang ingetrokken.');
	await expect(access.getByRole('button', { name: `Toegang intrekken voor ${org}` })).toHaveCount(0);
	await expect(access.getByText('Nog geen organisaties.')).toBeVisible();
	await expect(access.getByRole('heading', { name: 'Ingetrokken' })).toBeVisible();
	await expect(access.getByRole('listitem').filter({ hasText: org })).toContainText('tot ');
	await expect(access.getByLabel('Organisatie toegang geven').locator('option', { hasText: org })).toHaveCount(1);
	await screenshot(page, 'voorzitter-casus-toegang-ingetrokken');

	// and it holds after a reload, not only in the page's state
	await page.reload();
	await expect(access.getByRole('button', { name: `Toegang intrekken voor ${org}` })).toHaveCount(0);
	await expect(access.getByRole('heading', { name: 'Ingetrokken' })).toBeVisible();
});

test('voorzitter beëindigt een andere eigen sessie op /account', async ({ browser }) => {
	const first = await loggedInPage(browser, 'voorzitter');
	const second = await loggedInPage(browser, 'voorzitter');
	const secondId = await sessionIdOf(second.context);
	expect(secondId).not.toBe(await sessionIdOf(first.context));

	const page = first.page;
	await page.goto('/account');
	await hydrated(page);
	const rows = page.getByRole('row').filter({ has: page.locator(`input[name="sessionId"][value="${secondId}"]`) });
	await expect(rows).toHaveCount(1);
	await expect(rows).not.toContainText('deze sessie');
	await screenshot(page, 'voorzitter-account-sessies');

	await rows.getByRole('button', { name: 'Beëindigen' }).click();
	await expect(page.getByRole('status')).toHaveText('De sessie is beëindigd.');
	await expect(rows).toHaveCount(0);
	await expect(page.getByRole('row').filter({ hasText: 'deze sessie' })).toHaveCount(1);

	// the second context's open page notices through its live connection and goes to the login
	// page by itself, with the way back
	await expect(second.page).toHaveURL(/\/login\?verlopen&terug=%2F$/);
	await expect(second.page.getByText('U bent uitgelogd. Log opnieuw in om verder te gaan.')).toBeVisible();
	await expect(second.page.getByRole('heading', { level: 1 })).toHaveText('Inloggen');
	await screenshot(second.page, 'voorzitter-sessie-beeindigd-login');

	// the first context is still logged in
	await page.reload();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mijn account');

	await first.context.close();
	await second.context.close();
});
