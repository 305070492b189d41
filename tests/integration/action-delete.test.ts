import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addAction, actionsOf, readActions, removeAction, updateAction, type CaseAction } from '../../src/lib/shared/documents';
import { ActionDeletions } from '../../src/lib/client/action-undo';
import { clientPool } from './helpers/clients';
import { caseId, openShared, user, type SharedDb } from './helpers/db';
import { docFromDatabase, sleep, waitFor, type DocClient } from './helpers/realtime';
import { demoEmail, demoLogins, startServer, type TestServer } from './helpers/server';

/**
 * Issue 14, item 5: an action held by another organisation is deleted only by its actiehouder's
 * organisation or the voorzitter ('action.delete'). The document hub refuses any other
 * deletion (and any takeover of such an action: changing its id, actiehouder or organisation)
 * like every semantic refusal: the sender is closed with 4400 and the document stays as it was,
 * stored and for everyone else. Real server in a child process, stock y-websocket providers,
 * demo users of T150-2026-014 (Top 150):
 *   voorzitter  Hanna de Vries, Zorg- en Veiligheidshuis
 *   secretaris  Joris Bakker, Zorg- en Veiligheidshuis
 *   deelnemer   Fatima El Amrani, Sociaal Team (access)
 *   waarnemer   Lotte Jansen, GGZ (access, reads only)
 *   Linda Bos   Sociaal Team, not at the table: an actiehouder of Fatima's organisation
 */
let server: TestServer;
let db: SharedDb;
const as = demoLogins(() => server);
const pool = clientPool(() => server, as);
const { openDoc } = pool;
let docName: string;

beforeAll(async () => {
	server = await startServer();
	db = openShared(server.dbFile);
	docName = `case:${caseId(db, 'T150-2026-014')}`;
	await Promise.all(['voorzitter', 'secretaris', 'deelnemer', 'waarnemer', 'geen-toegang'].map(as));
});
afterEach(() => pool.closeAll());
afterAll(async () => {
	db?.close();
	await server?.stop();
});

const stored = () => readActions(docFromDatabase(db, docName).doc);
const storedHas = (id: string) => stored().some((a) => a.id === id);
/** The code the server closed the client with, or 'open' when it is still open after a while. */
const closedWith = (client: DocClient, ms = 2_000) =>
	Promise.race([client.closed.then((c) => c.code), sleep(ms).then(() => 'open' as const)]);

type Holder = 'waarnemer' | 'deelnemer' | 'linda' | null;
const ORGANISATIONS: Record<Exclude<Holder, null>, string> = {
	waarnemer: 'GGZ Voorbeeld',
	deelnemer: 'Sociaal Team Voorbeeld',
	linda: 'Sociaal Team Voorbeeld'
};

/** An action made by the voorzitter (anyone who edits the case may add one), stored. */
async function actionHeldBy(holder: Holder, text: string): Promise<string> {
	const chair = await openDoc('voorzitter', docName);
	const person = holder ? user(db, demoEmail(holder)) : null;
	const fields: Omit<CaseAction, 'id'> = {
		text,
		actiehouderId: person?.id ?? null,
		actiehouderName: holder ?? '',
		organisationId: person?.organisationId ?? null,
		organisationName: holder ? ORGANISATIONS[holder] : '',
		deadline: '2099-01-31',
		status: 'open',
		leefgebied: '',
		note: ''
	};
	const id = addAction(chair.doc, fields);
	await waitFor(`"${text}" to be stored`, () => storedHas(id));
	chair.destroy();
	return id;
}

/** Deletes the action as `who` with a stock provider; the close code, or 'open'. */
async function deleteAs(who: string, id: string): Promise<{ code: number | 'open'; client: DocClient }> {
	const client = await openDoc(who, docName);
	expect(readActions(client.doc).some((a) => a.id === id)).toBe(true);
	removeAction(client.doc, id);
	return { code: await closedWith(client, 1_500), client };
}

describe('deleting an action held by another organisation', () => {
	it('a deelnemer of another organisation is refused with 4400; the action stays, stored and for everyone else', async () => {
		const id = await actionHeldBy('waarnemer', 'GGZ-actie die blijft');
		const watcher = await openDoc('voorzitter', docName);
		const { code } = await deleteAs('deelnemer', id);
		expect(code).toBe(4400);
		expect(storedHas(id)).toBe(true);
		await sleep(200);
		expect(readActions(watcher.doc).some((a) => a.id === id)).toBe(true);
		// and whoever opens the case now still finds it
		const later = await openDoc('deelnemer', docName);
		expect(readActions(later.doc).find((a) => a.id === id)?.text).toBe('GGZ-actie die blijft');
	});

	it('the secretaris, whose organisation does not hold it, is refused too', async () => {
		const id = await actionHeldBy('deelnemer', 'Actie van het Sociaal Team');
		expect((await deleteAs('secretaris', id)).code).toBe(4400);
		expect(storedHas(id)).toBe(true);
	});

	it('the voorzitter may delete it', async () => {
		const id = await actionHeldBy('waarnemer', 'GGZ-actie die de voorzitter weghaalt');
		const { code } = await deleteAs('voorzitter', id);
		await waitFor('the deletion to be stored', () => !storedHas(id));
		expect(code).toBe('open');
	});

	it("the actiehouder's organisation may delete it: the actiehouder herself, and a colleague who does not hold it", async () => {
		const own = await actionHeldBy('deelnemer', 'Eigen actie van Fatima');
		expect((await deleteAs('deelnemer', own)).code).toBe('open');
		await waitFor("Fatima's deletion to be stored", () => !storedHas(own));
		const colleague = await actionHeldBy('linda', 'Actie van Linda, Sociaal Team');
		expect((await deleteAs('deelnemer', colleague)).code).toBe('open');
		await waitFor("the deletion of Linda's action to be stored", () => !storedHas(colleague));
	});

	it('an action nobody holds yet may be deleted by every writer, the secretaris too', async () => {
		const id = await actionHeldBy(null, 'Actie zonder actiehouder');
		expect((await deleteAs('secretaris', id)).code).toBe('open');
		await waitFor('the deletion to be stored', () => !storedHas(id));
	});

	it('a waarnemer (reads only) changes nothing, not even her own action; a member without access cannot open the case', async () => {
		const id = await actionHeldBy('waarnemer', 'Actie van Lotte');
		const { client } = await deleteAs('waarnemer', id);
		// read-only updates are dropped, as always
		await sleep(300);
		expect(storedHas(id)).toBe(true);
		client.destroy();
		const police = pool.docWithCookie(await as('geen-toegang'), docName);
		expect((await police.closed).code).toBe(4403);
	});

	it('taking the action over first (its organisation, its actiehouder or its id), or hiding it behind a new action with its id, is refused as well', async () => {
		const id = await actionHeldBy('waarnemer', 'GGZ-actie die niemand overneemt');
		const fatima = user(db, demoEmail('deelnemer'));
		const attempts: ((doc: Y.Doc) => void)[] = [
			(doc) => updateAction(doc, id, { organisationId: fatima.organisationId, organisationName: 'Sociaal Team Voorbeeld' }),
			(doc) => updateAction(doc, id, { actiehouderId: fatima.id }),
			(doc) => updateAction(doc, id, { id: '' } as never),
			(doc) => actionsOf(doc).toArray().find((m) => m.get('id') === id)!.delete('organisationId'),
			// a new action with its id, in front of it: readers take the first of an id
			(doc) => {
				const shadow = new Y.Map<unknown>();
				for (const [k, v] of Object.entries({ id, text: 'Schaduwactie', status: 'gedaan' })) shadow.set(k, v);
				actionsOf(doc).insert(0, [shadow]);
			}
		];
		for (const attempt of attempts) {
			const client = await openDoc('deelnemer', docName);
			attempt(client.doc);
			expect(await closedWith(client)).toBe(4400);
		}
		expect(stored().find((a) => a.id === id)).toMatchObject({ text: 'GGZ-actie die niemand overneemt', organisationName: 'GGZ Voorbeeld' });
		expect(stored().filter((a) => a.id === id)).toHaveLength(1);
	});

	it('one update that deletes an action of another organisation among allowed edits is refused whole', async () => {
		const foreign = await actionHeldBy('waarnemer', 'GGZ-actie in een gemengde update');
		const mine = await actionHeldBy('deelnemer', 'Eigen actie in een gemengde update');
		const client = await openDoc('deelnemer', docName);
		client.doc.transact(() => {
			updateAction(client.doc, mine, { status: 'gedaan' });
			removeAction(client.doc, mine);
			removeAction(client.doc, foreign);
		});
		expect(await closedWith(client)).toBe(4400);
		const now = stored();
		expect(now.find((a) => a.id === foreign)).toBeDefined();
		expect(now.find((a) => a.id === mine)?.status).toBe('open');
	});

	it('the deelnemer may still edit the status of an action of another organisation', async () => {
		const id = await actionHeldBy('waarnemer', 'GGZ-actie met een nieuwe status');
		const client = await openDoc('deelnemer', docName);
		updateAction(client.doc, id, { status: 'bezig' });
		await waitFor('the status to be stored', () => stored().find((a) => a.id === id)?.status === 'bezig');
		expect(await closedWith(client, 300)).toBe('open');
	});
});

describe('undoing a deletion', () => {
	it("brings back one's own deleted action with its id and values, and never reverts what someone else did meanwhile", async () => {
		const id = await actionHeldBy('deelnemer', 'Actie die terugkomt');
		const other = await actionHeldBy('waarnemer', 'Actie die de voorzitter wijzigt');
		const fatima = await openDoc('deelnemer', docName);
		const chair = await openDoc('voorzitter', docName);
		const deletions = new ActionDeletions(fatima.doc);
		expect(deletions.remove(id)).toBe('Actie die terugkomt');
		await waitFor('the deletion to be stored', () => !storedHas(id));
		// someone else edits meanwhile; it reaches Fatima
		updateAction(chair.doc, other, { status: 'gedaan', note: 'door de voorzitter' });
		await waitFor('the chair\'s edit to reach Fatima', () => readActions(fatima.doc).find((a) => a.id === other)?.status === 'gedaan');

		expect(deletions.undo()).toBe(true);
		await waitFor('the action to be back, stored', () => storedHas(id));
		const back = stored().find((a) => a.id === id)!;
		expect(back).toMatchObject({ text: 'Actie die terugkomt', actiehouderName: 'deelnemer', organisationName: 'Sociaal Team Voorbeeld', deadline: '2099-01-31' });
		// the chair's edit stands, and nothing else is left to undo
		expect(stored().find((a) => a.id === other)).toMatchObject({ status: 'gedaan', note: 'door de voorzitter' });
		expect(deletions.undo()).toBe(false);
		expect(await closedWith(fatima, 300)).toBe('open');
		await waitFor('the chair to see it back', () => readActions(chair.doc).some((a) => a.id === id));
		deletions.destroy();
	});

	it("a deletion someone else made is not undone by one's own undo", async () => {
		const id = await actionHeldBy('deelnemer', 'Actie die de voorzitter weghaalt');
		const fatima = await openDoc('deelnemer', docName);
		const deletions = new ActionDeletions(fatima.doc);
		const chair = await openDoc('voorzitter', docName);
		removeAction(chair.doc, id);
		await waitFor('the deletion to reach Fatima', () => !readActions(fatima.doc).some((a) => a.id === id));
		expect(deletions.undo()).toBe(false);
		await sleep(200);
		expect(storedHas(id)).toBe(false);
		deletions.destroy();
	});
});
