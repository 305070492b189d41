import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { VIEWPORTS, expectNoAxeViolations, hydrated, login, screenshot } from './helpers';

/**
 * One journey per table, each with its own output template, as the people at that table walk
 * it: an aanmelder submits a verzoek tot bespreking, the chair accepts it in triage onto a
 * meeting, the meeting discusses it live (a deelnemer of an invited organisation on her own
 * laptop), the chair names a casusregisseur (the deelnemer sees it within a second, with its
 * history), rounds the item off against the template, and puts the case in monitoring.
 */
test.use({ actionTimeout: 10_000 });

interface Journey {
	name: string;
	table: string;
	aanmelder: string;
	chair: { login: string; name: string };
	/** who triages, when not the chair */
	triager?: string;
	deelnemer: { login: string; name: string; organisation: string };
	subject: { kind: string; name: string; birthdate: string };
	invite: string[];
	legalFrame: RegExp;
	title: string;
	/** fills the table's template on the chair's laptop; the deelnemer sees it arrive */
	template: (chair: Page, deelnemer: Page) => Promise<void>;
	/** what the closing panel quotes from the template */
	requirement: RegExp;
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** A co-edited text on the meeting page: typed by one, seen by the other. */
async function coEdit(writer: Page, reader: Page, label: string, text: string) {
	await writer.getByLabel(label, { exact: true }).fill(text);
	await expect(reader.getByLabel(label, { exact: true })).toHaveValue(text);
}

const JOURNEYS: Journey[] = [
	{
		name: 'Overleg Passende Hulp: advies over passende hulp',
		table: 'Overleg Passende Hulp Regio Voorbeeld',
		aanmelder: 'linda',
		chair: { login: 'mehmet', name: 'Mehmet Yilmaz' },
		deelnemer: { login: 'deelnemer', name: 'Fatima El Amrani', organisation: 'Sociaal Team Voorbeeld' },
		subject: { kind: 'jeugdige', name: 'Timo Verzinsel', birthdate: '2015-03-03' },
		invite: ['Scholengroep Voorbeeld'],
		legalFrame: /^Vrijwillig/,
		title: 'Kind van 11, uithuisplaatsing dreigt',
		requirement: /Een advies over passende hulp/,
		template: async (chair, deelnemer) => {
			await coEdit(chair, deelnemer, 'Situatie', 'Moeder kan de zorg niet meer aan; school meldt verzuim.');
			await coEdit(deelnemer, chair, 'Advies over passende hulp', 'Intensieve ambulante gezinsbehandeling thuis, met een plek voor respijtzorg in het weekend.');
		}
	},
	{
		name: 'Top 150: situatie, SMART-doelen per leefgebied en plan van aanpak',
		table: 'Top 150 Regio Voorbeeld',
		aanmelder: 'tom',
		chair: { login: 'voorzitter', name: 'Hanna de Vries' },
		triager: 'secretaris',
		deelnemer: { login: 'geen-toegang', name: 'Pieter Smit', organisation: 'Politie Eenheid Voorbeeld' },
		subject: { kind: 'persoon', name: 'Bas Bedacht', birthdate: '1995-07-07' },
		invite: ['Politie Eenheid Voorbeeld', 'GGZ Voorbeeld'],
		legalFrame: /^Strafrecht/,
		title: 'Volwassene, geweld en verward gedrag',
		requirement: /SMART-doelen per leefgebied/,
		template: async (chair, deelnemer) => {
			await coEdit(deelnemer, chair, 'Situatie', 'Negen incidenten in een half jaar, geen vaste woonplek, stopt steeds met behandeling.');
			await coEdit(chair, deelnemer, 'Wonen', 'Binnen 8 weken een vaste woonplek via de woningcorporatie.');
			await coEdit(chair, deelnemer, 'Integraal plan van aanpak', 'Voorwaardelijk sepot met verplichte behandeling; politie en GGZ houden wekelijks contact.');
		}
	},
	{
		name: 'Tussen Wal en Schip: afspraken per leefthema en Jeugdwet of Wmo',
		table: 'Tussen Wal en Schip Regio Voorbeeld',
		aanmelder: 'anouk',
		chair: { login: 'mehmet', name: 'Mehmet Yilmaz' },
		deelnemer: { login: 'bram', name: 'Bram Kok', organisation: 'Woonstichting Voorbeeld' },
		subject: { kind: 'jeugdige', name: 'Noah Bedenksel', birthdate: '2008-12-01' },
		invite: ['Woonstichting Voorbeeld'],
		legalFrame: /^Vrijwillig/,
		title: 'Jongere van 17, verblijf stopt bij 18',
		requirement: /Afspraken op elk leefthema/,
		template: async (chair, deelnemer) => {
			const themes: [string, string][] = [
				['Support', 'Mentor uit het netwerk blijft na 18 betrokken.'],
				['Wonen', 'Kamer in een begeleid-wonenproject vanaf de verjaardag.'],
				['Inkomen', 'Aanvraag studiefinanciering en zorgtoeslag voor 1 januari.'],
				['Onderwijs & werk', 'Mbo-opleiding afmaken, stage bij de gemeente.'],
				['Zorg & Welzijn', 'Behandeling loopt door bij dezelfde behandelaar.']
			];
			for (const [theme, text] of themes) await coEdit(chair, deelnemer, theme, text);
			await chair.getByRole('group', { name: 'Wie betaalt de begeleiding?' }).getByLabel('Wmo').check();
			await expect(deelnemer.getByRole('group', { name: 'Wie betaalt de begeleiding?' }).getByLabel('Wmo')).toBeChecked();
		}
	},
	{
		name: 'Jeugdbeschermingstafel: de zorgen en wat moet gebeuren, met ouders en kind aan tafel',
		table: 'Jeugdbeschermingstafel Regio Voorbeeld',
		aanmelder: 'kees',
		chair: { login: 'noor', name: 'Noor Hendriks' },
		deelnemer: { login: 'eva', name: 'Eva de Jong', organisation: 'Jeugdbescherming Voorbeeld' },
		subject: { kind: 'gezin', name: 'Gezin Reisverhaal', birthdate: '' },
		invite: ['Jeugdbescherming Voorbeeld', 'Sociaal Team Voorbeeld'],
		legalFrame: /^Gedwongen kader/,
		title: 'Gezin, zorgen over veiligheid van twee kinderen',
		requirement: /wat er moet gebeuren om ze weg te nemen/,
		template: async (chair, deelnemer) => {
			await coEdit(chair, deelnemer, 'Zorgen over ontwikkeling en veiligheid', 'Vader is twee keer handtastelijk geweest; de oudste (14) blijft weg van school.');
			await coEdit(deelnemer, chair, 'Wat moet er gebeuren om de zorgen weg te nemen?', 'Vader start binnen twee weken met agressieregulatie; er komt een veiligheidsplan.');
			// the family at the table, within the age rule, and in their own words
			const family = chair.getByRole('region', { name: 'Aan tafel van de kant van de cliënt' });
			await family.getByLabel('Wie').selectOption({ label: 'Jeugdige' });
			await family.getByLabel('Naam of omschrijving').fill('Jongste zoon');
			await family.getByLabel(/Leeftijd/).fill('10');
			await family.getByRole('button', { name: 'Aanwezig', exact: true }).click();
			await expect(family.getByRole('alert')).toContainText('vanaf 12 jaar');
			await family.getByLabel('Naam of omschrijving').fill('Oudste dochter');
			await family.getByLabel(/Leeftijd/).fill('14');
			await family.getByRole('button', { name: 'Aanwezig', exact: true }).click();
			await family.getByLabel('Wie').selectOption({ label: 'Ouder of verzorger' });
			await family.getByLabel('Naam of omschrijving').fill('Moeder');
			await family.getByLabel(/Leeftijd/).fill('');
			await family.getByRole('button', { name: 'Aanwezig', exact: true }).click();
			await expect(deelnemer.getByTestId('attendees')).toContainText('Oudste dochter');
			await expect(deelnemer.getByTestId('attendees')).toContainText('Moeder');
			await expect(deelnemer.getByTestId('attendees')).not.toContainText('Jongste zoon');
			await coEdit(deelnemer, chair, 'Wat wil de jongere? (in eigen woorden)', '"Ik wil dat het thuis rustig is en dat papa hulp krijgt."');
			// the shared screen, in the restricted mode for when the family is in the room: their
			// words and who came stay, the case's other sections go
			const screen = await chair.context().newPage();
			await screen.setViewportSize(VIEWPORTS.projector);
			await screen.goto(`${new URL(chair.url()).pathname}/scherm`);
			await hydrated(screen);
			await screen.keyboard.press('b');
			const voice = screen.getByRole('region', { name: 'De stem van de familie' });
			await expect(voice).toContainText('Oudste dochter (jeugdige)');
			await expect(voice).toContainText('Ik wil dat het thuis rustig is en dat papa hulp krijgt.');
			await expect(screen.getByText('Vader is twee keer handtastelijk geweest')).toHaveCount(0);
			await expectNoAxeViolations(screen);
			await screenshot(screen, 'reis-jeugdbeschermingstafel-scherm-beperkt');
			await screen.close();
		}
	}
];

async function person(browser: Browser, who: string): Promise<{ context: BrowserContext; page: Page }> {
	const context = await browser.newContext({ viewport: VIEWPORTS.laptop });
	const page = await context.newPage();
	await login(page, `${who}@casustafel.example`);
	return { context, page };
}

for (const j of JOURNEYS) {
	test(j.name, async ({ browser }) => {
		test.setTimeout(150_000);
		const open: BrowserContext[] = [];
		const slug = j.table.split(' ')[0]!.toLowerCase();
		try {
			// ---- 1. aanmelding ----
			const aanmelder = await person(browser, j.aanmelder);
			open.push(aanmelder.context);
			await test.step(`${j.aanmelder} dient een verzoek tot bespreking in`, async () => {
				const page = aanmelder.page;
				await page.goto('/aanmelden');
				await hydrated(page);
				await page.getByLabel('Overlegtafel').selectOption({ label: j.table });
				await page.getByLabel('Soort').selectOption(j.subject.kind);
				await page.getByLabel('Naam', { exact: true }).fill(j.subject.name);
				if (j.subject.birthdate) await page.getByLabel('Geboortedatum (niet verplicht)').fill(j.subject.birthdate);
				await page.getByLabel('Waarom meldt u deze casus aan?').fill('De hulp loopt vast en de situatie wordt onveiliger; wat we probeerden werkte niet.');
				await page.getByLabel('Vraag aan de tafel').fill('Welke aanpak past, en wie neemt de regie?');
				for (const org of j.invite) await page.getByLabel(org, { exact: true }).check();
				await page.getByLabel(j.legalFrame).check();
				await page.getByLabel('Weten de betrokkenen van de aanmelding?').fill('Ja, besproken met de betrokkenen.');
				await page.getByRole('button', { name: 'Verzoek indienen' }).click();
				await expect(page.getByRole('status').filter({ hasText: 'Uw verzoek is ingediend' })).toBeVisible();
				await screenshot(page, `reis-${slug}-1-aangemeld`);
			});

			// ---- 2. triage ----
			const chair = await person(browser, j.chair.login);
			open.push(chair.context);
			let tablePath = '';
			let meetingId = '';
			let code = '';
			const triager = j.triager ? await person(browser, j.triager) : chair;
			if (j.triager) open.push(triager.context);
			await test.step(`${j.triager ?? j.chair.login} accepteert het verzoek in de triage`, async () => {
				const page = triager.page;
				await page.getByRole('link', { name: j.table }).first().click();
				await page.waitForURL(/\/tafels\/\d+$/);
				tablePath = new URL(page.url()).pathname;
				if (j.table.startsWith('Top 150')) await expect(page.getByText(/Caseload: \d+ van 150/)).toBeVisible();
				await page.getByRole('link', { name: /Triage \(\d+ wachtend\)/ }).click();
				await hydrated(page);
				const item = page.getByRole('article', { name: new RegExp(j.subject.name) });
				await item.getByLabel(/Korte omschrijving voor de agenda/).fill(j.title);
				// the last planned meeting: the first is the one other browser tests run and close
				const meeting = item.getByLabel(/Inplannen op overleg/);
				const options = await meeting.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
				meetingId = options.at(-1)!;
				await meeting.selectOption(meetingId);
				await item.getByRole('button', { name: /^Accepteren/ }).click();
				const done = page.getByRole('status').filter({ hasText: /Geaccepteerd als [A-Z0-9]+-\d{4}-\d{3}/ });
				await expect(done).toBeVisible();
				code = /([A-Z0-9]+-\d{4}-\d{3})/.exec((await done.textContent()) ?? '')![1]!;
				await screenshot(page, `reis-${slug}-2-triage`);
			});

			// ---- 3. the live meeting ----
			const deelnemer = await person(browser, j.deelnemer.login);
			open.push(deelnemer.context);
			await test.step('voorzitter en deelnemer openen het overleg; de casus staat op de agenda', async () => {
				for (const p of [chair.page, deelnemer.page]) {
					await p.goto(`/overleg/${meetingId}`);
					await hydrated(p);
					await expect(p.getByRole('region', { name: 'Agenda', exact: true })).toContainText(code);
				}
				await chair.page.getByRole('button', { name: `Nu bespreken: ${code}` }).click();
				for (const p of [chair.page, deelnemer.page]) {
					await expect(p.locator('#punt-kop')).toHaveText(`${code}: ${j.title}`);
				}
			});

			await test.step('samen het sjabloon van deze tafel invullen', async () => {
				await j.template(chair.page, deelnemer.page);
			});

			await test.step('de voorzitter kiest de casusregisseur; de deelnemer ziet het binnen een seconde, met de geschiedenis', async () => {
				const option = `${j.deelnemer.name} (${j.deelnemer.organisation})`;
				await chair.page.getByLabel('Casusregisseur kiezen').selectOption({ label: option });
				await expect(deelnemer.page.getByTestId('regie-casusregisseur')).toContainText(`${j.deelnemer.name}, ${j.deelnemer.organisation}`, { timeout: 1_000 });
				await deelnemer.page.getByText(/Geschiedenis van de regie/).click();
				await expect(deelnemer.page.locator('.history li').first()).toContainText(`besloten door ${j.chair.name} in het overleg van`);
				// the chair's reminder of cases without casusregisseur no longer names this one
				await expect
					.poll(async () => (await chair.page.getByTestId('regie-waarschuwing').allTextContents()).join(' '))
					.not.toContain(code);
			});

			await test.step('de voorzitter rondt het punt af: het sjabloon is compleet', async () => {
				await chair.page.getByRole('group', { name: 'Bediening voorzitter' }).getByRole('button', { name: 'Punt afronden' }).click();
				await expect(chair.page.getByRole('form', { name: 'Agendapunt afronden' })).toContainText(j.requirement);
				await expect(chair.page.getByTestId('template-check')).toHaveText('De uitkomst voldoet aan wat deze tafel vraagt.');
				await expectNoAxeViolations(chair.page);
				await screenshot(chair.page, `reis-${slug}-3-afronden`);
				await chair.page.getByRole('button', { name: 'Afronden', exact: true }).click();
				await expect(chair.page.getByTestId('punt-afgerond')).toContainText(`Afgerond door ${j.chair.name}.`);
				await expect(deelnemer.page.getByRole('region', { name: 'Agenda', exact: true }).locator('li').filter({ hasText: code })).toContainText('Afgerond');
				await expectNoAxeViolations(deelnemer.page);
				await screenshot(deelnemer.page, `reis-${slug}-4-deelnemer`);
			});

			// ---- 4. monitoring ----
			await test.step('de voorzitter zet de casus in monitoring met een moment van tussentijds toetsen', async () => {
				const page = chair.page;
				await page.goto(tablePath);
				await page.getByRole('region', { name: 'Casussen' }).getByRole('link', { name: code }).click();
				await hydrated(page);
				const phase = page.getByRole('region', { name: 'Fase en opvolging' });
				await expect(phase).toContainText('Besproken');
				await phase.getByLabel(/^Monitoring/).check();
				await phase.getByLabel(/Tussentijds toetsen op/).fill(inDays(42));
				await phase.getByRole('button', { name: 'Fase opslaan' }).click();
				await expect(phase.getByRole('status').filter({ hasText: /monitoring/i })).toBeVisible();
				await page.reload();
				await expect(page.getByRole('region', { name: 'Fase en opvolging' })).toContainText('Monitoring');
				await expect(page.getByRole('region', { name: 'Regie' })).toContainText(j.deelnemer.name);
				await expectNoAxeViolations(page);
				await screenshot(page, `reis-${slug}-5-monitoring`);
			});

			await test.step(`${j.aanmelder} ziet dat het verzoek is geaccepteerd`, async () => {
				await aanmelder.page.goto('/aanmelden');
				const row = aanmelder.page.getByRole('region', { name: 'Mijn aanmeldingen' }).getByRole('row').filter({ hasText: j.subject.name });
				await expect(row).toContainText('Geaccepteerd');
			});
		} finally {
			for (const context of open) await context.close();
		}
	});
}
