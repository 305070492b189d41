/**
 * A case with three years of MDA++ history, written through the real document engine: the real
 * `CollabHub` on the real `createSqliteDocStore` over a migrated SQLite file, with in-process
 * clients that speak the y-websocket sync protocol to `hub.receive` exactly as the websocket
 * endpoint hands messages over. Every keystroke is one update, stored (group commit) before it
 * is applied; the hub compacts every 500 updates and on unload, when the last client leaves
 * after each meeting. Between meetings the server changes action statuses (`hub.change`, as
 * Mijn acties does).
 *
 * Then: the time to open it with the document not in memory, through the hub's own functions
 * (connect → load from SQLite → sync step 1 → the client's step 1 → the sync answer).
 */
import { performance } from 'node:perf_hooks';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { CollabHub, type CollabConnection } from '../../src/lib/server/collab/hub';
import { MESSAGE_SYNC, encodeSyncStep1, encodeUpdate } from '../../src/lib/server/collab/protocol';
import { createSqliteDocStore, type DocStore } from '../../src/lib/server/collab/store';
import {
	actionsOf,
	addAction,
	caseTextOf,
	goalText,
	readActions,
	removeAction,
	updateAction,
	type CaseAction
} from '../../src/lib/shared/documents';
import { rng, round } from '../sync/stats';
import { dist, silentLog, tempDatabase, type Dist, type TempDb } from './common';

const REMOTE = Symbol('remote');
let nextConnection = 0;

const SENTENCES = [
	'Er is opnieuw politie geweest na een melding van de buren over geschreeuw in de nacht. ',
	'Moeder geeft aan dat vader sinds twee weken weer thuis slaapt, tegen de afspraak in. ',
	'De kinderen zijn op school gezien; de leerkracht ziet geen nieuwe verwondingen. ',
	'Vader heeft zijn eerste gesprek bij de daderhulpverlening gehad en komt naar de volgende afspraak. ',
	'Veilig Thuis heeft een huisbezoek afgelegd en spreekt van een gespannen maar rustige sfeer. ',
	'Het Sociaal Team begeleidt moeder bij de aanvraag van een tijdelijke woning. ',
	'De schulden zijn in kaart gebracht; een bewindvoerder wordt aangevraagd. ',
	'Afgesproken dat moeder het veiligheidsplan met de kinderen doorneemt. ',
	'De wijkagent rijdt de komende weken extra langs in de avonduren. ',
	'Bij een nieuw incident belt moeder direct 112 en daarna de casusregisseur. '
];

/** About how long the texts stay: a situation of two pages, a page of agreements, a goal paragraph. */
const SITUATIE_CHARS = 5000;
const AFSPRAKEN_CHARS = 2000;
const GOAL_CHARS = 800;

/** A participant's laptop: its own Y.Doc and clientID, talking to the hub. */
class Client {
	readonly doc = new Y.Doc();
	readonly connection: CollabConnection;
	constructor(
		private readonly hub: CollabHub,
		docName: string,
		userId: number
	) {
		this.connection = {
			id: `bench${++nextConnection}`,
			docName,
			userId,
			sessionId: 'bench',
			access: 'write',
			send: (message) => this.onMessage(message),
			close: () => {}
		};
		this.doc.on('update', (update: Uint8Array, origin: unknown) => {
			if (origin !== REMOTE) this.hub.receive(this.connection, encodeUpdate(update));
		});
	}
	open(): void {
		this.hub.connect(this.connection);
		this.hub.receive(this.connection, encodeSyncStep1(this.doc));
	}
	close(): void {
		this.hub.disconnect(this.connection);
		this.doc.destroy();
	}
	private onMessage(message: Uint8Array): void {
		const decoder = decoding.createDecoder(message);
		if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return; // awareness: not needed here
		const encoder = encoding.createEncoder();
		encoding.writeVarUint(encoder, MESSAGE_SYNC);
		syncProtocol.readSyncMessage(decoder, encoder, this.doc, REMOTE);
		if (encoding.length(encoder) > 1) this.hub.receive(this.connection, encoding.toUint8Array(encoder));
	}
}

export interface HistoryOptions {
	years: number;
	seed: number;
	/** keystrokes typed per meeting, over all fields (about) */
	keystrokesPerMeeting: number;
}

export interface History {
	meetings: number;
	clients: number;
	serverChanges: number;
	updatesStored: number;
	keystrokes: number;
	buildSeconds: number;
	rowsLeft: number;
	snapshotBytes: number;
	texts: Record<string, number>;
	actions: { total: number; open: number; closed: number; removed: number };
	stateVectorClients: number;
}

/** Counts appends on the way to the real store; everything else goes straight through. */
function countingStore(store: DocStore, onAppend: () => void): DocStore {
	return {
		load: (n) => store.load(n),
		append: (n, u) => {
			onAppend();
			return store.append(n, u);
		},
		compact: (n, s, id) => store.compact(n, s, id),
		countSince: (n, id) => store.countSince(n, id),
		quarantine: (n, id, reason) => store.quarantine(n, id, reason),
		flush: () => store.flush(),
		get pending() {
			return store.pending;
		}
	};
}

const settle = (hub: CollabHub, docName: string) => hub.read(docName, () => undefined);
const waitUnloaded = async (hub: CollabHub, docName: string) => {
	for (let i = 0; i < 1000 && hub.isLoaded(docName); i++) await new Promise((r) => setTimeout(r, 1));
	if (hub.isLoaded(docName)) throw new Error(`${docName} still loaded`);
};

/**
 * Writes the case's history: meetings fortnightly in the first year, monthly after; at each,
 * three laptops (new clientIDs) edit the situation, the agreements and a goal, keystroke by
 * keystroke in bursts, with backspaces and the occasional pasted paragraph; last meeting's
 * actions are closed and three new ones added; now and then one is removed again.
 */
export async function buildHistory(temp: TempDb, docName: string, o: HistoryOptions): Promise<History> {
	const t0 = performance.now();
	const random = rng(o.seed);
	const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
	let updatesStored = 0;
	const store = countingStore(
		createSqliteDocStore(temp.sqlite, {
			now: () => new Date(),
			onWriteError: (error) => {
				throw error;
			}
		}),
		() => (updatesStored += 1)
	);
	const hub = new CollabHub({ store, log: silentLog });
	const meetings = Math.round(26 + (o.years - 1) * 12);
	let clients = 0;
	let serverChanges = 0;
	let keystrokes = 0;
	let removed = 0;

	/** Types `chars` keystrokes into a text at a random place, in bursts, awaiting the hub between. */
	const type = async (client: Client, text: Y.Text, chars: number, deleteFirst: number) => {
		if (deleteFirst > 0 && text.length > 0) {
			// select a stretch and delete it: one update
			const n = Math.min(deleteFirst, text.length);
			const from = Math.floor(random() * (text.length - n + 1));
			text.delete(from, n);
		}
		let at = Math.floor(random() * (text.length + 1));
		let typed = 0;
		let sentence = pick(SENTENCES);
		let c = 0;
		while (typed < chars) {
			const burst = 20 + Math.floor(random() * 60);
			for (let i = 0; i < burst && typed < chars; i++) {
				const r = random();
				if (r < 0.005) {
					// a pasted paragraph
					const paste = pick(SENTENCES) + pick(SENTENCES) + pick(SENTENCES);
					text.insert(at, paste);
					at += paste.length;
					typed += 1;
				} else if (r < 0.045 && at > 0) {
					text.delete(at - 1, 1);
					at -= 1;
				} else {
					if (c >= sentence.length) {
						sentence = pick(SENTENCES);
						c = 0;
					}
					text.insert(at, sentence[c++]!);
					at += 1;
					typed += 1;
				}
				keystrokes += 1;
			}
			await settle(hub, docName);
			at = Math.min(at, text.length);
		}
	};

	const person = (i: number): Pick<CaseAction, 'actiehouderId' | 'actiehouderName' | 'organisationId' | 'organisationName'> =>
		[
			{ actiehouderId: 12, actiehouderName: 'Linda Bos', organisationId: 3, organisationName: 'Sociaal Team Voorbeeld' },
			{ actiehouderId: 9, actiehouderName: 'Kees Mulder', organisationId: 5, organisationName: 'Veilig Thuis Voorbeeld' },
			{ actiehouderId: 14, actiehouderName: 'Wijkagent Voorbeeld', organisationId: 7, organisationName: 'Politie Eenheid Voorbeeld' }
		][i % 3]!;

	/** how much to delete first so that the text stays about `target` long after typing `adding` (pastes included) */
	const keep = (text: Y.Text, target: number, adding: number) => Math.max(0, Math.round(text.length + adding * 1.4 - target));

	let day = 0;
	for (let m = 0; m < meetings; m++) {
		day += m < 26 ? 14 : 30;
		const date = new Date(Date.UTC(2026, 0, 5) + day * 86_400_000).toISOString().slice(0, 10);
		const laptops = [new Client(hub, docName, 1), new Client(hub, docName, 2), new Client(hub, docName, 12)];
		clients += laptops.length;
		for (const l of laptops) l.open();
		await settle(hub, docName);
		const [chair, secretary, regisseur] = laptops as [Client, Client, Client];
		const share = o.keystrokesPerMeeting;
		// the situation grows for a while, then is rewritten about as much as is added
		const situatie = caseTextOf(regisseur.doc, 'situatie');
		await type(regisseur, situatie, Math.round(share * 0.35), keep(situatie, SITUATIE_CHARS, share * 0.35));
		const goal = goalText(chair.doc, 'Veiligheid');
		await type(chair, goal, Math.round(share * 0.15), keep(goal, GOAL_CHARS, share * 0.15));
		// last meeting's actions: done or dropped, with a note now and then; three new ones
		const open = readActions(secretary.doc).filter((a) => a.status === 'open' || a.status === 'bezig');
		for (const a of open) {
			updateAction(secretary.doc, a.id, { status: random() < 0.8 ? 'gedaan' : 'vervallen' });
			if (random() < 0.3) updateAction(secretary.doc, a.id, { note: pick(SENTENCES).trim() });
		}
		for (let i = 0; i < 3; i++) {
			addAction(secretary.doc, {
				text: pick(SENTENCES).trim().slice(0, 80),
				...person(m + i),
				deadline: new Date(Date.parse(date) + 14 * 86_400_000).toISOString().slice(0, 10),
				status: 'open',
				leefgebied: pick(['Veiligheid', 'Wonen', 'Financiën', 'Gezondheid'])
			});
		}
		if (random() < 0.2) {
			const last = readActions(secretary.doc).at(-1);
			if (last) {
				removeAction(secretary.doc, last.id);
				removed += 1;
			}
		}
		// the agreements: most of last time's replaced by this time's
		const afspraken = caseTextOf(secretary.doc, 'afspraken');
		await type(secretary, afspraken, Math.round(share * 0.5), keep(afspraken, AFSPRAKEN_CHARS, share * 0.5));
		await settle(hub, docName);
		for (const l of laptops) l.close();
		await waitUnloaded(hub, docName);
		// between meetings: an actiehouder sets a status from Mijn acties (the server edits)
		for (let k = 0; k < 2; k++) {
			const id = await hub.read(docName, (doc) => {
				const live = readActions(doc).filter((a) => a.status === 'open');
				return live.length > 0 ? pick(live).id : null;
			});
			if (!id) continue;
			await hub.change(docName, 'mijn acties', (doc) => updateAction(doc, id, { status: 'bezig', note: 'Loopt.' }));
			serverChanges += 1;
		}
		await waitUnloaded(hub, docName);
	}
	await hub.shutdown();

	const stored = store.load(docName);
	const rowsLeft = stored.updates.length;
	const doc = new Y.Doc();
	if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
	for (const u of stored.updates) Y.applyUpdate(doc, u);
	const actions = readActions(doc);
	const texts: Record<string, number> = {};
	for (const key of ['situatie', 'afspraken']) texts[key] = caseTextOf(doc, key as 'situatie').length;
	texts['doel:Veiligheid'] = goalText(doc, 'Veiligheid').length;
	const result: History = {
		meetings,
		clients,
		serverChanges,
		updatesStored,
		keystrokes,
		buildSeconds: round((performance.now() - t0) / 1000, 1),
		rowsLeft,
		snapshotBytes: stored.snapshot?.byteLength ?? 0,
		texts,
		actions: {
			total: actionsOf(doc).length,
			open: actions.filter((a) => a.status === 'open' || a.status === 'bezig').length,
			closed: actions.filter((a) => a.status === 'gedaan' || a.status === 'vervallen').length,
			removed
		},
		stateVectorClients: Y.decodeStateVector(Y.encodeStateVector(doc)).size
	};
	doc.destroy();
	return result;
}

export interface OpenInProcess {
	iterations: number;
	/** hub.connect (load from SQLite into a Y.Doc, sync step 1) + answering the client's step 1 */
	serverOpen: Dist;
	/** CPU time of the process for the same (user + system): less sensitive to other work on the machine */
	serverOpenCpu: Dist;
	/** the same plus the client applying the answer into its empty Y.Doc */
	openAndApply: Dist;
	/** the parts, measured apart with the same functions the hub uses */
	parts: { storeLoad: Dist; applyToYDoc: Dist; encodeAnswer: Dist };
	answerBytes: number;
}

/**
 * Opens the stored case `iterations` times with a fresh hub state each time (the document is
 * unloaded between opens: not in memory), timing the hub's own connect and sync answer.
 */
export async function openInProcess(temp: TempDb, docName: string, iterations: number, warmup: number): Promise<OpenInProcess> {
	const store = createSqliteDocStore(temp.sqlite, {
		now: () => new Date(),
		onWriteError: (error) => {
			throw error;
		}
	});
	const hub = new CollabHub({ store, log: silentLog });
	const serverOpen: number[] = [];
	const serverOpenCpu: number[] = [];
	const openAndApply: number[] = [];
	let answerBytes = 0;
	for (let i = 0; i < warmup + iterations; i++) {
		if (hub.isLoaded(docName)) throw new Error('document still in memory');
		const doc = new Y.Doc();
		let answer: Uint8Array | null = null;
		const connection: CollabConnection = {
			id: `open${i}`,
			docName,
			userId: 1,
			sessionId: 'bench',
			access: 'read',
			send: (message) => {
				const d = decoding.createDecoder(message);
				if (decoding.readVarUint(d) === MESSAGE_SYNC && decoding.readVarUint(d) === syncProtocol.messageYjsSyncStep2) answer = message;
			},
			close: () => {}
		};
		const step1 = encodeSyncStep1(doc);
		const c0 = process.cpuUsage();
		const t0 = performance.now();
		hub.connect(connection);
		hub.receive(connection, step1);
		const t1 = performance.now();
		const c = process.cpuUsage(c0);
		if (!answer) throw new Error('no sync answer');
		const decoder = decoding.createDecoder(answer);
		decoding.readVarUint(decoder);
		syncProtocol.readSyncMessage(decoder, encoding.createEncoder(), doc, REMOTE);
		const t2 = performance.now();
		if (i >= warmup) {
			serverOpen.push(t1 - t0);
			serverOpenCpu.push((c.user + c.system) / 1000);
			openAndApply.push(t2 - t0);
			answerBytes = (answer as Uint8Array).byteLength;
		}
		hub.disconnect(connection);
		doc.destroy();
		await waitUnloaded(hub, docName);
	}
	// the parts, apart
	const loadT: number[] = [];
	const applyT: number[] = [];
	const encodeT: number[] = [];
	for (let i = 0; i < warmup + iterations; i++) {
		const a = performance.now();
		const stored = store.load(docName);
		const b = performance.now();
		const doc = new Y.Doc({ gc: true });
		Y.transact(doc, () => {
			if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
			for (const u of stored.updates) Y.applyUpdate(doc, u);
		});
		const c = performance.now();
		Y.encodeStateAsUpdate(doc, new Uint8Array([0]));
		const d = performance.now();
		doc.destroy();
		if (i >= warmup) {
			loadT.push(b - a);
			applyT.push(c - b);
			encodeT.push(d - c);
		}
	}
	return {
		iterations,
		serverOpen: dist(serverOpen),
		serverOpenCpu: dist(serverOpenCpu),
		openAndApply: dist(openAndApply),
		parts: { storeLoad: dist(loadT), applyToYDoc: dist(applyT), encodeAnswer: dist(encodeT) },
		answerBytes
	};
}
