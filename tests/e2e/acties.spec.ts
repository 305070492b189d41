import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { expectNoAxeViolations, hydrated, loggedInPage, receivedMails, openMeetingOnAnotherDay, screenshot, type CaughtMail } from './helpers';

/**
 * Mijn acties in Chromium, as the actiehouder of an overdue action (the waarnemer) and as the
 * casemanager of T150-2026-014 (deelnemer@), with an action given to her in a live meeting that
 * appears on her open page by itself.
 *
 * The region is shared with the other specs: meeting.spec uses the first upcoming Top 150
 * meeting and expects T150-2026-014's seeded actions as seeded (two open, one done). So this
 * spec puts back what it changes in seeded actions, changes only the action it adds itself, and
 * uses the second upcoming Top 150 meeting.
 */
test.use({ actionTimeout: 10_000 });

const CASE = { code: 'T150-2026-014', title: 'Jongvolwassene, herhaalde inbraken en schulden' };
const INTAKE = 'Intake verslavingszorg plannen';
const SCHULD = 'Aanmelding schuldhulpverlening afronden';
const WOONPLEK = 'Tijdelijke woonplek regelen';
const NEW_ACTION = 'Afspraak bij de kredietbank voorbereiden';

const row = (page: Page, text: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${text}`) }) });
const group = (page: Page, name: RegExp) => page.getByRole('region', { name });

async function openActies(page: Page) {
	await page.getByRole('navigation', { name: 'Hoofdmenu' }).getByRole('link', { name: 'Mijn acties' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mijn acties');
	await hydrated(page);
}

test('de actiehouder ziet haar actie die te laat is, schrijft een notitie en zet hem op bezig', async ({ browser }) => {
	const { context, page } = await loggedInPage(browser, 'waarnemer');
	try {
		await openActies(page);
		const late = group(page, /^Te laat \(1\)$/);
		await expect(late).toBeVisible();
		const intake = row(page, INTAKE);
		await expect(late.getByRole('row').filter({ hasText: INTAKE })).toBeVisible();
		await expect(intake).toContainText('Te laat');
		await expect(intake).toContainText('3 dagen');
		await expect(intake.getByRole('link', { name: CASE.code })).toBeVisible();
		await expect(page.getByRole('list', { name: 'Aantallen' })).toContainText('1 te laat');
		// not a casemanager: no actiehouder column and no choice of whose actions
		await expect(page.getByRole('columnheader', { name: 'Actiehouder' })).toHaveCount(0);
		await expect(page.getByLabel('Welke acties')).toHaveCount(0);
		await expectNoAxeViolations(page);
		await screenshot(page, 'acties-waarnemer');

		const note = page.getByLabel(`Notitie bij ${INTAKE}`);
		await note.fill('Aangevraagd, de verslavingszorg belt deze week.');
		await page.getByRole('button', { name: `Opslaan notitie bij ${INTAKE}` }).click();
		await expect(page.getByRole('status').filter({ hasText: `De notitie bij “${INTAKE}” is opgeslagen.` })).toBeVisible();
		await expect(note).toHaveValue('Aangevraagd, de verslavingszorg belt deze week.');

		const status = page.getByLabel(`Status van ${INTAKE}`);
		await status.selectOption({ label: 'Bezig' });
		await page.getByRole('button', { name: `Opslaan status van ${INTAKE}` }).click();
		await expect(page.getByRole('status').filter({ hasText: `De status van “${INTAKE}” is nu bezig.` })).toBeVisible();
		// in progress and still overdue: it stays under "Te laat", with its note
		await expect(late.getByRole('row').filter({ hasText: INTAKE })).toBeVisible();
		await expect(status).toHaveValue('bezig');
		await expect(note).toHaveValue('Aangevraagd, de verslavingszorg belt deze week.');

		// the same after a reload: it is in the case document, not only on this page
		await page.reload();
		await hydrated(page);
		await expect(page.getByLabel(`Status van ${INTAKE}`)).toHaveValue('bezig');
		await expect(page.getByLabel(`Notitie bij ${INTAKE}`)).toHaveValue('Aangevraagd, de verslavingszorg belt deze week.');

		// a note that is too long (the field stops at 300, a script need not): a Dutch message, the text stays
		const long = 'Nog geen datum. '.repeat(20).trim();
		await page.getByLabel(`Notitie bij ${INTAKE}`).evaluate((el) => el.removeAttribute('maxlength'));
		await page.getByLabel(`Notitie bij ${INTAKE}`).fill(long);
		await page.getByRole('button', { name: `Opslaan notitie bij ${INTAKE}` }).click();
		await expect(page.getByRole('alert')).toHaveText(`${INTAKE}: Houd de notitie kort: hoogstens 300 tekens.`);
		await expect(page.getByLabel(`Notitie bij ${INTAKE}`)).toHaveValue(long);
		await expect(page.getByLabel(`Notitie bij ${INTAKE}`)).toHaveAttribute('aria-invalid', 'true');
		await expect(page.getByLabel(`Notitie bij ${INTAKE}`)).toHaveAccessibleDescription(/Houd de notitie kort: hoogstens 300 tekens\./);
		await expectNoAxeViolations(page);
		await screenshot(page, 'acties-waarnemer-te-lange-notitie');

		// put the seeded action back as it was (meeting.spec reads it)
		await page.getByLabel(`Notitie bij ${INTAKE}`).fill('');
		await page.getByRole('button', { name: `Opslaan notitie bij ${INTAKE}` }).click();
		await expect(page.getByRole('status').filter({ hasText: 'is weggehaald' })).toBeVisible();
		await page.getByLabel(`Status van ${INTAKE}`).selectOption({ label: 'Open' });
		await page.getByRole('button', { name: `Opslaan status van ${INTAKE}` }).click();
		await expect(page.getByRole('status').filter({ hasText: 'is nu open' })).toBeVisible();
	} finally {
		await context.close();
	}
});

test('de casemanager ziet alle acties van haar casus, en een nieuwe actie uit het overleg verschijnt vanzelf', async ({ browser }) => {
	test.setTimeout(90_000);
	const open: BrowserContext[] = [];
	try {
		const casemanager = await loggedInPage(browser, 'deelnemer');
		open.push(casemanager.context);
		const page = casemanager.page;

		await test.step('alle acties van T150-2026-014, met hun actiehouders', async () => {
			await openActies(page);
			await page.getByLabel('Status', { exact: true }).selectOption({ label: 'Alle statussen' });
			await page.getByLabel('Casus', { exact: true }).selectOption({ label: CASE.code });
			await page.getByRole('button', { name: 'Filter toepassen' }).click();
			await expect(page).toHaveURL(/status=alle/);
			for (const text of [INTAKE, SCHULD, WOONPLEK]) await expect(row(page, text)).toBeVisible();
			await expect(page.getByRole('columnheader', { name: 'Actiehouder' }).first()).toBeVisible();
			await expect(row(page, INTAKE)).toContainText('Lotte Jansen');
			await expect(row(page, INTAKE)).toContainText('GGZ Voorbeeld');
			await expect(row(page, SCHULD)).toContainText('Mijn actie');
			await expect(row(page, WOONPLEK).getByLabel(`Status van ${WOONPLEK}`)).toHaveValue('gedaan');
			await expectNoAxeViolations(page);
			await screenshot(page, 'acties-casemanager-alle');

			// only her own
			await page.getByLabel('Welke acties').selectOption({ label: 'Alleen mijn eigen acties' });
			await page.getByRole('button', { name: 'Filter toepassen' }).click();
			await expect(row(page, INTAKE)).toHaveCount(0);
			await expect(row(page, SCHULD)).toBeVisible();
			await page.getByRole('link', { name: 'Filters wissen' }).click();
			await expect(page).toHaveURL(/\/acties$/);
			await expect(row(page, WOONPLEK)).toHaveCount(0);
			await expect(row(page, INTAKE)).toBeVisible();
			await expectNoAxeViolations(page);
			await screenshot(page, 'acties-casemanager');
		});

		const chair = await loggedInPage(browser, 'voorzitter');
		open.push(chair.context);
		await test.step('de voorzitter opent het tweede komende overleg van Top 150 en bespreekt T150-2026-014', async () => {
			await chair.page.getByRole('region', { name: 'Mijn overlegtafels' }).getByRole('link', { name: 'Top 150 Regio Voorbeeld' }).click();
			// past, first upcoming (meeting.spec's), second upcoming (this spec's)
			const meetings = chair.page.getByRole('region', { name: 'Overleggen' }).getByRole('listitem');
			// past, first and second upcoming, and possibly room.spec's own meeting after them
			await expect(meetings.nth(2)).toBeVisible();
			// the meeting's own link (a verslag link may follow it)
			await meetings.nth(2).getByRole('link').first().click();
			await expect(chair.page).toHaveURL(/\/overleg\/\d+$/);
			await hydrated(chair.page);
			await chair.page.locator('#agenda-casus').selectOption({ label: `${CASE.code}: ${CASE.title}` });
			await chair.page.getByRole('button', { name: 'Op de agenda' }).click();
			await expect(chair.page.getByRole('region', { name: 'Agenda' }).getByRole('listitem').filter({ hasText: CASE.code })).toBeVisible();
			await openMeetingOnAnotherDay(chair.page);
			await chair.page.getByRole('button', { name: `Nu bespreken: ${CASE.code}` }).click();
			await expect(chair.page.locator('form.add-action')).toBeVisible();
		});

		await test.step('een actie voor Fatima El Amrani staat binnen een seconde op haar open pagina', async () => {
			await expect(row(page, NEW_ACTION)).toHaveCount(0);
			const form = chair.page.locator('form.add-action');
			await form.locator('#actie-tekst').fill(NEW_ACTION);
			await form.locator('#actie-houder').selectOption({ label: 'Fatima El Amrani (Sociaal Team Voorbeeld)' });
			await form.getByRole('button', { name: 'Toevoegen', exact: true }).click();
			await expect(form.locator('#actie-tekst')).toHaveValue('');
			await expect(group(page, /^Zonder deadline \(1\)$/).getByRole('row').filter({ hasText: NEW_ACTION })).toBeVisible({ timeout: 1_000 });
			await expect(row(page, NEW_ACTION)).toContainText('Mijn actie');
			// the in-app notice, live in the header
			await expect(page.getByRole('link', { name: /^Meldingen, \d+ ongelezen/ })).toBeVisible();
			// and an e-mail at the SMTP server: the case code and a link, no name, no content
			let mail: CaughtMail | undefined;
			await expect
				.poll(async () => {
					mail = (await receivedMails('deelnemer@casustafel.example')).find((m) => m.subject.includes('nieuwe actie') && m.subject.includes(CASE.code));
					return mail !== undefined;
				}, { timeout: 5_000 })
				.toBe(true);
			expect(mail!.text).toMatch(/http:\/\/localhost:\d+\/acties/);
			for (const secret of ['Fatima', 'El Amrani', NEW_ACTION, 'Rens', 'Verzonnen', 'schuld']) {
				expect(`${mail!.subject}\n${mail!.text}\n${mail!.html}`, `the e-mail must not contain "${secret}"`).not.toContain(secret);
			}
			await expectNoAxeViolations(page);
			await screenshot(page, 'acties-casemanager-live');
		});

		await test.step('zij zet hem op gedaan; het overleg ziet dat meteen, en haar lijst laat hem los', async () => {
			await page.getByLabel(`Status van ${NEW_ACTION}`).selectOption({ label: 'Gedaan' });
			await page.getByRole('button', { name: `Opslaan status van ${NEW_ACTION}` }).click();
			await expect(page.getByRole('status').filter({ hasText: `De status van “${NEW_ACTION}” is nu gedaan.` })).toBeVisible();
			// with "open en bezig" shown it leaves the list; the message takes the focus
			await expect(row(page, NEW_ACTION)).toHaveCount(0);
			await expect(page.getByRole('status').filter({ hasText: NEW_ACTION })).toBeFocused();
			await expect(chair.page.getByLabel(`Status van actie ${NEW_ACTION}`)).toHaveValue('gedaan', { timeout: 1_000 });
		});

		await test.step('de voorzitter haalt de actie weer weg', async () => {
			await page.goto('/acties?status=alle');
			await hydrated(page);
			await expect(row(page, NEW_ACTION)).toBeVisible();
			await chair.page.getByRole('button', { name: `Verwijderen actie ${NEW_ACTION}` }).click();
			await chair.page.getByRole('dialog', { name: 'Actie verwijderen?' }).getByRole('button', { name: 'Verwijderen' }).click();
			await expect(row(page, NEW_ACTION)).toHaveCount(0, { timeout: 1_000 });
		});
	} finally {
		for (const c of open) await c.close();
	}
});

test('wie geen acties heeft, ziet dat in gewone taal', async ({ browser }) => {
	const { context, page } = await loggedInPage(browser, 'geen-toegang');
	try {
		await openActies(page);
		await expect(page.getByText('U hebt nog geen acties.')).toBeVisible();
		await expect(page.getByRole('button', { name: 'Filter toepassen' })).toHaveCount(0);
		await expect(page.getByRole('table')).toHaveCount(0);
		await expectNoAxeViolations(page);
		await screenshot(page, 'acties-leeg');
	} finally {
		await context.close();
	}
});
