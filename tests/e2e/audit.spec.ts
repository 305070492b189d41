import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { caseIdFromTable, expectNoAxeViolations, hydrated, loggedInPage, login, screenshot } from './helpers';

/**
 * The audit log as the beheerder sees it: the search page, a search on one case, and the
 * case's "Wie heeft dit dossier ingezien" page, each checked by axe.
 */
test('de beheerder zoekt in het auditlog en opent de inzage van een casus', async ({ page, browser }) => {
	test.setTimeout(90_000);
	// the deelnemer opens the case first, so the log has something to show for it
	const deelnemer = await loggedInPage(browser, 'deelnemer');
	await deelnemer.page.getByRole('link', { name: 'Top 150 Regio Voorbeeld' }).first().click();
	const id = await caseIdFromTable(deelnemer.page, 'T150-2026-014');
	await deelnemer.page.goto(`/casus/${id}`);
	await hydrated(deelnemer.page);
	// and a meeting page of that table, which opens the meeting's document (agenda and notes)
	const meetingId = firstPlannedMeeting();
	await deelnemer.page.goto(`/overleg/${meetingId}`);
	await hydrated(deelnemer.page);
	await expect(deelnemer.page.locator('#veld-notes')).toBeVisible();
	await expect(deelnemer.page.getByText('Verbonden').first()).toBeVisible();
	await deelnemer.page.reload();
	await hydrated(deelnemer.page);
	await expect(deelnemer.page.getByText('Verbonden').first()).toBeVisible();
	await deelnemer.context.close();

	await login(page, 'beheerder');
	await page.goto('/beheer/audit');
	await hydrated(page);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Auditlog');
	await expect(page.getByRole('link', { name: 'Auditlog' })).toHaveAttribute('aria-current', 'page');
	await expectNoAxeViolations(page);
	await screenshot(page, 'beheerder-auditlog');

	// a wrong date: the message at the field
	await page.goto('/beheer/audit?van=gisteren');
	await hydrated(page);
	await expect(page.getByText('Vul een datum in als jjjj-mm-dd.')).toBeVisible();
	await expectNoAxeViolations(page);

	await page.goto('/beheer/audit');
	await hydrated(page);
	await page.getByLabel('Casuscode').fill('T150-2026-014');
	await page.getByRole('button', { name: 'Zoeken' }).click();
	await page.waitForURL(/casus=T150-2026-014/);
	await hydrated(page);
	await expect(page.getByRole('status')).toContainText('nieuwste eerst');
	await screenshot(page, 'beheerder-auditlog-casus');

	await page.getByRole('link', { name: 'T150-2026-014' }).first().click();
	await page.waitForURL(`/casus/${id}/inzage`);
	await hydrated(page);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Wie heeft dit dossier ingezien');
	await expectNoAxeViolations(page);
	await screenshot(page, 'beheerder-casus-inzage');

	// the deelnemer opened the meeting's document twice in one session: one row, said in Dutch, with the count
	await page.goto('/beheer/audit?gebruiker=Fatima&actie=meeting.document.open');
	await hydrated(page);
	const opened = page.getByRole('row').filter({ hasText: `Agenda en notulen van overleg ${meetingId} geopend` });
	await expect(opened).toHaveCount(1);
	await expect(opened.getByTestId('audit-count')).toContainText(/^([2-9]|\d{2,}) keer geopend in deze sessie, laatste /);
	await expectNoAxeViolations(page);
	await screenshot(page, 'beheerder-auditlog-documenten');
});

/** The first planned meeting of the Top 150 table, from the e2e server's database. */
function firstPlannedMeeting(): number {
	const db = new Database(process.env.E2E_DATABASE_URL!, { readonly: true, fileMustExist: true });
	try {
		const row = db
			.prepare(
				`select m.id from meetings m join case_tables t on t.id = m.case_table_id
				 where t.name = 'Top 150 Regio Voorbeeld' and m.status = 'gepland' order by m.starts_at limit 1`
			)
			.get() as { id: number };
		return row.id;
	} finally {
		db.close();
	}
}
