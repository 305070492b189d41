import { expect, test, type Page } from '@playwright/test';
import { NOT_FOUND_TEXT, caseIdFromTable, expectNoAxeViolations, hydrated, login, screenshot } from './helpers';

/**
 * axe-core against WCAG 2.0 and 2.1, levels A and AA, on every page in the states people meet
 * them in: empty forms, forms after a mistake, and pages full of data.
 */

/** Goes to a page and fails clearly when it is not there (yet), before axe looks at it. */
async function visit(page: Page, path: string): Promise<void> {
	const response = await page.goto(path);
	expect(response?.status(), `${path} answered ${response?.status()}`).toBeLessThan(400);
	await hydrated(page);
}

test.describe('inloggen', () => {
	test('leeg formulier', async ({ page }) => {
		await visit(page, '/login');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Inloggen');
		await expectNoAxeViolations(page);
		await screenshot(page, 'anoniem-login');
	});

	test('na een mislukte poging', async ({ page }) => {
		// an address that does not exist, so no demo account collects failed attempts
		await visit(page, '/login');
		await page.getByLabel('E-mailadres').fill('bestaat-niet@casustafel.example');
		await page.getByLabel('Wachtwoord').fill('fout-wachtwoord');
		await page.getByRole('button', { name: 'Inloggen' }).click();
		await expect(page.getByRole('alert')).toHaveText('Het e-mailadres of het wachtwoord klopt niet.');
		await expect(page.getByLabel('E-mailadres')).toHaveValue('bestaat-niet@casustafel.example');
		await expect(page.getByLabel('Wachtwoord')).toHaveValue('');
		await expectNoAxeViolations(page);
		await screenshot(page, 'anoniem-login-mislukt');
	});

	test('leeg verstuurd: foutmeldingen bij de velden', async ({ page }) => {
		await visit(page, '/login');
		await page.getByRole('button', { name: 'Inloggen' }).click();
		await expect(page.getByRole('alert')).toHaveText('Vul uw e-mailadres en wachtwoord in.');
		await expect(page.getByLabel('E-mailadres')).toHaveAttribute('aria-invalid', 'true');
		await expect(page.getByLabel('Wachtwoord')).toHaveAttribute('aria-invalid', 'true');
		await expect(page.getByLabel('E-mailadres')).toHaveAccessibleDescription('Vul uw e-mailadres in.');
		await expectNoAxeViolations(page);
		await screenshot(page, 'anoniem-login-leeg-verstuurd');
	});
});

test.describe('wachtwoord vergeten en link (anoniem)', () => {
	for (const width of [1366, 360]) {
		test(`aanvragen en een link die niet werkt, ${width} px`, async ({ page }) => {
			// three pages and three axe runs
			test.slow();
			await page.setViewportSize({ width, height: width === 360 ? 740 : 768 });
			await visit(page, '/wachtwoord/vergeten');
			await expect(page.getByRole('heading', { level: 1 })).toHaveText('Wachtwoord vergeten');
			await expectNoAxeViolations(page);
			// an address that does not exist: the same answer, and no mail to anyone
			await page.getByLabel('E-mailadres').fill(`niemand-${width}@casustafel.example`);
			await page.getByRole('button', { name: 'Link aanvragen' }).click();
			await expect(page.getByRole('status')).toContainText('Als dit adres bij ons bekend is');
			await expectNoAxeViolations(page);
			await visit(page, '/wachtwoord/instellen/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa');
			await expect(page.getByRole('alert')).toHaveAttribute('data-code', 'LINK_INVALID');
			await expectNoAxeViolations(page);
			await screenshot(page, `anoniem-link-werkt-niet-${width}`);
		});
	}
});

test.describe('pagina’s van een tafel (voorzitter)', () => {
	test.beforeEach(async ({ page }) => {
		await login(page, 'voorzitter');
	});

	test('startpagina', async ({ page }) => {
		await visit(page, '/');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mijn overleggen');
		await expectNoAxeViolations(page);
	});

	test('tafelpagina', async ({ page }) => {
		await page.getByRole('link', { name: 'Top 150 Regio Voorbeeld' }).first().click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Top 150 Regio Voorbeeld');
		await expectNoAxeViolations(page);
	});

	test('casuspagina, ook na een formulierfout', async ({ page }) => {
		await page.getByRole('link', { name: 'Top 150 Regio Voorbeeld' }).first().click();
		const id = await caseIdFromTable(page, 'T150-2026-014');
		await visit(page, `/casus/${id}`);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Casus T150-2026-014');
		await expectNoAxeViolations(page);

		// "Toegang geven" without choosing an organisation
		await page.getByRole('button', { name: 'Toegang geven' }).click();
		await expect(page.getByRole('alert')).toHaveText('Kies een organisatie.');
		await expect(page.getByLabel('Organisatie toegang geven')).toHaveAttribute('aria-invalid', 'true');
		await expectNoAxeViolations(page);
		await screenshot(page, 'voorzitter-casus-formulierfout');
	});

	test('besluitenlijst (na een te lange zoektekst) en casus zoeken', async ({ page }) => {
		test.setTimeout(90_000); // a login and two axe runs on a loaded machine
		await page.getByRole('link', { name: 'Top 150 Regio Voorbeeld' }).first().click();
		await page.locator('#inhoud').getByRole('link', { name: 'Besluitenlijst' }).click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Besluitenlijst');
		await visit(page, `${new URL(page.url()).pathname}?q=${'x'.repeat(101)}`);
		await expect(page.getByRole('alert')).toHaveText('Zoek met hoogstens 100 tekens.');
		await expectNoAxeViolations(page);
		await visit(page, '/zoeken?q=T150');
		await expect(page.getByRole('status')).toHaveText('3 casussen gevonden met “T150”.');
		await expectNoAxeViolations(page);
	});

	test('account', async ({ page }) => {
		await visit(page, '/account');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mijn account');
		await expectNoAxeViolations(page);
	});

	test('pagina bestaat niet of geen toegang', async ({ page }) => {
		const response = await page.goto('/casus/999999');
		expect(response?.status()).toBe(404);
		await expect(page.getByRole('main')).toContainText(NOT_FOUND_TEXT);
		await expectNoAxeViolations(page);
		await screenshot(page, 'voorzitter-niet-gevonden');
	});
});

test('casuspagina zonder beheerrechten (deelnemer)', async ({ page }) => {
	await login(page, 'deelnemer');
	await page.getByRole('link', { name: 'Top 150 Regio Voorbeeld' }).first().click();
	await page.getByRole('link', { name: 'T150-2026-014', exact: true }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Casus T150-2026-014');
	await expectNoAxeViolations(page);
});

test.describe('beheer (beheerder)', () => {
	test.beforeEach(async ({ page }) => {
		await login(page, 'beheerder');
	});

	for (const [path, name] of [
		['/beheer', 'beheer'],
		['/beheer/organisaties', 'beheer-organisaties'],
		['/beheer/gebruikers', 'beheer-gebruikers'],
		['/beheer/tafels', 'beheer-tafels']
	] as const) {
		test(path, async ({ page }) => {
			await visit(page, path);
			await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
			await expectNoAxeViolations(page);
			await screenshot(page, `beheerder-${name}`);
		});
	}

	test('/beheer/tafels/<id>', async ({ page }) => {
		await visit(page, '/beheer/tafels');
		const link = page
			.getByRole('main')
			.locator('a[href^="/beheer/tafels/"]')
			.filter({ hasText: 'Top 150 Regio Voorbeeld' })
			.first();
		const href = await link.getAttribute('href');
		expect(href, 'a link from /beheer/tafels to the Top 150 table').toMatch(/^\/beheer\/tafels\/\d+$/);
		await visit(page, href!);
		await expect(page.getByRole('heading', { level: 1 })).toContainText('Top 150 Regio Voorbeeld');
		await expectNoAxeViolations(page);
		await screenshot(page, 'beheerder-beheer-tafel');
	});
});

// Issue 14 item 6: the pages a casemanager uses between meetings, on a laptop and on a phone,
// with the site menu collapsed (and open) on the phone.
for (const viewport of [{ width: 1366, height: 768 }, { width: 360, height: 740 }]) {
	test.describe(`kleine en grote schermen (${viewport.width} px, deelnemer)`, () => {
		test.use({ viewport });
		test.beforeEach(async ({ page }) => {
			await login(page, 'deelnemer');
		});

		for (const path of ['/', '/acties', '/meldingen'] as const) {
			test(path, async ({ page }) => {
				await visit(page, path);
				await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
				await expectNoAxeViolations(page);
				if (viewport.width < 400) {
					await page.getByRole('button', { name: 'Menu' }).click();
					await expect(page.getByRole('button', { name: 'Menu' })).toHaveAttribute('aria-expanded', 'true');
					await expectNoAxeViolations(page);
				}
			});
		}

		test('casuspagina', async ({ page }) => {
			await visit(page, '/');
			await page.getByRole('link', { name: 'Top 150 Regio Voorbeeld' }).first().click();
			const id = await caseIdFromTable(page, 'T150-2026-014');
			await visit(page, `/casus/${id}`);
			await expect(page.getByRole('heading', { level: 1 })).toHaveText('Casus T150-2026-014');
			await expectNoAxeViolations(page);
		});
	});
}
