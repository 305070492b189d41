import { expect, test } from '@playwright/test';
import { expectNoAxeViolations, hydrated, login, nextTotp, screenshot, totpNow } from './helpers';

/**
 * The second factor in Chromium, as bram@ (woningcorporatie; nothing else in this project logs
 * in as him): he sets it up on /account with the key read from the page (as he would type it
 * into an app), logs out, logs in with a code, and turns it off again with a code, so the
 * demo data is as it was. axe and screenshots on every state of the section and the step.
 */
const BRAM = 'bram@casustafel.example';

test('bram stelt een tweede factor in, logt in met een code en zet hem weer uit', async ({ page }) => {
	test.setTimeout(90_000);
	let secret = '';

	await test.step('de sectie op Mijn account, nog zonder tweede factor', async () => {
		await login(page, BRAM);
		await page.goto('/account#tweede-factor');
		await hydrated(page);
		const section = page.getByRole('region', { name: 'Tweede factor' });
		await expect(section.getByText('Met een tweede factor vraagt Casustafel')).toBeVisible();
		await expectNoAxeViolations(page);
		await section.getByRole('button', { name: 'Tweede factor instellen' }).click();
		await expect(section.getByRole('img', { name: 'QR-code voor uw authenticator-app' })).toBeVisible();
		secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s/g, '');
		expect(secret).toMatch(/^[A-Z2-7]{32}$/);
		await expectNoAxeViolations(page);
		await section.scrollIntoViewIfNeeded();
		await screenshot(page, 'tweede-factor-instellen-pagina');
	});

	await test.step('een verkeerde code wordt geweigerd, de goede zet hem aan en toont de herstelcodes één keer', async () => {
		const section = page.getByRole('region', { name: 'Tweede factor' });
		const field = section.getByLabel('Code uit uw app');
		await field.fill(totpNow(secret, 6));
		await section.getByRole('button', { name: 'Bevestigen en aanzetten' }).click();
		await expect(section.getByRole('alert')).toContainText('Deze code klopt niet.');
		await expect(field).toHaveAttribute('aria-invalid', 'true');
		await expectNoAxeViolations(page);
		await screenshot(page, 'tweede-factor-instellen-fout');

		await field.fill(await nextTotp(secret));
		await section.getByRole('button', { name: 'Bevestigen en aanzetten' }).click();
		const codes = section.getByRole('list', { name: 'Herstelcodes' }).getByRole('listitem');
		await expect(codes).toHaveCount(10);
		await expect(section.getByText('De tweede factor staat aan sinds')).toBeVisible();
		await expectNoAxeViolations(page);
		await screenshot(page, 'tweede-factor-herstelcodes');
	});

	await test.step('uitloggen en weer inloggen: na het wachtwoord de code', async () => {
		await page.locator('form[action="/logout"]').getByRole('button', { name: 'Uitloggen' }).click();
		await page.waitForURL((url) => url.pathname === '/login');
		await hydrated(page);
		await page.getByLabel('E-mailadres').fill(BRAM);
		await page.getByLabel('Wachtwoord').fill('Voorbeeld-2026');
		await page.getByRole('button', { name: 'Inloggen' }).click();
		await page.waitForURL((url) => url.pathname === '/login/tweede-factor');
		await hydrated(page);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tweede factor');
		await expectNoAxeViolations(page);
		await screenshot(page, 'tweede-factor-inloggen');

		await page.getByLabel('Code', { exact: true }).fill('12345');
		await page.getByRole('button', { name: 'Controleren' }).click();
		await expect(page.getByRole('alert')).toContainText('Deze code klopt niet.');
		await expectNoAxeViolations(page);
		await screenshot(page, 'tweede-factor-inloggen-fout');

		await page.getByLabel('Code', { exact: true }).fill(await nextTotp(secret));
		await page.getByRole('button', { name: 'Controleren' }).click();
		await page.waitForURL((url) => !url.pathname.startsWith('/login'));
		await expect(page.getByRole('button', { name: 'Uitloggen' }).first()).toBeVisible();
	});

	await test.step('de tweede factor uitzetten vraagt een code', async () => {
		await page.goto('/account#tweede-factor');
		await hydrated(page);
		const section = page.getByRole('region', { name: 'Tweede factor' });
		await expect(section.getByText('U hebt nog')).toContainText('10');
		await expectNoAxeViolations(page);
		await screenshot(page, 'tweede-factor-aan');
		await section.getByLabel('Code uit uw app of een herstelcode').fill(await nextTotp(secret));
		await section.getByRole('button', { name: 'Tweede factor uitzetten' }).click();
		await expect(section.getByText('De tweede factor staat uit.')).toBeVisible();
		await expect(section.getByRole('button', { name: 'Tweede factor instellen' })).toBeVisible();
	});
});
