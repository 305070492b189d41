import Database from 'better-sqlite3';
import { expect, test, type BrowserContext } from '@playwright/test';
import { connectDoc, type DocClient } from '../integration/helpers/realtime';
import { loggedInPage } from './helpers';

/**
 * Presence as a weapon (issue 12), in Chromium: what other participants say about themselves
 * through awareness reaches the chair's meeting page only as the server's name, organisation
 * and a palette colour. A read-only waarnemer's "colour" that would draw a full-page overlay
 * draws nothing, and two people with the same name in one field (here: one deelnemer, logged in
 * twice) are both shown, without breaking the field.
 */
test.use({ actionTimeout: 10_000 });

const OVERLAY = 'red; position: fixed; inset: 0; z-index: 9999; background: red';

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

test('een vreemde kleur tekent niets over de pagina, en twee mensen met dezelfde naam in één veld breken het niet', async ({ browser, baseURL }) => {
	test.setTimeout(90_000);
	const contexts: BrowserContext[] = [];
	const docs: DocClient[] = [];
	try {
		const meetingId = firstPlannedMeeting();
		const chair = await loggedInPage(browser, 'voorzitter');
		contexts.push(chair.context);
		await chair.page.goto(`/overleg/${meetingId}`);
		const notes = chair.page.locator('#veld-notes');
		await expect(notes).toBeVisible();

		// others in the notes field, from outside the browser: a waarnemer with an overlay for a
		// colour, and one deelnemer logged in twice (the same name twice)
		const cookieOf = async (role: 'waarnemer' | 'deelnemer') => {
			const l = await loggedInPage(browser, role);
			contexts.push(l.context);
			const c = (await l.context.cookies()).find((x) => x.name === 'casustafel_sessie')!;
			return `${c.name}=${c.value}`;
		};
		for (const [role, user] of [
			['waarnemer', { name: 'Voorzitter', organisation: 'Nep', color: OVERLAY }],
			['deelnemer', { name: 'x', organisation: 'y', color: '#000' }],
			['deelnemer', { name: 'x', organisation: 'y', color: '#000' }]
		] as const) {
			const doc = connectDoc(baseURL!, `meeting:${meetingId}`, await cookieOf(role));
			docs.push(doc);
			await doc.synced;
			doc.provider.awareness.setLocalState({ user, field: 'notes', style: OVERLAY });
		}

		const editors = chair.page.locator('.collab-field .editor');
		await expect(editors).toHaveCount(3);
		// the two deelnemer connections show under the server's name for that user, twice
		const texts = await editors.allTextContents();
		const names = texts.map((t) => t.replace(/ \(.*$/, ''));
		expect(names.filter((n) => n === names.find((x, i) => names.indexOf(x) !== i)).length).toBe(2);
		expect(texts.join(' ')).not.toContain('Nep');
		// nothing positioned over the page: the notes field is what is under its own centre
		for (let i = 0; i < 3; i++) {
			expect(await editors.nth(i).evaluate((el) => getComputedStyle(el).position)).toBe('static');
			expect(await editors.nth(i).getAttribute('style')).toBeNull();
		}
		const onTop = (el: Element) => {
			const r = el.getBoundingClientRect();
			const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
			return hit === el || el.contains(hit);
		};
		await chair.page.evaluate(() => window.scrollTo(0, 0));
		expect(await chair.page.getByRole('heading', { level: 1 }).evaluate(onTop)).toBe(true);
		await notes.scrollIntoViewIfNeeded();
		expect(await notes.evaluate(onTop)).toBe(true);
		// and the field still works
		await notes.click();
		await notes.pressSequentially('Werkt nog.');
		await expect(notes).toHaveValue(/Werkt nog\./);
	} finally {
		for (const d of docs) d.destroy();
		for (const c of contexts) await c.close();
	}
});
