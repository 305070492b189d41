import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { expectNoAxeViolations, hydrated, loggedInPage, screenshot, type Role } from './helpers';

/**
 * The verslag of the closed Top 150 meeting (14 days ago in the demo), in Chromium: the
 * printable page as the chair, a deelnemer with access to T150-2026-014 and a deelnemer
 * without, the PDF downloaded through its link, and its first page rendered to PNG with
 * pdftoppm for people to look at. The closed meeting is read-only, so this spec changes
 * nothing that other specs rely on.
 */
const TOP150 = 'Top 150 Regio Voorbeeld';
const MINUTES = 'Straf en zorg worden gecombineerd';

/** From the home page via the table to the verslag of its closed meeting. */
async function openVerslag(page: Page): Promise<number> {
	await page.goto('/');
	await page.getByRole('link', { name: TOP150, exact: true }).first().click();
	await expect(page.getByRole('heading', { level: 1, name: TOP150 })).toBeVisible();
	// the meeting of 14 days ago is listed first; meeting.spec may have closed the next one meanwhile
	const closed = page.getByRole('listitem').filter({ hasText: 'Gesloten' }).first();
	await closed.getByRole('link', { name: /^Verslag/ }).click();
	await expect(page).toHaveURL(/\/overleg\/\d+\/verslag$/);
	await hydrated(page);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Verslag ${TOP150}`);
	return Number(/\/overleg\/(\d+)\//.exec(page.url())![1]);
}

function screensDir(): string {
	const dir = path.join(test.info().project.outputDir, 'screens');
	fs.mkdirSync(dir, { recursive: true });
	return dir;
}

/** Downloads the PDF through the link on the page and returns where it was saved. */
async function downloadPdf(page: Page, who: Role): Promise<string> {
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download als PDF' }).click()]);
	expect(download.suggestedFilename()).toMatch(/^verslag-top-150-regio-voorbeeld-\d{4}-\d{2}-\d{2}\.pdf$/);
	const file = path.join(screensDir(), `verslag-${who}.pdf`);
	await download.saveAs(file);
	expect(fs.readFileSync(file).subarray(0, 5).toString('latin1')).toBe('%PDF-');
	return file;
}

/** The PDF's first page as PNG beside the screenshots (pdftoppm from poppler-utils). */
function renderFirstPage(pdf: string, who: Role): void {
	// pdftoppm comes with Debian's poppler-utils, which .ci/run installs like Chromium
	const base = path.join(screensDir(), `verslag-pdf-${who}`);
	execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdf, base]);
	expect(fs.statSync(`${base}.png`).size).toBeGreaterThan(10_000);
}

test.describe('verslag van het gesloten Top 150-overleg', () => {
	test('de voorzitter ziet T150-2026-014 met verslag, acties en regie, drukt af en downloadt PDF en Word', async ({ browser }) => {
		const { context, page } = await loggedInPage(browser, 'voorzitter');
		await openVerslag(page);
		const kase = page.getByRole('article', { name: /T150-2026-014/ });
		await expect(kase).toBeVisible();
		await expect(kase).toContainText(MINUTES);
		await expect(kase.getByRole('table', { name: 'Acties T150-2026-014' })).toContainText('Intake verslavingszorg plannen');
		await expect(kase).toContainText('deadline verstreken');
		await expect(kase).toContainText('Casusregisseur');
		await expect(page.getByText('Opgesteld voor Hanna de Vries')).toBeVisible();
		await expectNoAxeViolations(page);
		await screenshot(page, 'verslag-voorzitter');

		const pdf = await downloadPdf(page, 'voorzitter');
		renderFirstPage(pdf, 'voorzitter');
		const [docx] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download als Word (.docx)' }).click()]);
		expect(docx.suggestedFilename()).toMatch(/^verslag-top-150-regio-voorbeeld-\d{4}-\d{2}-\d{2}\.docx$/);
		const docxFile = path.join(screensDir(), 'verslag-voorzitter.docx');
		await docx.saveAs(docxFile);
		expect(fs.readFileSync(docxFile).subarray(0, 2).toString('latin1')).toBe('PK');

		// on paper: no site header, no buttons, the verslag itself
		await page.emulateMedia({ media: 'print' });
		await expect(page.locator('.site-header')).toBeHidden();
		await expect(page.getByRole('link', { name: 'Download als PDF' })).toBeHidden();
		await expect(kase).toContainText(MINUTES);
		await screenshot(page, 'verslag-voorzitter-afdruk');
		await context.close();
	});

	test('de deelnemer van het Sociaal Team ziet T150-2026-014 ook, en komt er vanuit het overleg', async ({ browser }) => {
		const { context, page } = await loggedInPage(browser, 'deelnemer');
		const meetingId = await openVerslag(page);
		await expect(page.getByRole('article', { name: /T150-2026-014/ })).toContainText(MINUTES);
		await expect(page.getByText('Opgesteld voor Fatima El Amrani')).toBeVisible();
		await expectNoAxeViolations(page);
		await screenshot(page, 'verslag-deelnemer');
		renderFirstPage(await downloadPdf(page, 'deelnemer'), 'deelnemer');

		// the link on the meeting page leads here too
		await page.goto(`/overleg/${meetingId}`);
		await hydrated(page);
		await page.getByRole('link', { name: 'Verslag', exact: true }).click();
		await expect(page).toHaveURL(new RegExp(`/overleg/${meetingId}/verslag$`));
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Verslag ${TOP150}`);
		await context.close();
	});

	test('de deelnemer van de politie, zonder toegang tot T150-2026-014, krijgt het overleg zonder die casus', async ({ browser }) => {
		const { context, page } = await loggedInPage(browser, 'geen-toegang');
		await openVerslag(page);
		await expect(page.getByRole('heading', { level: 2, name: 'Casussen' })).toBeVisible();
		await expect(page.getByText('Dit verslag bevat geen casussen die u mag inzien.')).toBeVisible();
		await expect(page.getByRole('main')).not.toContainText('T150-2026-014');
		await expect(page.getByRole('main')).not.toContainText(MINUTES);
		await expect(page.getByRole('article')).toHaveCount(0);
		await expect(page.getByText('1 agendapunt gaat over een casus waartoe u geen toegang hebt en is weggelaten.')).toBeVisible();
		await expectNoAxeViolations(page);
		await screenshot(page, 'verslag-geen-toegang');
		const pdf = await downloadPdf(page, 'geen-toegang');
		renderFirstPage(pdf, 'geen-toegang');
		await context.close();
	});
});
