import { expect, test, type Page } from '@playwright/test';
import { expectNoAxeViolations, hydrated, loggedInPage, login, openMeetingOnAnotherDay, screenshot } from './helpers';

/**
 * What the walk of issue 14 (item 8) found wrong, checked the way a user notices it. The meeting
 * here is planned by the test itself in March 2028, after every seeded meeting, so the specs
 * that pick a table's upcoming meeting still get the seeded one.
 */
test.describe.configure({ mode: 'serial' });
test.use({ actionTimeout: 10_000 });

const TOP150 = 'Top 150 Regio Voorbeeld';
const PLACE = 'Zaal Wandelgang';
const CASES = [
	{ code: 'T150-2026-014', title: 'Jongvolwassene, herhaalde inbraken en schulden' },
	{ code: 'T150-2026-015', title: 'Overlast in de wijk, verslaving' },
	{ code: 'T150-2026-016', title: 'Nieuwe aanmelding, nog te beoordelen' }
] as const;

const screenHeading = (screen: Page) => screen.getByRole('main').getByRole('heading', { level: 2 });
const screenAgenda = (screen: Page) => screen.getByRole('navigation', { name: 'Agenda' });

test('een overleg van begin tot eind: fouten verdwijnen, toetsen tellen, het einde zegt wat er gebeurde', async ({ browser }) => {
	test.setTimeout(300_000);
	const chair = await loggedInPage(browser, 'voorzitter', { viewport: { width: 1366, height: 768 } });
	const screenLogin = await loggedInPage(browser, 'voorzitter', { viewport: { width: 1280, height: 720 } });
	const page = chair.page;
	const screen = screenLogin.page;
	try {
		let meetingPath = '';
		await test.step('een fout in het planformulier verdwijnt zodra die is verbeterd', async () => {
			await page.getByRole('region', { name: 'Mijn overlegtafels' }).getByRole('link', { name: TOP150 }).click();
			await hydrated(page);
			const form = page.getByRole('region', { name: 'Overleg plannen' });
			await form.getByLabel('Datum (eerste overleg)').fill('2028-03-07');
			await form.getByLabel('Begintijd').fill('09:30');
			await form.getByLabel('Eindtijd').fill('09:00');
			await form.getByLabel('Plaats').fill(PLACE);
			await form.getByRole('button', { name: 'Overleg plannen' }).click();
			const endError = form.getByText('De eindtijd moet na de begintijd liggen.');
			await expect(endError).toBeVisible();
			await expect(form.getByRole('alert')).toContainText('Het overleg is niet gepland.');
			await expect(form.getByLabel('Eindtijd')).toHaveAttribute('aria-invalid', 'true');
			// corrected before sending: the old message no longer stands next to the right value
			await form.getByLabel('Eindtijd').fill('11:00');
			await expect(endError).toHaveCount(0);
			await expect(form.getByLabel('Eindtijd')).not.toHaveAttribute('aria-invalid', 'true');
			// and the summary above the form, which pointed at that field, goes with it
			await expect(form.getByRole('alert')).toHaveCount(0);
			await screenshot(page, 'walk-fout-verbeterd');
			await form.getByRole('button', { name: 'Overleg plannen' }).click();
			await expect(form.getByRole('status')).toContainText('Het overleg is gepland.');
			const item = page.getByRole('region', { name: 'Overleggen' }).getByRole('listitem').filter({ hasText: '7 maart 2028' });
			meetingPath = (await item.getByRole('link').first().getAttribute('href')) ?? '';
			expect(meetingPath).toMatch(/^\/overleg\/\d+$/);
		});

		await test.step('drie casussen op de agenda; het overleg gaat open', async () => {
			await page.goto(meetingPath);
			await hydrated(page);
			const agenda = page.getByRole('region', { name: 'Agenda' });
			for (const c of CASES) {
				await page.locator('#agenda-casus').selectOption({ label: `${c.code}: ${c.title}` });
				await page.getByRole('button', { name: 'Op de agenda' }).click();
				await expect(agenda.getByRole('listitem').filter({ hasText: c.code })).toBeVisible();
			}
			await openMeetingOnAnotherDay(page); // planned in March 2028
			await expect(page.getByTestId('meeting-status')).toHaveText('Overleg loopt');
		});

		await test.step('op het scherm: twee keer snel PageDown gaat twee agendapunten verder', async () => {
			await screen.goto(`${meetingPath}/scherm`);
			await hydrated(screen);
			await expect(screenAgenda(screen).getByRole('listitem')).toHaveCount(3);
			await expect(screenHeading(screen)).toHaveText('Nog geen agendapunt');
			await expect(screen.getByRole('button', { name: 'Volgende (→)' })).toBeVisible();
			// two presses before the server answered the first
			await screen.keyboard.press('PageDown');
			await screen.keyboard.press('PageDown');
			await expect(screenHeading(screen)).toHaveText(`${CASES[1].code}: ${CASES[1].title}`);
			await expect(screenAgenda(screen).locator('[aria-current="step"]')).toContainText(CASES[1].code);
			// and three quick presses, in order: forward, forward, back
			await screen.keyboard.press('PageUp');
			await expect(screenHeading(screen)).toHaveText(`${CASES[0].code}: ${CASES[0].title}`);
			await screen.keyboard.press('PageDown');
			await screen.keyboard.press('PageDown');
			await screen.keyboard.press('PageUp');
			await expect(screenHeading(screen)).toHaveText(`${CASES[1].code}: ${CASES[1].title}`);
			await expect(page.locator('#punt-kop')).toContainText(CASES[1].code);
		});

		await test.step('afronden zonder casusregisseur lukt niet: het scherm zegt het', async () => {
			await screen.keyboard.press('a');
			await expect(screen.getByRole('alert')).toContainText('Geef de reden op de laptop.');
			await expect(screen.locator('.timer')).toBeVisible();
		});

		await test.step('na het sluiten: geen oude melding, geen timer, en de echte uitkomst per punt', async () => {
			await page.getByRole('button', { name: 'Overleg sluiten' }).click();
			await page.getByRole('dialog', { name: 'Overleg sluiten?' }).getByRole('button', { name: 'Overleg sluiten' }).click();
			await expect(screen.getByTestId('meeting-status')).toHaveText('Overleg gesloten');
			await expect(screen.getByRole('alert')).toHaveCount(0);
			await expect(screen.locator('.timer')).toHaveCount(0);
			await expect(page.locator('.timer')).toHaveCount(0);

			// the screen: 015 was discussed (on the screen at the close) and has no casusregisseur;
			// 016 was never reached and is not listed as if the meeting had left it without one
			const agendaItem = (code: string) => screenAgenda(screen).getByRole('listitem').filter({ hasText: code });
			await expect(agendaItem(CASES[1].code)).toContainText('Besproken, niet afgerond');
			await expect(agendaItem(CASES[2].code)).toContainText('Niet besproken');
			await expect(screenAgenda(screen)).not.toContainText('Gepland');
			await expect(screen.getByTestId('zonder-regisseur')).toContainText(CASES[1].code);
			await expect(screen.getByTestId('zonder-regisseur')).not.toContainText(CASES[2].code);
			await screenshot(screen, 'walk-scherm-gesloten');
			await expectNoAxeViolations(screen);

			// the laptop's end of the meeting
			const end = page.getByRole('region', { name: 'Einde van het overleg' });
			await expect(end).toContainText('0 van de 3 agendapunten zijn afgerond.');
			await expect(end.getByTestId('uitkomsten')).toContainText(`${CASES[1].code}: ${CASES[1].title}: Besproken, niet afgerond`);
			await expect(end.getByTestId('uitkomsten')).toContainText(`${CASES[2].code}: ${CASES[2].title}: Niet besproken`);
			await expect(end.getByTestId('zonder-regisseur')).toContainText(CASES[1].code);
			await expect(end.getByTestId('zonder-regisseur')).not.toContainText(CASES[2].code);
			await screenshot(page, 'walk-laptop-gesloten');
			await expectNoAxeViolations(page);
		});

		await test.step('het verslag noemt geen besproken casus "Gepland"', async () => {
			await page.goto(`${meetingPath}/verslag`);
			const agenda = page.getByRole('table', { name: 'Agenda' });
			await expect(agenda.getByRole('row').filter({ hasText: CASES[1].code })).toContainText('Besproken, niet afgerond');
			await expect(agenda.getByRole('row').filter({ hasText: CASES[2].code })).toContainText('Niet besproken');
			await expect(agenda).not.toContainText('Gepland');
			const part016 = page.locator(`#casus-${CASES[2].code}`);
			await expect(part016).toContainText('Niet besproken in dit overleg.');
			await expect(part016).not.toContainText('Niet belegd');
			await screenshot(page, 'walk-verslag');
			await expectNoAxeViolations(page);
		});
	} finally {
		await chair.context.close();
		await screenLogin.context.close();
	}
});

test('de 404-pagina spreekt gewoon Nederlands en wijst de weg die past', async ({ browser }) => {
	test.setTimeout(120_000);
	const visitor = await browser.newContext();
	try {
		const page = await visitor.newPage();
		const response = await page.goto('/deze-pagina-bestaat-niet');
		expect(response?.status()).toBe(404);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Deze pagina is niet gevonden');
		await expect(page.getByText('Foutcode')).toHaveCount(0);
		await expect(page.getByText('NOT_FOUND')).toHaveCount(0);
		await expect(page.getByRole('link', { name: 'Naar de inlogpagina' })).toBeVisible();
		await expect(page.getByRole('link', { name: /Mijn overleggen/ })).toHaveCount(0);
		await expectNoAxeViolations(page);
		await screenshot(page, 'walk-404-uitgelogd');
	} finally {
		await visitor.close();
	}
	const { context, page } = await loggedInPage(browser, 'deelnemer');
	try {
		const response = await page.goto('/tafels/999999');
		expect(response?.status()).toBe(404);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Deze pagina is niet gevonden');
		await expect(page.getByRole('main')).not.toContainText('NOT_FOUND');
		await expect(page.getByRole('main').getByRole('link', { name: 'Naar Mijn overleggen' })).toBeVisible();
		await expect(page.getByRole('main').getByRole('link', { name: 'Naar de inlogpagina' })).toHaveCount(0);
		await expectNoAxeViolations(page);
		await screenshot(page, 'walk-404-ingelogd');
	} finally {
		await context.close();
	}
});

test('de vraag van de tafel heet geen "Reden", ook niet nadat het verzoek is ingetrokken', async ({ browser }) => {
	test.setTimeout(120_000);
	const QUESTION = 'Welke hulp loopt er al bij dit huishouden?';
	// linda (Sociaal Team) is no demo role of helpers.ts: logged in by e-mail address
	const lindaContext = await browser.newContext();
	const linda = { context: lindaContext, page: await lindaContext.newPage() };
	await login(linda.page, 'linda@casustafel.example');
	const chair = await loggedInPage(browser, 'voorzitter');
	try {
		await linda.page.goto('/aanmelden');
		await hydrated(linda.page);
		await linda.page.getByLabel('Overlegtafel').selectOption({ label: TOP150 });
		await linda.page.getByLabel('Soort').selectOption({ label: 'Een persoon (volwassene)' });
		await linda.page.getByLabel('Naam', { exact: true }).fill('Walter Wandelaar');
		await linda.page.getByLabel('Geboortedatum (niet verplicht)').fill('1990-05-05');
		await linda.page.getByLabel('Waarom meldt u deze casus aan?').fill('Schulden en overlast, hulp loopt vast.');
		await linda.page.getByLabel('Vraag aan de tafel').fill('Wie neemt de regie?');
		await linda.page.getByLabel('Strafrecht').check();
		await linda.page.getByRole('button', { name: 'Verzoek indienen' }).click();
		const mine = linda.page.getByRole('region', { name: 'Mijn aanmeldingen' });
		const href = await mine.getByRole('link', { name: 'Walter Wandelaar' }).first().getAttribute('href');

		await chair.page.getByRole('link', { name: TOP150 }).first().click();
		await chair.page.getByRole('link', { name: /Triage \(\d+ wachtend\)/ }).click();
		await hydrated(chair.page);
		// the same words as on the table page
		await expect(chair.page.getByText(/Caseload: \d+ van 150 lopende casussen/)).toBeVisible();
		// (the meeting spec may have opened the first one meanwhile)
		await expect(chair.page.getByRole('region', { name: 'Komende overleggen' }).locator('.badge').first()).toHaveText(/^(Gepland|Loopt)$/);
		const item = chair.page.getByRole('article', { name: /Walter Wandelaar/ });
		await item.getByLabel(/Vraag aan de aanmelder/).fill(QUESTION);
		await item.getByRole('button', { name: /^Vraag versturen/ }).click();
		await expect(chair.page.getByRole('status').filter({ hasText: 'Uw vraag is naar de aanmelder gestuurd.' })).toBeVisible();

		await linda.page.goto(href!);
		await hydrated(linda.page);
		await linda.page.getByRole('button', { name: 'Verzoek intrekken' }).click();
		await expect(linda.page.locator('.status')).toContainText('Ingetrokken');
		await expect(linda.page.getByText('U hebt dit verzoek ingetrokken.')).toBeVisible();

		await linda.page.goto('/aanmelden');
		const row = linda.page.getByRole('region', { name: 'Mijn aanmeldingen' }).getByRole('row').filter({ hasText: 'Walter Wandelaar' });
		await expect(row).toContainText(`Eerder gevraagd door de tafel: ${QUESTION}`);
		await expect(row).not.toContainText('Reden');
		await expectNoAxeViolations(linda.page);
		await screenshot(linda.page, 'walk-aanmeldingen-vraag');
	} finally {
		await linda.context.close();
		await chair.context.close();
	}
});
