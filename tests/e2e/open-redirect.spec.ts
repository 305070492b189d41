import { expect, test, type Page } from '@playwright/test';
import { login } from './helpers';

/**
 * Issue 12: `?terug=/..//evil.example` became `Location: //evil.example`, and a logged-in
 * person in Chromium landed on the foreign site. Every request to the foreign host is answered
 * here by the test itself (nothing leaves the machine), so landing there is seen, not missed.
 */
const EVIL = ['/..//evil.example/', '/%2e%2e//evil.example/', '/%5C%5Cevil.example/', '/x/..//evil.example/'];

async function trapForeignSites(page: Page): Promise<string[]> {
	const visited: string[] = [];
	await page.context().route(/^https?:\/\/evil\.example\//, (route) => {
		visited.push(route.request().url());
		return route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>Buitenland</h1>' });
	});
	return visited;
}

test('A logged-in person opening a login link with a hostile ?terug= stays on Casustafel', async ({ page }) => {
	const visited = await trapForeignSites(page);
	await login(page, 'voorzitter');
	const own = new URL(page.url()).origin;
	for (const evil of EVIL) {
		await page.goto(`/login?terug=${encodeURIComponent(evil)}`);
		expect(new URL(page.url()).origin, evil).toBe(own);
		await expect(page.locator('h1', { hasText: 'Buitenland' })).toHaveCount(0);
	}
	expect(visited).toEqual([]);
});

test('Logging in through the form of a hostile login link lands on Casustafel', async ({ page }) => {
	const visited = await trapForeignSites(page);
	await page.goto(`/login?terug=${encodeURIComponent('/..//evil.example/')}`);
	const own = new URL(page.url()).origin;
	await login(page, 'deelnemer');
	expect(new URL(page.url()).origin).toBe(own);
	expect(visited).toEqual([]);
});
