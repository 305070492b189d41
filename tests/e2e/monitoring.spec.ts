import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { expectNoAxeViolations, hydrated, login, screenshot } from './helpers';

/**
 * Monitoring and the calendar link in Chromium. The region is shared with the other specs,
 * which add escalations and change phases while this runs: nothing here expects an exact
 * count, only that the page, its charts, its words and its CSV agree.
 */

/** Whether every chart canvas on the page has something drawn on it. */
async function chartsDrawn(page: Page): Promise<boolean[]> {
	return page.locator('canvas').evaluateAll((canvases) =>
		canvases.map((c) => {
			const canvas = c as HTMLCanvasElement;
			if (canvas.width === 0 || canvas.height === 0) return false;
			const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
			for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
			return false;
		})
	);
}

test('voorzitter bekijkt de monitoring van Top 150, schrijft een evaluatie en downloadt de cijfers', async ({ page }) => {
	await login(page, 'voorzitter');
	await page.getByRole('link', { name: 'Top 150 Regio Voorbeeld' }).first().click();
	// the table page's own link (the main menu has a Monitoring link to the region overview too)
	await page.locator('#inhoud').getByRole('link', { name: 'Monitoring', exact: true }).click();
	await hydrated(page);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Monitoring Top 150 Regio Voorbeeld');

	// three charts, each drawn, each with its numbers in words for a screen reader
	await expect(page.locator('canvas')).toHaveCount(3);
	await expect.poll(() => chartsDrawn(page)).toEqual([true, true, true]);
	await expect(page.getByRole('img', { name: /^Casussen per status: aangemeld \d+/ })).toBeVisible();
	await expect(page.getByRole('img', { name: /lopende casussen? (heeft|hebben) een actieve casusregisseur/ })).toBeVisible();
	await expect(page.getByRole('img', { name: /acties? (staat|staan) open, waarvan \d+ te laat/ })).toBeVisible();
	// and in a table
	const status = page.getByRole('region', { name: 'Casussen per status' });
	await expect(status.getByRole('rowheader', { name: 'In uitvoering' })).toBeVisible();
	const acties = page.getByRole('region', { name: 'Acties per organisatie' });
	await expect(acties.getByRole('rowheader', { name: 'GGZ Voorbeeld' })).toBeVisible();
	await expectNoAxeViolations(page);
	await screenshot(page, 'monitoring-voorzitter-top150');

	// an evaluation note: first too short, then right
	const form = page.getByRole('form', { name: 'Evaluatie schrijven' });
	await form.getByLabel('Periode').fill('2026 Q1');
	await form.getByLabel('Evaluatie', { exact: true }).fill('Kort');
	await form.getByRole('button', { name: 'Evaluatie opslaan' }).click();
	await expect(form.getByRole('alert')).toHaveText('Controleer de invoer. Wat er mis is, staat bij het veld.');
	const text = form.getByLabel('Evaluatie', { exact: true });
	await expect(text).toHaveAttribute('aria-invalid', 'true');
	await expect(text).toHaveAccessibleDescription(/Schrijf minstens 10 tekens\./);
	await expect(text).toHaveValue('Kort');
	await expectNoAxeViolations(page);

	const note = 'Straf en zorg lopen goed samen. De wachtlijst bij de verslavingszorg remt; we agenderen dat bij de gemeente.';
	await text.fill(note);
	await expect(form.getByText(`${note.length} van 4000 tekens`)).toBeVisible();
	await form.getByRole('button', { name: 'Evaluatie opslaan' }).click();
	await expect(form.getByRole('status')).toHaveText('De evaluatie is opgeslagen.');
	const notes = page.getByRole('region', { name: 'Evaluaties: het verhaal bij de cijfers' }).getByRole('listitem');
	await expect(notes.first()).toContainText('2026 Q1');
	await expect(notes.first()).toContainText(note);
	await expect(notes.first()).toContainText('door de voorzitter');
	await expectNoAxeViolations(page);
	await screenshot(page, 'monitoring-voorzitter-evaluatie');

	// the CSV: a download with a BOM, one row per figure, the same figures as the page
	const downloading = page.waitForEvent('download');
	await page.getByRole('link', { name: /Cijfers downloaden/ }).click();
	const download = await downloading;
	expect(download.suggestedFilename()).toMatch(/^monitoring-T150-\d{4}-\d{2}-\d{2}\.csv$/);
	const bytes = fs.readFileSync((await download.path())!);
	expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
	const lines = bytes.subarray(3).toString('utf8').trimEnd().split('\r\n');
	expect(lines[0]).toBe('Onderdeel;Omschrijving;Waarde');
	await page.reload();
	await hydrated(page);
	for (const line of lines.slice(1)) {
		const [section, label, value] = line.split(';') as [string, string, string];
		await expect(page.locator(`[data-figure="${section}|${label}"]`), line).toHaveText(value);
	}
	await expect(page.locator('[data-figure]')).toHaveCount(lines.length - 1);

	// the region overview: the two tables she chairs
	await page.goto('/monitoring');
	await hydrated(page);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Monitoring van de regio');
	await expect(page.getByRole('link', { name: 'Monitoring van Top 150 Regio Voorbeeld' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'Monitoring van MDA++ Regio Voorbeeld' })).toBeVisible();
	await expectNoAxeViolations(page);
	await screenshot(page, 'monitoring-regio-voorzitter');
});

test('beheerder ziet de kerncijfers van de regio, maar niet de monitoring van een tafel', async ({ page }) => {
	await login(page, 'beheerder');
	await page.goto('/monitoring');
	await hydrated(page);
	await expect(page.getByRole('rowheader', { name: /Jeugdbeschermingstafel Regio Voorbeeld/ })).toBeVisible();
	await expect(page.getByRole('link', { name: /^Monitoring van / })).toHaveCount(0);
	await expectNoAxeViolations(page);
	await screenshot(page, 'monitoring-regio-beheerder');
});

test('waarnemer maakt een kalenderlink op /account en trekt hem weer in', async ({ page, request }) => {
	await login(page, 'waarnemer');
	await page.goto('/account');
	await hydrated(page);
	const section = page.getByRole('region', { name: 'Agenda in uw eigen kalender' });
	await expect(section.getByText('U hebt nu geen kalenderlink.')).toBeVisible();
	await expectNoAxeViolations(page);

	await section.getByRole('button', { name: 'Kalenderlink maken' }).click();
	const field = section.getByLabel('Uw kalenderlink');
	await expect(field).toHaveValue(/^http:\/\/localhost:\d+\/kalender\/[A-Za-z0-9_-]{43}\.ics$/);
	await expect(field).toBeFocused();
	await expect(section.getByRole('status').first()).toContainText('Uw nieuwe kalenderlink is gemaakt.');
	const url = new URL(await field.inputValue());
	await expectNoAxeViolations(page);
	await screenshot(page, 'kalender-link-gemaakt');

	// a calendar app fetches it without a session
	const feed = await request.get(url.pathname);
	expect(feed.status()).toBe(200);
	expect(feed.headers()['content-type']).toBe('text/calendar; charset=utf-8');
	const ics = await feed.text();
	expect(ics).toContain('BEGIN:VCALENDAR');
	expect(ics).toContain('SUMMARY:Top 150 Regio Voorbeeld');
	expect(ics).not.toContain('Lotte');

	// shown once: after a reload the page only says there is one
	await page.reload();
	await hydrated(page);
	await expect(section.getByLabel('Uw kalenderlink')).toHaveCount(0);
	await expect(section.getByText(/U hebt een kalenderlink sinds/)).toBeVisible();
	await expectNoAxeViolations(page);
	await section.getByRole('button', { name: 'Link intrekken' }).click();
	await expect(section.getByRole('status')).toHaveText('De kalenderlink is ingetrokken. Uw agenda-app krijgt geen nieuwe gegevens meer.');
	await expect(section.getByText('U hebt nu geen kalenderlink.')).toBeVisible();
	expect((await request.get(url.pathname)).status()).toBe(404);
	await expectNoAxeViolations(page);
	await screenshot(page, 'kalender-link-ingetrokken');
});
