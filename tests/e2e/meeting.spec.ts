import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { VIEWPORTS, expectNoAxeViolations, loggedInPage, openMeetingOnAnotherDay, screenshot, type Role } from './helpers';

/**
 * One live meeting of Top 150 from start to close, with five browsers at once: the voorzitter's
 * laptop, the shared screen (the voorzitter's second login, on a projector), and the laptops of
 * a deelnemer (Sociaal Team: access to T150-2026-014 only), the secretaris (ZVH: chair role,
 * sees every case) and a deelnemer of the police (access to T150-2026-015 only).
 *
 * The steps share one meeting and build on each other, so they are one test. The meeting is the
 * first upcoming ('Gepland') meeting of Top 150; no other spec uses meetings. Serial, so that a
 * future fullyParallel cannot split the file over workers that would share that meeting.
 */
test.describe.configure({ mode: 'serial' });
// a click on something that is not there fails after 10 s instead of at the end of the test
test.use({ actionTimeout: 10_000 });

const TOP150 = 'Top 150 Regio Voorbeeld';
const CASE_A = { code: 'T150-2026-014', title: 'Jongvolwassene, herhaalde inbraken en schulden' };
const CASE_B = { code: 'T150-2026-015', title: 'Overlast in de wijk, verslaving' };
const NO_ACCESS = 'Uw organisatie heeft geen toegang tot deze casus';

/** What each writer types into the same field at the same moment. */
const SENTENCES = {
	voorzitter: ' Voorzitter: huur is drie maanden achter, de woningcorporatie wil ontbinden.',
	deelnemer: ' Sociaal Team: budgetbeheer is aangevraagd en start volgende week.',
	secretaris: ' Secretaris: melding van de wijkagent over nachtelijke overlast staat in het dossier.'
} as const;

interface Laptop {
	context: BrowserContext;
	page: Page;
}

const status = (page: Page) => page.getByTestId('meeting-status');
const itemHeading = (page: Page) => page.locator('#punt-kop');
const caseField = (page: Page, field: string) => page.locator(`#veld-${field}`);
const screenHeading = (screen: Page) => screen.getByRole('main').getByRole('heading', { level: 2 });
const screenSection = (screen: Page, title: string): Locator =>
	screen.getByRole('main').locator('section').filter({ has: screen.getByRole('heading', { level: 3, name: title, exact: true }) });
const screenActions = (screen: Page) => screen.getByRole('main').getByRole('table');
const plannedOnScreen = (screen: Page) => screen.locator('.timer .planned');

test('een overleg van openen tot sluiten, met gedeeld scherm en drie laptops', async ({ browser }) => {
	test.setTimeout(180_000);
	const open: BrowserContext[] = [];
	const laptop = async (role: Role): Promise<Laptop> => {
		const l = await loggedInPage(browser, role, { viewport: VIEWPORTS.laptop });
		open.push(l.context);
		return l;
	};

	try {
		// ---- 1. the voorzitter prepares and opens the meeting ----
		const chair = await laptop('voorzitter');
		let meetingPath = '';
		await test.step('voorzitter kiest een gepland overleg van Top 150', async () => {
			await chair.page.getByRole('region', { name: 'Mijn overlegtafels' }).getByRole('link', { name: TOP150 }).click();
			await expect(chair.page.getByRole('heading', { level: 1 })).toHaveText(TOP150);
			const planned = chair.page
				.getByRole('region', { name: 'Overleggen' })
				.getByRole('listitem')
				.filter({ hasText: 'Gepland' })
				.first();
			meetingPath = (await planned.getByRole('link').first().getAttribute('href')) ?? '';
			expect(meetingPath).toMatch(/^\/overleg\/\d+$/);
			await chair.page.goto(meetingPath);
			await expect(chair.page.getByRole('heading', { level: 1 })).toHaveText(TOP150);
			await expect(status(chair.page)).toHaveText('Nog niet geopend');
		});

		await test.step('voorzitter zet twee casussen op de agenda en opent het overleg', async () => {
			const agenda = chair.page.getByRole('region', { name: 'Agenda' });
			for (const c of [CASE_A, CASE_B]) {
				await chair.page.locator('#agenda-casus').selectOption({ label: `${c.code}: ${c.title}` });
				await chair.page.getByRole('button', { name: 'Op de agenda' }).click();
				await expect(agenda.getByRole('listitem').filter({ hasText: c.code })).toBeVisible();
			}
			await expect(agenda.getByRole('listitem')).toHaveCount(2);
			// what is on the agenda can no longer be chosen
			await expect(chair.page.locator('#agenda-casus option')).toHaveText(['Kies een casus', /^T150-2026-016: /]);
			await openMeetingOnAnotherDay(chair.page);
			await expect(status(chair.page)).toHaveText('Overleg loopt');
			await expect(chair.page.getByRole('button', { name: 'Overleg openen' })).toHaveCount(0);
		});

		const screen = await test.step('voorzitter opent het gedeelde scherm op de projector', async () => {
			const s = await loggedInPage(browser, 'voorzitter', { viewport: VIEWPORTS.projector });
			open.push(s.context);
			await s.page.goto(`${meetingPath}/scherm`);
			await expect(s.page.getByRole('heading', { level: 1 })).toHaveText(TOP150);
			await expect(s.page.getByRole('navigation', { name: 'Agenda' }).getByRole('listitem')).toHaveCount(2);
			await expect(screenHeading(s.page)).toHaveText('Nog geen agendapunt');
			return s.page;
		});

		// ---- 2. three participants follow on their laptops ----
		const [deelnemer, secretaris, politie] = await test.step('drie deelnemers openen het overleg', async () => {
			const laptops = await Promise.all([laptop('deelnemer'), laptop('secretaris'), laptop('geen-toegang')]);
			for (const l of laptops) {
				await l.page.goto(meetingPath);
				await expect(status(l.page)).toHaveText('Overleg loopt');
				await expect(l.page.getByRole('region', { name: 'Agenda' }).getByRole('listitem')).toHaveCount(2);
			}
			// the voorzitter (twice: laptop and screen), deelnemer, secretaris and the police
			await expect(chair.page.getByRole('heading', { name: 'Aanwezig (4)' })).toBeVisible();
			// only voorzitter and secretaris get the chair's tools
			await expect(laptops[0].page.getByRole('group', { name: 'Bediening voorzitter' })).toHaveCount(0);
			await expect(laptops[0].page.locator('#agenda-casus')).toHaveCount(0);
			await expect(laptops[2].page.getByRole('group', { name: 'Bediening voorzitter' })).toHaveCount(0);
			await expect(laptops[1].page.getByRole('group', { name: 'Bediening voorzitter' })).toBeVisible();
			return laptops;
		});
		const laptops = [chair, deelnemer, secretaris, politie];

		// ---- 3. the first case, and three people typing in one field ----
		await test.step('voorzitter bespreekt T150-2026-014; scherm en laptops volgen', async () => {
			await chair.page.getByRole('button', { name: new RegExp(`^Nu bespreken\\s*:\\s*${CASE_A.code}$`) }).click();
			// the police are in the room without access: the screen shows the code only
			await expect(screenHeading(screen)).toHaveText(CASE_A.code);
			await expect(screen.getByRole('navigation', { name: 'Agenda' }).locator('[aria-current="step"]')).toContainText(CASE_A.code);
			// the case's title is case content: on the laptops of those with access only
			for (const l of [chair, deelnemer, secretaris]) await expect(itemHeading(l.page)).toHaveText(`${CASE_A.code}: ${CASE_A.title}`);
			await expect(itemHeading(politie.page)).toHaveText(CASE_A.code);
			await expect(politie.page.getByText(CASE_A.title)).toHaveCount(0);
			await screenshot(politie.page, 'meeting-politie-zonder-toegang');
			for (const l of [chair, deelnemer, secretaris]) {
				await expect(l.page.getByText('Casus laden…')).toHaveCount(0);
				await expect(caseField(l.page, 'situatie')).toBeEditable();
			}
			await expect(politie.page.getByText(NO_ACCESS)).toBeVisible();
			await expect(caseField(politie.page, 'situatie')).toHaveCount(0);
		});

		await test.step('de politie zit zonder toegang in de ruimte: het scherm is beperkt tot hij vertrekt', async () => {
			await expect(screen.getByTestId('scherm-beperkt')).toHaveText('Politie Eenheid Voorbeeld heeft geen toegang: beperkte weergave');
			await expect(chair.page.getByTestId('beperkt-melding')).toBeVisible();
			await chair.page.getByRole('button', { name: 'Pieter Smit verlaat de ruimte bij dit punt' }).click();
			await expect(screen.getByTestId('scherm-beperkt')).toHaveCount(0);
			await expect(chair.page.getByTestId('beperkt-melding')).toHaveCount(0);
		});

		await test.step('014 is een terugkomcasus: de open acties en het verslag van de vorige bespreking komen mee', async () => {
			const back = deelnemer.page.getByTestId('terugkomcasus');
			await expect(back).toContainText('Terugkomcasus: besproken op');
			await expect(back).toContainText('Meegenomen open acties (2)');
			await expect(back).toContainText('Intake verslavingszorg plannen');
			await expect(back).toContainText('Aanmelding schuldhulpverlening afronden');
			await expect(back).not.toContainText('Tijdelijke woonplek regelen'); // done before
			await expect(back).toContainText('het OM wacht met vervolging');
		});

		await test.step('voorzitter, deelnemer en secretaris typen tegelijk in Situatie', async () => {
			const start = 'Rens woont sinds maart zelfstandig.';
			await caseField(chair.page, 'situatie').fill(start);
			for (const l of [deelnemer, secretaris]) await expect(caseField(l.page, 'situatie')).toHaveValue(start);

			const writers = [
				{ page: chair.page, text: SENTENCES.voorzitter },
				{ page: deelnemer.page, text: SENTENCES.deelnemer },
				{ page: secretaris.page, text: SENTENCES.secretaris }
			];
			for (const w of writers) {
				await caseField(w.page, 'situatie').click();
				await w.page.keyboard.press('Control+End');
			}
			await Promise.all(writers.map((w) => w.page.keyboard.type(w.text, { delay: 25 })));

			const values = () => Promise.all(writers.map((w) => caseField(w.page, 'situatie').inputValue()));
			await expect
				.poll(async () => new Set(await values()).size, { message: 'the three laptops converge on one text' })
				.toBe(1);
			const [merged] = await values();
			expect(merged, 'the text from before stays first').toMatch(new RegExp(`^${start.replace(/\./g, '\\.')}`));
			// soft: when sentences get mixed up, the rest of the meeting is still worth testing
			for (const [who, sentence] of Object.entries(SENTENCES)) {
				expect.soft(merged, `${who}'s sentence is intact in:\n${merged}`).toContain(sentence);
			}
			expect(merged).toHaveLength(start.length + Object.values(SENTENCES).join('').length);
			await expect(screenSection(screen, 'Situatie').locator('p')).toHaveText(merged!);
		});

		// ---- 4. an action, masked on the screen; names and restricted mode ----
		await test.step('deelnemer voegt een actie toe; het scherm toont die binnen een seconde', async () => {
			const form = deelnemer.page.locator('form.add-action');
			await form.locator('#actie-tekst').fill('Budgetbeheer regelen met de kredietbank');
			await form.locator('#actie-houder').selectOption({ label: 'Fatima El Amrani (Sociaal Team Voorbeeld)' });
			await form.locator('#actie-deadline').fill('2026-06-30');
			await form.getByRole('button', { name: 'Toevoegen', exact: true }).click();
			await expect(form.locator('#actie-tekst')).toHaveValue('');

			const row = screenActions(screen).getByRole('row').filter({ hasText: 'Budgetbeheer regelen met de kredietbank' });
			await expect(row).toBeVisible({ timeout: 1_000 });
			await expect(row.getByRole('cell')).toHaveText([
				'Budgetbeheer regelen met de kredietbank',
				'F.E.A., Sociaal Team Voorbeeld',
				'30 jun 2026',
				'Open'
			]);
			// the other laptops get it too
			await expect(chair.page.locator('table.actions').getByRole('row').filter({ hasText: 'Budgetbeheer' })).toContainText('Fatima El Amrani');
			await expect(screenSection(screen, 'Situatie')).toBeVisible();
			await screenshot(screen, 'meeting-scherm');

			await screen.keyboard.press('n');
			await expect(row.getByRole('cell').nth(1)).toHaveText('Fatima El Amrani, Sociaal Team Voorbeeld');
			await expect(screen.getByRole('button', { name: 'Namen tonen (N)' })).toHaveAttribute('aria-pressed', 'true');

			await screen.keyboard.press('b');
			await expect(screen.getByRole('button', { name: 'Beperkte weergave (B)' })).toHaveAttribute('aria-pressed', 'true');
			await expect(screenSection(screen, 'Situatie')).toHaveCount(0);
			await expect(screen.getByText('Rens woont sinds maart')).toHaveCount(0);
			await expect(screenHeading(screen)).toHaveText(CASE_A.title);
			await expect(row).toBeVisible();
			// restricted: no other cases on the agenda, and names stay masked even if revealed before
			await expect(screen.getByRole('navigation', { name: 'Agenda' })).toHaveCount(0);
			await expect(screen.getByText(CASE_B.title)).toHaveCount(0);
			await expect(row.getByRole('cell').nth(1)).toHaveText('F.E.A., Sociaal Team Voorbeeld');
			await screenshot(screen, 'meeting-scherm-beperkt');

			// back to the normal view, names masked again
			await screen.keyboard.press('b');
			await screen.keyboard.press('n');
			await expect(screenSection(screen, 'Situatie')).toBeVisible();
			await expect(row.getByRole('cell').nth(1)).toHaveText('F.E.A., Sociaal Team Voorbeeld');
		});

		await test.step('voorzitter legt een besluit vast bij 014: wie de casus mag zien leest het, de politie niet', async () => {
			const decision = 'Budgetbeheer gaat voor: de woningcorporatie wacht met ontbinden tot 1 juli.';
			await chair.page.getByLabel('Besluit vastleggen').fill(decision);
			await chair.page.getByRole('button', { name: 'Vastleggen', exact: true }).click();
			await expect(chair.page.getByLabel('Besluit vastleggen')).toHaveValue('');
			for (const l of [chair, deelnemer, secretaris]) {
				await expect(l.page.getByTestId('besluiten')).toContainText(decision);
			}
			// the police laptop shows no decisions of 014, not even the heading; the notes say they are general
			await expect(politie.page.getByTestId('besluiten')).toHaveCount(0);
			await expect(politie.page.getByText(decision)).toHaveCount(0);
			await expect(politie.page.getByText('Zichtbaar voor alle leden; geen casusinformatie.')).toBeVisible();
		});

		await test.step('toegankelijkheid en schermafdrukken tijdens de bespreking', async () => {
			await expectNoAxeViolations(chair.page, { soft: true });
			await expectNoAxeViolations(deelnemer.page, { soft: true });
			await expectNoAxeViolations(screen, { soft: true });
			await screenshot(chair.page, 'meeting-voorzitter');
			await screenshot(deelnemer.page, 'meeting-deelnemer');
		});

		// ---- 5. the next item, from the screen's keyboard ----
		await test.step('voorzitter drukt → op het scherm: iedereen gaat naar T150-2026-015', async () => {
			await screen.keyboard.press('ArrowRight');
			// the Sociaal Team has no access to 015: restricted (the code only) until the chair marks it out
			await expect(screenHeading(screen)).toHaveText(CASE_B.code);
			await expect(screen.getByTestId('scherm-beperkt')).toHaveText('Sociaal Team Voorbeeld heeft geen toegang: beperkte weergave');
			await chair.page.getByRole('button', { name: 'Fatima El Amrani verlaat de ruimte bij dit punt' }).click();
			await expect(screen.getByTestId('scherm-beperkt')).toHaveCount(0);
			await expect(screenHeading(screen)).toHaveText(`${CASE_B.code}: ${CASE_B.title}`);
			// moving on is not rounding off: that is a decision of its own
			const screenAgenda = screen.getByRole('navigation', { name: 'Agenda' });
			await expect(screenAgenda.getByRole('listitem').filter({ hasText: CASE_A.code })).not.toContainText('Afgerond');
			// A on the screen: 015 has no casusregisseur and no plan yet, so the server asks for reasons
			await screen.keyboard.press('a');
			await expect(screen.getByRole('alert')).toContainText('nog geen casusregisseur');
			await expect(screenAgenda.getByRole('listitem').filter({ hasText: CASE_B.code })).not.toContainText('Afgerond');
			await chair.page.getByRole('group', { name: 'Bediening voorzitter' }).getByRole('button', { name: 'Punt afronden' }).click();
			await expect(chair.page.getByTestId('template-check')).toContainText('Situatie is nog leeg.');
			await chair.page.getByLabel('Reden om toch af te ronden').fill('De politie levert de situatie volgende week aan.');
			await chair.page.getByLabel('Waarom wordt het punt afgerond zonder casusregisseur?').fill('Het OM en de politie kiezen samen een regisseur.');
			await chair.page.getByRole('button', { name: 'Afronden', exact: true }).click();
			await expect(screenAgenda.getByRole('listitem').filter({ hasText: CASE_B.code })).toContainText('Afgerond');
			await expect(chair.page.getByTestId('punt-afgerond')).toContainText('Het OM en de politie kiezen samen een regisseur.');
			// the reasons are about 015: the police (access) read them, the Sociaal Team (no access) only that it closed
			await expect(politie.page.getByTestId('punt-afgerond')).toContainText('Het OM en de politie kiezen samen een regisseur.');
			await expect(deelnemer.page.getByTestId('punt-afgerond')).toBeVisible();
			await expect(deelnemer.page.getByTestId('punt-afgerond')).not.toContainText('kiezen samen een regisseur');
			await expect(deelnemer.page.getByTestId('punt-afgerond')).not.toContainText('De politie levert de situatie');
			for (const l of [chair, politie]) await expect(itemHeading(l.page)).toHaveText(`${CASE_B.code}: ${CASE_B.title}`);
			// the Sociaal Team has no access to 015: the code, not the case's title
			await expect(itemHeading(deelnemer.page)).toHaveText(CASE_B.code);
			// the police have access to 015
			await expect(politie.page.getByText(NO_ACCESS)).toHaveCount(0);
			await expect(caseField(politie.page, 'situatie')).toBeEditable();
			await expect(politie.page.locator('table.actions')).toBeVisible();
			// the Sociaal Team has not
			await expect(deelnemer.page.getByText(NO_ACCESS)).toBeVisible();
			await expect(caseField(deelnemer.page, 'situatie')).toHaveCount(0);
			await expect(deelnemer.page.locator('table.actions')).toHaveCount(0);
			// nothing of 014 stays on the screen
			await expect(screen.getByText('Budgetbeheer regelen met de kredietbank')).toHaveCount(0);
			await screenshot(deelnemer.page, 'meeting-deelnemer-geen-toegang');
			await screenshot(politie.page, 'meeting-politie');
		});

		// ---- 6. the timer ----
		await test.step('de timer loopt op het scherm; 5 minuten erbij verlengt de geplande tijd', async () => {
			await expect(screen.locator('.timer')).toBeVisible();
			await expect(plannedOnScreen(screen)).toHaveText('/ 15:00');
			await expect(screen.locator('.timer .state')).toHaveText('Loopt');
			const first = await screen.locator('.timer .elapsed').textContent();
			await expect(screen.locator('.timer .elapsed')).not.toHaveText(first!, { timeout: 3_000 });
			await chair.page.getByRole('button', { name: '5 minuten erbij' }).click();
			await expect(plannedOnScreen(screen)).toHaveText('/ 20:00');
			await expect(chair.page.locator('.timer .planned')).toHaveText('/ 20:00');
		});

		// ---- 7. closing ----
		await test.step('voorzitter sluit het overleg; alles wordt alleen-lezen', async () => {
			await chair.page.getByRole('button', { name: 'Overleg sluiten' }).click();
			await chair.page.getByRole('dialog', { name: 'Overleg sluiten?' }).getByRole('button', { name: 'Overleg sluiten' }).click();
			for (const l of laptops) {
				await expect(status(l.page)).toHaveText('Overleg gesloten');
				await expect(l.page.getByText('Dit overleg is gesloten.')).toBeVisible();
				await expect(l.page.getByRole('group', { name: 'Bediening voorzitter' })).toHaveCount(0);
				await expect(l.page.locator('#agenda-casus')).toHaveCount(0);
				await expect(l.page.getByRole('button', { name: /^Nu bespreken/ })).toHaveCount(0);
				await expect(l.page.getByRole('button', { name: /^Van agenda/ })).toHaveCount(0);
				await expect(caseField(l.page, 'notes')).not.toBeEditable();
				await expect(l.page.locator('#besluit')).toHaveCount(0);
			}
			await expect(chair.page.getByRole('button', { name: '5 minuten erbij' })).toHaveCount(0);
			// the screen says so, and the chair's buttons are gone there too
			await expect(screen.getByTestId('meeting-status')).toHaveText('Overleg gesloten');
			await expect(screen.getByRole('button', { name: 'Volgende (→)' })).toHaveCount(0);
			// a closed meeting has no clock any more, not even a paused one
			await expect(screen.locator('.timer')).toHaveCount(0);
			// the arrow keys no longer move the meeting
			await screen.keyboard.press('ArrowLeft');
			await expect(screenHeading(screen)).toHaveText(`${CASE_B.code}: ${CASE_B.title}`);
			// the end screen lists the case rounded off without a casusregisseur; 014 has one
			for (const p of [screen, chair.page]) {
				await expect(p.getByTestId('zonder-regisseur')).toContainText(CASE_B.code);
				await expect(p.getByTestId('zonder-regisseur')).not.toContainText(CASE_A.code);
			}
			await screenshot(chair.page, 'meeting-voorzitter-gesloten');
			await screenshot(screen, 'meeting-scherm-gesloten');
		});
	} finally {
		for (const context of open) await context.close();
	}
});
