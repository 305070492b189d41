import { expect, test } from '@playwright/test';
import { NOT_FOUND_TEXT, expectNoAxeViolations, hydrated, loggedInPage, screenshot } from './helpers';

/**
 * The beheerder's retention page in Chromium: reached from the beheer menu, the retention per
 * table type in words, the three lists (due, coming due, removed) each with a heading and an
 * empty state or a table of codes and dates, no names, axe clean. Anybody else gets the 404.
 */
test('beheerder ziet de bewaartermijnen en wat verwijderd wordt', async ({ browser }) => {
	const { context, page } = await loggedInPage(browser, 'beheerder');
	await page.goto('/beheer');
	await hydrated(page);
	await page.getByRole('navigation', { name: 'Beheer' }).getByRole('link', { name: 'Bewaartermijnen' }).click();
	await expect(page).toHaveURL(/\/beheer\/bewaartermijnen$/);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Bewaartermijnen');
	await expect(page.getByRole('navigation', { name: 'Beheer' }).getByRole('link', { name: 'Bewaartermijnen' })).toHaveAttribute('aria-current', 'page');

	const types = page.getByRole('region', { name: 'Bewaartermijn per tafeltype' });
	await expect(types.getByRole('rowheader', { name: 'Top 150' })).toBeVisible();
	await expect(types.getByRole('row', { name: /Top 150/ })).toContainText(/jaar|maand/);
	for (const name of ['Termijn verstreken', 'Binnenkort te verwijderen', 'Onlangs verwijderd']) {
		await expect(page.getByRole('heading', { level: 2, name })).toBeVisible();
	}
	// codes and dates only: none of the demo subjects' names
	await expect(page.locator('main')).not.toContainText(/Rens Verzonnen|Karin Bedacht|Mila Proef|Testman/);
	await expectNoAxeViolations(page);
	await screenshot(page, 'bewaartermijnen-beheerder');
	await context.close();

	const other = await loggedInPage(browser, 'voorzitter');
	const reply = await other.page.goto('/beheer/bewaartermijnen');
	expect(reply?.status()).toBe(404);
	await expect(other.page.getByText(NOT_FOUND_TEXT)).toBeVisible();
	await other.context.close();
});
