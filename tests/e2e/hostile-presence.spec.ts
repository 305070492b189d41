import { expect, test, type BrowserContext } from '@playwright/test';
import type { DocClient } from '../integration/helpers/realtime';
import { docOfContext, loggedInPage, upcomingMeetingId } from './helpers';

/**
 * Presence as a weapon (issue 12), in Chromium: what other participants say about themselves
 * through awareness reaches the chair's meeting page only as the server's name, organisation
 * and a palette colour. A read-only waarnemer's "colour" that would draw a full-page overlay
 * draws nothing, and two people with the same name in one field (here: one deelnemer, logged in
 * twice) are both shown, without breaking the field.
 */
test.use({ actionTimeout: 10_000 });

const OVERLAY = 'red; position: fixed; inset: 0; z-index: 9999; background: red';

/** Opens the chair's meeting page and puts other participants into its notes field through awareness. */
async function chairWithOthers(
	browser: import('@playwright/test').Browser,
	baseURL: string,
	others: { role: 'waarnemer' | 'deelnemer'; user: unknown }[],
	contexts: BrowserContext[],
	docs: DocClient[]
) {
	const meetingId = upcomingMeetingId('Top 150 Regio Voorbeeld');
	const chair = await loggedInPage(browser, 'voorzitter');
	contexts.push(chair.context);
	await chair.page.goto(`/overleg/${meetingId}`);
	const notes = chair.page.locator('#veld-notes');
	await expect(notes).toBeVisible();
	for (const { role, user } of others) {
		const l = await loggedInPage(browser, role);
		contexts.push(l.context);
		const doc = await docOfContext(l.context, baseURL, `meeting:${meetingId}`);
		docs.push(doc);
		doc.provider.awareness.setLocalState({ user, field: 'notes', style: OVERLAY });
	}
	return { page: chair.page, notes, editors: chair.page.locator('.collab-field .editor') };
}

/** Whether the element is what the page shows at its own centre (nothing drawn over it). */
const onTop = (el: Element) => {
	const r = el.getBoundingClientRect();
	const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
	return hit === el || el.contains(hit);
};

test("een waarnemer met een 'kleur' die de pagina overdekt, tekent niets over de pagina", async ({ browser, baseURL }) => {
	test.setTimeout(60_000);
	const contexts: BrowserContext[] = [];
	const docs: DocClient[] = [];
	try {
		const { page, notes, editors } = await chairWithOthers(browser, baseURL!, [{ role: 'waarnemer', user: { name: 'Voorzitter', organisation: 'Nep', color: OVERLAY } }], contexts, docs);
		await expect(editors).toHaveCount(1);
		await expect(editors).not.toContainText('Nep');
		expect(await editors.evaluate((el) => getComputedStyle(el).position)).toBe('static');
		expect(await editors.getAttribute('style')).toBeNull();
		await page.evaluate(() => window.scrollTo(0, 0));
		expect(await page.getByRole('heading', { level: 1 }).evaluate(onTop)).toBe(true);
		await notes.scrollIntoViewIfNeeded();
		expect(await notes.evaluate(onTop)).toBe(true);
		await notes.click();
		await notes.pressSequentially('Nog bereikbaar.');
		await expect(notes).toHaveValue(/Nog bereikbaar\./);
	} finally {
		for (const d of docs) d.destroy();
		for (const c of contexts) await c.close();
	}
});

test('twee mensen met dezelfde naam in één veld worden allebei getoond, en het veld blijft werken', async ({ browser, baseURL }) => {
	test.setTimeout(60_000);
	const contexts: BrowserContext[] = [];
	const docs: DocClient[] = [];
	try {
		// one deelnemer, logged in twice: the server shows the same name for both
		const same = { name: 'x', organisation: 'y', color: '#000' };
		const { notes, editors } = await chairWithOthers(browser, baseURL!, [{ role: 'deelnemer', user: same }, { role: 'deelnemer', user: same }], contexts, docs);
		await expect(editors).toHaveCount(2);
		const texts = await editors.allTextContents();
		expect(texts[0]).toBe(texts[1]);
		await notes.scrollIntoViewIfNeeded();
		await notes.click();
		await notes.pressSequentially('Werkt nog.');
		await expect(notes).toHaveValue(/Werkt nog\./);
		// one of them leaves: exactly one stays
		docs[0]!.destroy();
		await expect(editors).toHaveCount(1);
	} finally {
		for (const d of docs) d.destroy();
		for (const c of contexts) await c.close();
	}
});
