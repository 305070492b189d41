import { expect, test, type Page } from '@playwright/test';
import { dbRun, expectNoAxeViolations, hydrated, login, receivedMails, screenshot, type CaughtMail } from './helpers';

/**
 * Accounts by e-mail (issue 14 item 7), with the mail the app really sent (tests/e2e/mail-catcher.ts):
 * a beheerder invites a new user who chooses a password from the link and logs in; a user who
 * forgot the password gets a link and sets a new one; a link past its time says so in Dutch.
 */
const NEW_PASSWORD = 'Mijn eigen lange wachtwoord';

// each journey has several page loads, a login with a second factor and waits for mail; on a
// loaded machine (six parallel runs) one took 1.5 min
test.describe.configure({ timeout: 180_000 });

/** Waits for the (n+1)-th mail with this subject to the address and returns the link's path in it. */
async function linkFromMail(to: string, subject: string, n = 0): Promise<string> {
	let mail: CaughtMail | undefined;
	await expect
		.poll(async () => (mail = (await receivedMails(to)).filter((m) => m.subject === subject)[n]), { timeout: 15_000, message: `a mail "${subject}" to ${to}` })
		.toBeTruthy();
	const url = /https?:\/\/\S+\/wachtwoord\/instellen\/[a-z2-7]{32}/.exec(mail!.text)?.[0];
	expect(url, mail!.text).toBeTruthy();
	return new URL(url!).pathname;
}

async function choosePassword(page: Page, password: string) {
	await hydrated(page);
	await page.getByLabel('Nieuw wachtwoord').fill(password);
	await page.getByLabel('Herhaal het wachtwoord').fill(password);
	await page.getByRole('button', { name: 'Wachtwoord opslaan' }).click();
	await page.waitForURL('**/login?wachtwoord=ingesteld');
	await expect(page.getByRole('status')).toHaveText('Uw wachtwoord is ingesteld. Log in met uw e-mailadres en het nieuwe wachtwoord.');
}

test('a beheerder invites a user; the invitee chooses a password and logs in', async ({ page, browser }) => {
	const email = `sanne.${Date.now()}@casustafel.example`;
	await login(page, 'beheerder');
	await page.goto('/beheer/gebruikers');
	await hydrated(page);
	const form = page.getByRole('region', { name: 'Gebruiker uitnodigen' });
	await expect(form.getByLabel(/wachtwoord/i)).toHaveCount(0);
	await form.getByLabel('Naam').fill('Sanne Nieuwland');
	await form.getByLabel('E-mailadres').fill(email);
	await form.getByLabel('Organisatie').selectOption({ label: 'Sociaal Team Voorbeeld' });
	await form.getByRole('button', { name: 'Uitnodiging sturen' }).click();
	await expect(form.getByRole('status')).toContainText(`Sanne Nieuwland is uitgenodigd. Er is een e-mail gestuurd naar ${email}`);
	await page.reload();
	await expect(page.getByRole('row').filter({ hasText: email })).toContainText('Uitgenodigd');
	await screenshot(page, 'accounts-beheer-uitgenodigd');

	const path = await linkFromMail(email, 'Casustafel: uitnodiging voor uw account');
	const invitee = await (await browser.newContext()).newPage();
	await invitee.goto(path);
	await expect(invitee.getByRole('heading', { level: 1 })).toHaveText('Welkom bij Casustafel');
	await expect(invitee.getByText(email)).toBeVisible();
	await screenshot(invitee, 'accounts-welkom');
	await choosePassword(invitee, NEW_PASSWORD);
	await login(invitee, email, NEW_PASSWORD);
	await expect(invitee.getByRole('heading', { level: 1 })).toHaveText('Mijn overleggen');
	await invitee.context().close();

	await page.reload();
	await expect(page.getByRole('row').filter({ hasText: email })).toContainText('Actief');
});

test('the changed page of users is accessible at 360 and 1366 px', async ({ page }) => {
	await login(page, 'beheerder');
	for (const width of [1366, 360]) {
		await page.setViewportSize({ width, height: width === 360 ? 740 : 768 });
		await page.goto('/beheer/gebruikers');
		await hydrated(page);
		await expect(page.getByRole('button', { name: 'Uitnodiging sturen' })).toBeVisible();
		await expectNoAxeViolations(page);
		if (width === 360) await screenshot(page, 'accounts-beheer-gebruikers-360');
	}
});

test('a user who forgot the password asks for a link and sets a new one', async ({ page }) => {
	const email = 'tom@casustafel.example';
	await page.goto('/login');
	await page.getByRole('link', { name: 'Wachtwoord vergeten?' }).click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Wachtwoord vergeten');
	await hydrated(page);
	await page.getByLabel('E-mailadres').fill(email);
	await page.getByRole('button', { name: 'Link aanvragen' }).click();
	await expect(page.getByRole('status')).toContainText('Als dit adres bij ons bekend is, ontvangt u een e-mail');
	await screenshot(page, 'accounts-vergeten-verstuurd');

	const path = await linkFromMail(email, 'Casustafel: nieuw wachtwoord kiezen');
	await page.goto(path);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nieuw wachtwoord kiezen');
	await choosePassword(page, NEW_PASSWORD);
	await login(page, email, NEW_PASSWORD);
	await expect(page).not.toHaveURL(/\/login/);

	// the link worked once
	await page.goto(path);
	await expect(page.getByRole('alert')).toContainText('Deze link is al gebruikt');
});

test('a link past its time says so in Dutch and offers a new one', async ({ page }) => {
	const email = 'bram@casustafel.example';
	await page.goto('/wachtwoord/vergeten');
	await hydrated(page);
	await page.getByLabel('E-mailadres').fill(email);
	await page.getByRole('button', { name: 'Link aanvragen' }).click();
	await expect(page.getByRole('status')).toContainText('Als dit adres bij ons bekend is');
	const path = await linkFromMail(email, 'Casustafel: nieuw wachtwoord kiezen');
	// an hour later
	const changed = dbRun(
		"update account_tokens set expires_at = ? where used_at is null and user_id = (select id from users where email = ?)",
		new Date(Date.now() - 60_000).toISOString(),
		email
	);
	expect(changed).toBe(1);
	await page.goto(path);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Link werkt niet');
	const alert = page.getByRole('alert');
	await expect(alert).toHaveText(/Deze link is verlopen/);
	await expect(alert).toHaveAttribute('data-code', 'LINK_EXPIRED');
	await expect(page.getByRole('link', { name: 'Nieuwe link aanvragen' })).toHaveAttribute('href', '/wachtwoord/vergeten');
	await expect(page.getByLabel('Nieuw wachtwoord')).toHaveCount(0);
	await screenshot(page, 'accounts-link-verlopen');
});

test('the page to choose a password is accessible at 360 and 1366 px', async ({ page }) => {
	const email = 'eva@casustafel.example';
	await page.goto('/wachtwoord/vergeten');
	await hydrated(page);
	await page.getByLabel('E-mailadres').fill(email);
	await page.getByRole('button', { name: 'Link aanvragen' }).click();
	await expect(page.getByRole('status')).toContainText('Als dit adres bij ons bekend is');
	const path = await linkFromMail(email, 'Casustafel: nieuw wachtwoord kiezen');
	for (const width of [1366, 360]) {
		await page.setViewportSize({ width, height: width === 360 ? 740 : 768 });
		await page.goto(path);
		await hydrated(page);
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('Nieuw wachtwoord kiezen');
		await expectNoAxeViolations(page);
		// after a mistake: the errors are at the fields
		await page.getByLabel('Nieuw wachtwoord').fill('kort');
		await page.getByLabel('Herhaal het wachtwoord').fill('anders');
		await page.getByRole('button', { name: 'Wachtwoord opslaan' }).click();
		await expect(page.getByLabel('Herhaal het wachtwoord')).toHaveAttribute('aria-invalid', 'true');
		await expectNoAxeViolations(page);
		expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
		await screenshot(page, `accounts-kies-wachtwoord-${width}`);
	}
});
