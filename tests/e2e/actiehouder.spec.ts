import Database from 'better-sqlite3';
import { expect, test } from '@playwright/test';
import { addAction, addAgendaItem, removeAction, removeAgendaItem } from '../../src/lib/shared/documents';
import { connectDoc } from '../integration/helpers/realtime';
import { expectNoAxeViolations, hydrated, login, screenshot } from './helpers';

/**
 * Issue 13 item 4 in Chromium: the actiehouder picker offers only people of organisations with
 * access to the case, and an action whose actiehouder has no access (put there by another
 * writer, or before access was withdrawn) says so in the actions table: nobody is told.
 *
 * Uses the Tussen Wal en Schip meeting and TWS-2026-002, which no other spec of this server
 * touches; the agenda item and the actions are removed again at the end.
 */
test.use({ actionTimeout: 10_000 });

const WARNING = 'Deze actiehouder heeft geen toegang tot deze casus; er gaat geen melding naar hem of haar.';

function lookup<T>(sql: string, ...params: unknown[]): T {
	const file = process.env.E2E_DATABASE_URL;
	if (!file) throw new Error('E2E_DATABASE_URL is not set');
	const db = new Database(file, { readonly: true, fileMustExist: true });
	try {
		return db.prepare(sql).get(...params) as T;
	} finally {
		db.close();
	}
}

test('een actiehouder zonder toegang krijgt een waarschuwing in de actietabel, en staat niet in de keuzelijst', async ({ browser, baseURL }) => {
	const tws = lookup<{ id: number; code: string; title: string }>("select id, code, title from cases where code = 'TWS-2026-002'");
	const meeting = lookup<{ id: number }>(
		"select m.id from meetings m join case_tables t on t.id = m.case_table_id where t.code_prefix = 'TWS' and m.status = 'gepland' order by m.starts_at limit 1"
	);
	const tom = lookup<{ id: number; organisation_id: number }>("select id, organisation_id from users where email = 'tom@casustafel.example'");
	const bram = lookup<{ id: number; organisation_id: number }>("select id, organisation_id from users where email = 'bram@casustafel.example'");

	const context = await browser.newContext();
	const page = await context.newPage();
	let caseDoc: ReturnType<typeof connectDoc> | null = null;
	let meetingDoc: ReturnType<typeof connectDoc> | null = null;
	const actions: string[] = [];
	let itemId: string | null = null;
	try {
		await login(page, 'mehmet@casustafel.example');
		const cookie = (await context.cookies()).find((c) => c.name === 'casustafel_sessie')!;
		const header = `casustafel_sessie=${cookie.value}`;
		// the chair puts the case on the agenda; another writer names Tom (Openbaar Ministerie, no
		// access to TWS-2026-002) and Bram (Woonstichting, access) as actiehouders
		meetingDoc = connectDoc(baseURL!, `meeting:${meeting.id}`, header);
		await meetingDoc.synced;
		itemId = addAgendaItem(meetingDoc.doc, { caseId: tws.id, caseCode: tws.code, title: tws.title, plannedMinutes: 20, status: 'gepland' });
		caseDoc = connectDoc(baseURL!, `case:${tws.id}`, header);
		await caseDoc.synced;
		const base = { deadline: '2099-03-01', status: 'open' as const, leefgebied: '' };
		actions.push(addAction(caseDoc.doc, { ...base, text: 'Gesprek met het OM plannen', actiehouderId: tom.id, actiehouderName: 'Tom van Leeuwen', organisationId: tom.organisation_id, organisationName: 'Openbaar Ministerie Voorbeeld' }));
		actions.push(addAction(caseDoc.doc, { ...base, text: 'Woonplek na verblijf zoeken', actiehouderId: bram.id, actiehouderName: 'Bram Kok', organisationId: bram.organisation_id, organisationName: 'Woonstichting Voorbeeld' }));
		await new Promise((r) => setTimeout(r, 300));

		await page.goto(`/overleg/${meeting.id}`);
		await hydrated(page);
		const table = page.getByRole('table', { name: 'Acties' });
		await expect(table).toBeVisible();
		const tomRow = table.getByRole('row').filter({ hasText: 'Gesprek met het OM plannen' });
		const bramRow = table.getByRole('row').filter({ hasText: 'Woonplek na verblijf zoeken' });
		await expect(tomRow).toContainText(WARNING);
		await expect(tomRow.getByTestId('actiehouder-zonder-toegang')).toBeVisible();
		await expect(bramRow).not.toContainText('geen toegang');

		// the picker offers who may hold the action: Bram yes, Tom no
		const picker = page.getByLabel('Actiehouder', { exact: true });
		await expect(picker.locator('option', { hasText: 'Bram Kok' })).toHaveCount(1);
		await expect(picker.locator('option', { hasText: 'Tom van Leeuwen' })).toHaveCount(0);
		await expect(page.getByText('Alleen mensen van organisaties met toegang tot deze casus.')).toBeVisible();

		await tomRow.scrollIntoViewIfNeeded();
		await expectNoAxeViolations(page);
		await screenshot(page, 'actiehouder-zonder-toegang');
	} finally {
		for (const id of actions) if (caseDoc) removeAction(caseDoc.doc, id);
		if (meetingDoc && itemId) removeAgendaItem(meetingDoc.doc, itemId);
		await new Promise((r) => setTimeout(r, 300));
		caseDoc?.destroy();
		meetingDoc?.destroy();
		await context.close();
	}
});
