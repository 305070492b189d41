import { expect, test, type Page } from '@playwright/test';
import { dbRow, expectNoAxeViolations, hydrated, loggedInPage, login, openMeetingOnAnotherDay, receivedMails, screenshot } from './helpers';

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
async function contentFits(page: Page, selector = 'main *') {
	const wide = await page.evaluate((selector) =>
		[...document.querySelectorAll(selector)]
			.filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
			.map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''} (${Math.round(e.getBoundingClientRect().right)} px)`),
		selector
	);
	expect(wide, 'content wider than the screen').toEqual([]);
}

test('de secretaris plant een reeks, verplaatst er een en zegt er een af', async ({ browser }) => {
	test.setTimeout(300_000);
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

/**
 * The first meeting of the series runs (issue 14, first "Done when"): the secretaris plans its
 * agenda with a general item and the table's case, sees the total and the expected end, reorders
 * by keyboard and by dragging, carries an item to the next meeting, keeps the register, and
 * closes the meeting; the verslag shows both items, what was decided at the general item, and
 * who was there.
 */
test('het eerste overleg van de reeks loopt met een algemeen punt en een casus', async ({ browser }) => {
	test.setTimeout(240_000);
	const { context, page } = await loggedInPage(browser, 'secretaris');
	const agenda = page.getByRole('region', { name: 'Agenda' });
	const items = agenda.getByRole('listitem');
	const CASE = 'MDA-2026-001';
	try {
		await page.getByRole('region', { name: 'Mijn overlegtafels' }).getByRole('link', { name: TABLE }).click();
		await meetingItem(page, '14 september 2027').getByRole('link').first().click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(TABLE);
		await hydrated(page);
		await expect(agenda.getByText('De agenda is nog leeg.')).toBeVisible();

		await test.step('een algemeen punt met één klik, een eigen punt en de casus', async () => {
			await agenda.getByRole('button', { name: '+ Mededelingen' }).click();
			await expect(page.getByTestId('agenda-melding')).toHaveText('Mededelingen staat op de agenda, als laatste punt.');
			// a free title: empty is refused in Dutch, and the minutes typed stay
			await agenda.getByLabel('Ander agendapunt').fill('');
			await agenda.getByRole('button', { name: 'Toevoegen', exact: true }).click();
			await expect(agenda.getByText('Vul de titel van het agendapunt in.')).toBeVisible();
			await agenda.getByLabel('Ander agendapunt').fill('Terugblik op de pilot');
			await agenda.getByRole('button', { name: 'Toevoegen', exact: true }).click();
			await expect(agenda.getByText('Vul de titel van het agendapunt in.')).toHaveCount(0);
			await agenda.getByLabel('Casus', { exact: true }).selectOption({ label: `${CASE}: Huishouden, terugkerend huiselijk geweld` });
			await agenda.getByLabel('Geplande minuten', { exact: true }).last().fill('30');
			await agenda.getByRole('button', { name: 'Op de agenda' }).click();
			await expect(items).toHaveCount(3);
			await expect(items.nth(0)).toContainText('Mededelingen');
			await expect(items.nth(1)).toContainText('Terugblik op de pilot');
			await expect(items.nth(2)).toContainText(CASE);
			// 10 + 10 + 30 minutes from 09:30
			await expect(page.getByTestId('agenda-tijd')).toContainText('Totaal gepland: 50 minuten');
			await expect(page.getByTestId('agenda-tijd')).toContainText('Verwacht einde: 10:20 · gepland einde 11:00');
			await expect(page.getByTestId('agenda-uitloop')).toHaveCount(0);
		});

		await test.step('de geplande tijd aanpassen; te lang geeft een duidelijke waarschuwing', async () => {
			const minutes = agenda.getByLabel(`Geplande minuten voor ${CASE}`);
			await minutes.fill('80');
			await minutes.press('Tab');
			await expect(page.getByTestId('agenda-uitloop')).toContainText('de agenda loopt 10 minuten uit');
			await expect(page.getByTestId('agenda-uitloop')).toContainText('Het verwachte einde (11:10) ligt na het geplande einde van het overleg (11:00)');
			await minutes.fill('0');
			await minutes.press('Tab');
			await expect(agenda.getByRole('alert')).toHaveText('Vul een aantal minuten in van 1 tot 240.');
			await minutes.fill('45');
			await minutes.press('Tab');
			await expect(page.getByTestId('agenda-tijd')).toContainText('Totaal gepland: 1 uur en 5 minuten');
			await expect(page.getByTestId('agenda-uitloop')).toHaveCount(0);
			await expect(items.nth(2)).toContainText('45 min');
		});

		await test.step('volgorde met het toetsenbord en door te slepen', async () => {
			const up = agenda.getByRole('button', { name: `Omhoog: ${CASE}` });
			await up.focus();
			await page.keyboard.press('Enter');
			await expect(page.getByTestId('agenda-melding')).toHaveText(`${CASE} staat nu op plaats 2 van 3.`);
			// the focus stays on the moved item's button, so pressing again moves it on
			await expect(up).toBeFocused();
			await page.keyboard.press('Enter');
			await expect(page.getByTestId('agenda-melding')).toHaveText(`${CASE} staat nu op plaats 1 van 3.`);
			await expect(items.nth(0)).toContainText(CASE);
			// at the top the up button is off; the focus went to its down button
			await expect(up).toBeDisabled();
			await expect(agenda.getByRole('button', { name: `Omlaag: ${CASE}` })).toBeFocused();
			// drag Mededelingen by its handle onto the first place (both in view: a page that scrolls
			// in the middle of a drag loses it, in Chromium as for a person)
			await agenda.getByRole('heading', { name: 'Agenda', exact: true }).evaluate((h) => h.scrollIntoView());
			await items.nth(1).getByTestId('greep').dragTo(items.nth(0));
			await expect(items.nth(0)).toContainText('Mededelingen');
			await expect(items.nth(1)).toContainText(CASE);
			await expect(page.getByTestId('agenda-melding')).toHaveText('Mededelingen staat nu op plaats 1 van 3.');
		});

		await test.step('een punt doorschuiven naar het volgende overleg', async () => {
			await agenda.getByRole('button', { name: 'Doorschuiven naar volgende overleg: Terugblik op de pilot' }).click();
			const pilot = items.filter({ hasText: 'Terugblik op de pilot' });
			await expect(pilot).toContainText('Terugblik op de pilot is doorgeschoven naar het overleg van dinsdag 16 november 2027 om 13:00.');
			await expect(pilot).toContainText('Doorgeschoven naar het volgende overleg.');
			await expect(pilot).toContainText('10 min · Doorgeschoven');
			// no time at this meeting any more
			await expect(page.getByTestId('agenda-tijd')).toContainText('Totaal gepland: 55 minuten (zonder het aangehouden punt)');
			await expectNoAxeViolations(page);
			await screenshot(page, 'meeting-agenda-1366');
			await page.setViewportSize({ width: 360, height: 740 });
			await expect(items.nth(0)).toBeVisible();
			// the agenda (this piece of work); the rest of the meeting page at 360 px is item 6's
			await contentFits(page, 'section[aria-labelledby="agenda-kop"] *');
			await expectNoAxeViolations(page);
			await screenshot(page, 'meeting-agenda-360');
			await page.setViewportSize({ width: 1366, height: 768 });
		});

		await test.step('het overleg loopt: presentie, een besluit bij de mededelingen, sluiten', async () => {
			// the meeting is planned in 2027: opening it today asks first
			await openMeetingOnAnotherDay(page);
			await expect(page.getByTestId('meeting-status')).toHaveText('Overleg loopt');
			await page.getByLabel('Aanwezigheid van Hanna de Vries').selectOption('aanwezig');
			await page.getByLabel('Aanwezigheid van Joris Bakker').selectOption('aanwezig');
			await page.getByLabel('Aanwezigheid van Kees Mulder').selectOption('afgemeld');
			await expect(page.getByTestId('presentie-telling')).toContainText('2 aanwezig');
			await agenda.getByRole('button', { name: 'Nu bespreken: Mededelingen' }).click();
			await expect(items.nth(0)).toContainText('nu aan de orde');
			await page.getByLabel('Besluit vastleggen').fill('De wijkagent stelt zich in oktober voor.');
			await page.getByRole('button', { name: 'Vastleggen', exact: true }).click();
			await expect(page.getByTestId('besluiten')).toContainText('De wijkagent stelt zich in oktober voor.');
			await page.getByRole('button', { name: 'Overleg sluiten' }).click();
			await page.getByRole('dialog', { name: 'Overleg sluiten?' }).getByRole('button', { name: 'Overleg sluiten' }).click();
			await expect(page.getByTestId('meeting-status')).toHaveText('Overleg gesloten');
		});

		await test.step('het verslag toont beide punten, het besluit en de presentie', async () => {
			await page.getByRole('link', { name: 'Verslag', exact: true }).click();
			const agendaTable = page.getByRole('table', { name: 'Agenda' });
			await expect(agendaTable.getByRole('row').nth(1)).toContainText('Mededelingen');
			await expect(agendaTable.getByRole('row').nth(2)).toContainText(`${CASE}: Huishouden, terugkerend huiselijk geweld`);
			await expect(agendaTable.getByRole('row').nth(2)).toContainText('45');
			await expect(agendaTable.getByRole('row').nth(3)).toContainText('Terugblik op de pilot');
			await expect(agendaTable.getByRole('row').nth(3)).toContainText('Aangehouden; doorgeschoven naar 16 november 2027');
			const general = page.getByRole('region', { name: 'Algemeen' });
			await expect(general.getByRole('heading', { name: 'Besluiten: Mededelingen' })).toBeVisible();
			await expect(general).toContainText('De wijkagent stelt zich in oktober voor.');
			const members = page.getByRole('table', { name: 'Leden van de tafel' });
			await expect(members.getByRole('row').filter({ hasText: 'Hanna de Vries' })).toContainText('Aanwezig');
			await expect(members.getByRole('row').filter({ hasText: 'Joris Bakker' })).toContainText('Aanwezig');
			await expect(members.getByRole('row').filter({ hasText: 'Kees Mulder' })).toContainText('Afgemeld');
			await expectNoAxeViolations(page);
			await screenshot(page, 'meeting-agenda-verslag');
		});

		await test.step('het volgende overleg heeft het doorgeschoven punt op de agenda', async () => {
			await page.goto('/');
			await page.getByRole('region', { name: 'Mijn overlegtafels' }).getByRole('link', { name: TABLE }).click();
			await meetingItem(page, '16 november 2027').getByRole('link').first().click();
			await hydrated(page);
			await expect(items.filter({ hasText: 'Terugblik op de pilot' })).toContainText('Doorgeschoven uit een vorig overleg.');
		});
	} finally {
		await context.close();
	}
});
