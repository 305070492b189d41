import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { VIEWPORTS, expectNoAxeViolations, hydrated, login, screenshot } from './helpers';

/**
 * Aanmelding and triage in Chromium: kees (Veilig Thuis) submits a verzoek tot bespreking to the
 * Jeugdbeschermingstafel, noor (voorzitter) accepts it onto the upcoming JBT meeting while sara
 * (secretaris) has that meeting open and sees the agenda item arrive, and kees reads the outcome.
 * axe-core checks every page in the states people meet it in. One test, serial: the steps build
 * on each other.
 */
test.describe.configure({ mode: 'serial' });
test.use({ actionTimeout: 10_000 });

const JBT = 'Jeugdbeschermingstafel Regio Voorbeeld';
const SUBJECT = 'Sanne Browsertest';
const TITLE = 'Kind van 12, zorgen over veiligheid thuis';

async function as(browser: import('@playwright/test').Browser, who: string): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({ viewport: VIEWPORTS.laptop });
	const page = await context.newPage();
	await login(page, `${who}@casustafel.example`);
	return { context, page };
}

test('kees meldt aan, noor accepteert op de agenda, kees ziet de uitkomst', async ({ browser }) => {
	test.setTimeout(120_000);
	const open: BrowserContext[] = [];
	try {
		const kees = await as(browser, 'kees');
		open.push(kees.context);
		let requestPath = '';

		await test.step('het lege formulier, en een politie-medewerker ziet waarom de JBT niet kan', async () => {
			await kees.page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Aanmelden' }).click();
			await hydrated(kees.page);
			await expect(kees.page.getByRole('heading', { level: 1 })).toHaveText('Verzoek tot bespreking indienen');
			await expectNoAxeViolations(kees.page);
			await screenshot(kees.page, 'aanmelden-leeg-kees');

			const politie = await as(browser, 'geen-toegang');
			open.push(politie.context);
			await politie.page.goto('/aanmelden');
			await hydrated(politie.page);
			const option = politie.page.getByRole('option', { name: `${JBT} (niet voor uw organisatie)` });
			await expect(option).toBeDisabled();
			await expect(politie.page.getByText('De Jeugdbeschermingstafel neemt alleen verzoeken aan van Veilig Thuis, lokaal team en GI. Uw organisatie (politie) kan hier geen verzoek indienen.')).toBeVisible();
			await screenshot(politie.page, 'aanmelden-politie');
		});

		await test.step('kees verstuurt te weinig: meldingen per veld, wat hij typte blijft staan', async () => {
			await kees.page.getByLabel('Overlegtafel').selectOption({ label: JBT });
			// one child: the table's age rule applies (for a whole family it does not)
			await kees.page.getByLabel('Soort').selectOption('jeugdige');
			await expect(kees.page.locator('#tableId-about')).toContainText('Tot en met 17 jaar.');
			await kees.page.getByLabel('Naam', { exact: true }).fill(SUBJECT);
			await kees.page.getByLabel('Geboortedatum (niet verplicht)').fill('2001-06-15');
			await kees.page.getByRole('button', { name: 'Verzoek indienen' }).click();
			await expect(kees.page.getByRole('alert').first()).toBeVisible();
			await expect(kees.page.getByLabel('Naam', { exact: true })).toHaveValue(SUBJECT);
			await expect(kees.page.getByLabel('Waarom meldt u deze casus aan?')).toHaveAttribute('aria-invalid', 'true');
			await expectNoAxeViolations(kees.page);
			await screenshot(kees.page, 'aanmelden-fouten');
		});

		await test.step('te oud voor de JBT: een Nederlandse reden bij de geboortedatum', async () => {
			await kees.page.getByLabel('Waarom meldt u deze casus aan?').fill('Drie meldingen van huiselijk geweld; de kinderen zijn getuige geweest.');
			await kees.page.getByLabel('Vraag aan de tafel').fill('Is een verzoek tot onderzoek bij de Raad nodig?');
			await kees.page.getByLabel('Gedwongen kader (OTS, machtiging, jeugdreclassering)').check();
			await kees.page.getByRole('button', { name: 'Verzoek indienen' }).click();
			await expect(kees.page.locator('#birthdate-error')).toContainText('bespreekt alleen mensen van 0 tot en met 17 jaar');
			await expect(kees.page.getByLabel('Vraag aan de tafel')).toHaveValue('Is een verzoek tot onderzoek bij de Raad nodig?');
		});

		await test.step('kees dient een geldig verzoek in', async () => {
			await kees.page.getByLabel('Geboortedatum (niet verplicht)').fill('2014-06-15');
			await kees.page.getByLabel('Sociaal Team Voorbeeld').check();
			await kees.page.getByLabel('Jeugdbescherming Voorbeeld').check();
			await kees.page.getByRole('button', { name: 'Verzoek indienen' }).click();
			await expect(kees.page.getByRole('status').filter({ hasText: 'Uw verzoek is ingediend' })).toBeVisible();
			const row = kees.page.getByRole('region', { name: 'Mijn aanmeldingen' }).getByRole('row').filter({ hasText: SUBJECT });
			await expect(row).toContainText('Ingediend, wacht op triage');
			requestPath = (await row.getByRole('link', { name: SUBJECT }).getAttribute('href')) ?? '';
			expect(requestPath).toMatch(/^\/aanmelden\/\d+$/);
			await expectNoAxeViolations(kees.page);
			await screenshot(kees.page, 'aanmelden-ingediend');

			await kees.page.goto(requestPath);
			await hydrated(kees.page);
			await expect(kees.page.getByText('Ingediend, wacht op triage')).toBeVisible();
			await expect(kees.page.getByRole('button', { name: 'Verzoek intrekken' })).toBeVisible();
			await expectNoAxeViolations(kees.page);
			await screenshot(kees.page, 'aanmelding-detail-ingediend');
		});

		// sara has the JBT meeting open: the accepted case must appear on her agenda by itself
		const sara = await as(browser, 'sara');
		open.push(sara.context);
		let meetingPath = '';
		await test.step('sara opent het komende JBT-overleg', async () => {
			await sara.page.getByRole('link', { name: JBT }).first().click();
			await expect(sara.page.getByRole('heading', { level: 1 })).toHaveText(JBT);
			meetingPath = (await sara.page.getByRole('region', { name: 'Overleggen' }).getByRole('link').first().getAttribute('href')) ?? '';
			await sara.page.goto(meetingPath);
			await hydrated(sara.page);
		});

		const noor = await as(browser, 'noor');
		open.push(noor.context);
		await test.step('noor ziet de wachtrij met de caseload en accepteert op het komende overleg', async () => {
			await noor.page.getByRole('link', { name: JBT }).first().click();
			await noor.page.getByRole('link', { name: /Triage \(\d+ wachtend\)/ }).click();
			await hydrated(noor.page);
			await expect(noor.page.getByRole('heading', { level: 1 })).toHaveText(`Triage: ${JBT}`);
			await expect(noor.page.getByText(/Caseload:/)).toBeVisible();
			const item = noor.page.getByRole('article', { name: new RegExp(SUBJECT) });
			await expect(item).toContainText('Kees Mulder, Veilig Thuis Voorbeeld');
			await expectNoAxeViolations(noor.page);
			await screenshot(noor.page, 'triage-noor');

			// the invited partners come pre-ticked; the meeting defaults to the first planned one
			await expect(item.getByLabel('Sociaal Team Voorbeeld')).toBeChecked();
			await expect(item.getByLabel('Jeugdbescherming Voorbeeld')).toBeChecked();
			await expect(item.getByLabel('Politie Eenheid Voorbeeld')).not.toBeChecked();
			// a name in the title is refused, and the form keeps what was typed
			await item.getByLabel(/Korte omschrijving voor de agenda/).fill('Browsertest, zorgen');
			await item.getByRole('button', { name: /^Accepteren/ }).click();
			const again = noor.page.getByRole('article', { name: new RegExp(SUBJECT) });
			await expect(again.getByText('De omschrijving lijkt een naam te bevatten.').first()).toBeVisible();
			await expectNoAxeViolations(noor.page);
			await screenshot(noor.page, 'triage-titel-met-naam');

			await again.getByLabel(/Korte omschrijving voor de agenda/).fill(TITLE);
			await again.getByLabel(/Spreektijd in minuten/).fill('25');
			await again.getByRole('button', { name: /^Accepteren/ }).click();
			await expect(noor.page.getByRole('status').filter({ hasText: /Geaccepteerd als JBT-\d{4}-\d{3} en op de agenda gezet/ })).toBeVisible();
			await expect(noor.page.getByRole('article', { name: new RegExp(SUBJECT) })).toHaveCount(0);
			await expect(noor.page.getByRole('region', { name: 'Recent besloten' })).toContainText(SUBJECT);
			await screenshot(noor.page, 'triage-geaccepteerd');
		});

		await test.step('het agendapunt verschijnt live bij sara, zonder naam', async () => {
			await expect(sara.page.getByText(TITLE).first()).toBeVisible({ timeout: 5_000 });
			await expect(sara.page.getByText(SUBJECT)).toHaveCount(0);
			await screenshot(sara.page, 'overleg-agenda-na-triage');
		});

		await test.step('kees ziet "Geaccepteerd" met de geplande datum', async () => {
			await kees.page.goto(requestPath);
			await hydrated(kees.page);
			await expect(kees.page.locator('.status')).toContainText('Geaccepteerd');
			await expect(kees.page.getByText(/De casus staat op de agenda van het overleg van/)).toBeVisible();
			await expect(kees.page.getByRole('button', { name: 'Verzoek intrekken' })).toHaveCount(0);
			await expectNoAxeViolations(kees.page);
			await screenshot(kees.page, 'aanmelding-detail-geaccepteerd');
			await kees.page.goto('/');
			await expect(kees.page.getByRole('region', { name: 'Mijn aanmeldingen' })).toContainText(SUBJECT);
			await screenshot(kees.page, 'home-kees');
		});

		await test.step('een deelnemer van de JBT (eva) komt niet in de triage', async () => {
			const eva = await as(browser, 'eva');
			open.push(eva.context);
			await eva.page.getByRole('link', { name: JBT }).first().click();
			await expect(eva.page.getByRole('link', { name: /Triage/ })).toHaveCount(0);
			const response = await eva.page.goto(noor.page.url().replace(/#.*$/, ''));
			expect(response?.status()).toBe(404);
		});
	} finally {
		for (const c of open) await c.close();
	}
});

test('Top 150 toont een deelnemer de caseload tegen het plafond', async ({ browser }) => {
	const { context, page } = await as(browser, 'deelnemer');
	try {
		await page.getByRole('link', { name: 'Top 150 Regio Voorbeeld' }).first().click();
		await expect(page.getByText(/Caseload: \d+ van 150/)).toBeVisible();
		await expectNoAxeViolations(page);
		await screenshot(page, 'tafel-top150-deelnemer');
	} finally {
		await context.close();
	}
});

test('een terugval valt op in de triage van Top 150', async ({ browser }) => {
	test.setTimeout(90_000); // two people, three axe runs, a question and a withdrawal: 31 s once under load
	const open: BrowserContext[] = [];
	try {
		// the Sociaal Team (lokaal team) may submit anywhere; Rens Verzonnen was discussed 14 days ago
		const linda = await as(browser, 'linda');
		open.push(linda.context);
		await linda.page.goto('/aanmelden');
		await hydrated(linda.page);
		await linda.page.getByLabel('Overlegtafel').selectOption({ label: 'Top 150 Regio Voorbeeld' });
		await linda.page.getByLabel('Soort').selectOption({ label: 'Een persoon (volwassene)' });
		await linda.page.getByLabel('Naam', { exact: true }).fill('Rens Verzonnen');
		await linda.page.getByLabel('Geboortedatum (niet verplicht)').fill('2004-03-12');
		await linda.page.getByLabel('Waarom meldt u deze casus aan?').fill('Opnieuw inbraken, schulden lopen weer op.');
		await linda.page.getByLabel('Vraag aan de tafel').fill('Kan het plan van aanpak worden herzien?');
		await linda.page.getByLabel('Strafrecht').check();
		await linda.page.getByRole('button', { name: 'Verzoek indienen' }).click();
		await expect(linda.page.locator('#terugval-melding')).toContainText('Mogelijk terugval');
		await expect(linda.page.getByText('T150-2026-014')).toHaveCount(0);
		await expectNoAxeViolations(linda.page);
		await screenshot(linda.page, 'aanmelden-terugval-linda');
		const href = await linda.page.getByRole('region', { name: 'Mijn aanmeldingen' }).getByRole('link', { name: 'Rens Verzonnen' }).first().getAttribute('href');

		const chair = await as(browser, 'voorzitter');
		open.push(chair.context);
		await chair.page.getByRole('link', { name: 'Top 150 Regio Voorbeeld' }).first().click();
		await chair.page.getByRole('link', { name: /Triage \(\d+ wachtend\)/ }).click();
		await hydrated(chair.page);
		const item = chair.page.getByRole('article', { name: /Rens Verzonnen/ });
		await expect(item.getByText(/Mogelijk terugval\./)).toBeVisible();
		await expect(item).toContainText('T150-2026-014');
		await expect(chair.page.getByText(/Caseload: \d+ van 150 lopende casussen/)).toBeVisible();
		await expectNoAxeViolations(chair.page);
		await screenshot(chair.page, 'triage-top150-terugval');

		// the chair asks for more; linda sees the question and the form to supplement
		await item.getByLabel(/Vraag aan de aanmelder/).fill('Welke afspraken uit het plan van aanpak lopen niet?');
		await item.getByRole('button', { name: /^Vraag versturen/ }).click();
		await expect(chair.page.getByRole('status').filter({ hasText: 'Uw vraag is naar de aanmelder gestuurd.' })).toBeVisible();
		await expect(chair.page.getByRole('article', { name: /Rens Verzonnen/ })).toContainText('Aanvulling gevraagd');

		// linda withdraws it again, so other journeys find the Top 150 queue as seeded
		await linda.page.goto(href!);
		await hydrated(linda.page);
		await expect(linda.page.getByText('Welke afspraken uit het plan van aanpak lopen niet?')).toBeVisible();
		await expect(linda.page.getByRole('heading', { name: 'Verzoek aanvullen' })).toBeVisible();
		await expect(linda.page.getByLabel('Naam', { exact: true })).toHaveValue('Rens Verzonnen');
		await expectNoAxeViolations(linda.page);
		await screenshot(linda.page, 'aanmelding-aanvulling-gevraagd');
		await hydrated(linda.page);
		await linda.page.getByRole('button', { name: 'Verzoek intrekken' }).click();
		await expect(linda.page.locator('.status')).toContainText('Ingetrokken');
		await expectNoAxeViolations(linda.page);
		await screenshot(linda.page, 'aanmelding-ingetrokken');
	} finally {
		for (const c of open) await c.close();
	}
});
