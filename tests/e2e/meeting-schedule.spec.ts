import { expect, test, type Page } from '@playwright/test';
import { dbRow, expectNoAxeViolations, hydrated, loggedInPage, login, receivedMails, screenshot } from './helpers';

/**
 * Planning meetings (issue 14 item 1) in Chromium: the secretaris of MDA++ plans "elke tweede
 * dinsdag van de maand" four times with a holiday skipped, moves one and cancels one; the
 * members get the invitations by e-mail. Dates are in the autumn of 2027, after every seeded
 * meeting, so the specs that pick the table's upcoming meeting still get the seeded one.
 */
test.describe.configure({ mode: 'serial' });
test.use({ actionTimeout: 10_000 });

const TABLE = 'MDA++ Regio Voorbeeld';
const PLACE = 'Veiligheidshuis, zaal Noord';

const meetingsRegion = (page: Page) => page.getByRole('region', { name: 'Overleggen' });
const meetingItem = (page: Page, text: string) => meetingsRegion(page).getByRole('listitem').filter({ hasText: text });

/**
 * Nothing of the page's own content reaches past the right edge. (The site menu in the header
 * is wider than 360 px today: issue 14 item 6, the collapsing menu, is another piece of work.)
 */
async function contentFits(page: Page) {
	const wide = await page.evaluate(() =>
		[...document.querySelectorAll('main *')]
			.filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
			.map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''} (${Math.round(e.getBoundingClientRect().right)} px)`)
	);
	expect(wide, 'content wider than the screen').toEqual([]);
}

test('de secretaris plant een reeks, verplaatst er een en zegt er een af', async ({ browser }) => {
	test.setTimeout(90_000);
	const { context, page } = await loggedInPage(browser, 'secretaris');
	try {
		await page.getByRole('region', { name: 'Mijn overlegtafels' }).getByRole('link', { name: TABLE }).click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(TABLE);
		await hydrated(page);

		await test.step('een reeks: elke tweede dinsdag, vier keer, zonder 12 oktober', async () => {
			const form = page.getByRole('region', { name: 'Overleg plannen' });
			// first a mistake: the end before the start; the message is in Dutch and the input stays
			await form.getByLabel('Datum (eerste overleg)').fill('2027-09-14');
			await form.getByLabel('Begintijd').fill('09:30');
			await form.getByLabel('Eindtijd').fill('09:00');
			await form.getByLabel('Plaats').fill(PLACE);
			await form.getByLabel('Herhalen').selectOption('monthly');
			await form.getByLabel('Aantal overleggen').fill('4');
			await form.getByLabel('Overslaan op (niet verplicht)').fill('12-10-2027');
			await form.getByRole('button', { name: 'Overleg plannen' }).click();
			await expect(form.getByText('De eindtijd moet na de begintijd liggen.')).toBeVisible();
			await expect(form.getByLabel('Plaats')).toHaveValue(PLACE);
			await expect(form.getByLabel('Overslaan op (niet verplicht)')).toHaveValue('12-10-2027');
			await expectNoAxeViolations(page);
			await screenshot(page, 'meeting-schedule-error');

			await form.getByLabel('Eindtijd').fill('11:00');
			await form.getByRole('button', { name: 'Overleg plannen' }).click();
			await expect(form.getByRole('status')).toContainText('4 overleggen zijn gepland (elke tweede dinsdag van de maand)');
			for (const day of ['14 september 2027', '9 november 2027', '14 december 2027', '11 januari 2028']) {
				await expect(meetingItem(page, day)).toContainText('09:30–11:00');
			}
			await expect(meetingItem(page, '12 oktober 2027')).toHaveCount(0);
			// the form is empty again for the next one
			await expect(form.getByLabel('Plaats')).toHaveValue('');
		});

		await test.step('de secretaris verplaatst het overleg van 9 november naar 16 november, 13:00', async () => {
			const item = meetingItem(page, '9 november 2027');
			await item.locator('summary', { hasText: 'Wijzigen' }).click();
			await item.getByLabel('Datum').fill('2027-11-16');
			await item.getByLabel('Begintijd').fill('13:00');
			await item.getByLabel('Eindtijd').fill('14:30');
			await item.getByRole('button', { name: 'Wijziging opslaan' }).click();
			await expect(meetingsRegion(page).getByRole('status')).toHaveText('Het overleg is gewijzigd. De leden krijgen bericht.');
			await expect(meetingItem(page, '16 november 2027')).toContainText('13:00–14:30');
			await expect(meetingItem(page, '9 november 2027')).toHaveCount(0);
		});

		await test.step('en zegt het overleg van 14 december af', async () => {
			const item = meetingItem(page, '14 december 2027');
			await item.locator('summary', { hasText: 'Afzeggen' }).click();
			await item.getByRole('button', { name: 'Overleg afzeggen' }).click();
			await expect(item.getByText('Geef de reden van het afzeggen')).toBeVisible();
			await item.getByLabel('Reden van afzeggen').fill('Kerstvakantie');
			await item.getByRole('button', { name: 'Overleg afzeggen' }).click();
			await expect(meetingItem(page, '14 december 2027')).toContainText('Afgezegd');
			await expect(meetingItem(page, '14 december 2027')).toContainText('Afgezegd omdat: Kerstvakantie');
			// not to be opened: no link to the meeting
			await expect(meetingItem(page, '14 december 2027').getByRole('link')).toHaveCount(0);
			await expectNoAxeViolations(page);
			await screenshot(page, 'meeting-schedule-1366');
		});

		await test.step('Kees Mulder (deelnemer) meldt zich af voor 14 september; de secretaris ziet wie er komen', async () => {
			const kees = await browser.newContext();
			try {
				const keesPage = await kees.newPage();
				await login(keesPage, 'kees');
				await keesPage.getByRole('region', { name: 'Mijn overlegtafels' }).getByRole('link', { name: TABLE }).click();
				await hydrated(keesPage);
				const item = meetingItem(keesPage, '14 september 2027');
				// a deelnemer plans nothing
				await expect(item.locator('summary', { hasText: 'Wijzigen' })).toHaveCount(0);
				await item.locator('summary', { hasText: 'Afmelden' }).click();
				await item.getByLabel('Reden van afmelden').fill('Scholing');
				await item.getByRole('button', { name: 'Afmelden' }).click();
				await expect(meetingItem(keesPage, '14 september 2027')).toContainText('U hebt zich afgemeld: Scholing');
				await expectNoAxeViolations(keesPage);
				await screenshot(keesPage, 'meeting-schedule-afmelding');
			} finally {
				await kees.close();
			}
			await page.reload();
			await expect(meetingItem(page, '14 september 2027')).toContainText('Komen: 3 van 4 leden. Afgemeld: Kees Mulder (Scholing)');
		});

		await test.step('de leden krijgen de uitnodiging, de wijziging en het afzeggen per e-mail', async () => {
			await expect
				.poll(async () => (await receivedMails('kees@casustafel.example')).map((m) => m.subject))
				.toEqual(expect.arrayContaining(['Casustafel: uitnodiging voor een overleg', 'Casustafel: overleg gewijzigd', 'Casustafel: overleg afgezegd']));
			const stored = dbRow<{ n: number }>(
				"select count(*) as n from meetings m join case_tables t on t.id = m.case_table_id where t.name = ? and m.location = ? and m.series_id is not null",
				TABLE,
				PLACE
			);
			expect(stored.n).toBe(4);
		});

		await test.step('op een telefoon van 360 px breed', async () => {
			await page.setViewportSize({ width: 360, height: 740 });
			await page.reload();
			await hydrated(page);
			await meetingItem(page, '16 november 2027').locator('summary', { hasText: 'Wijzigen' }).click();
			await contentFits(page);
			await expectNoAxeViolations(page);
			await screenshot(page, 'meeting-schedule-360');
		});
	} finally {
		await context.close();
	}
});
