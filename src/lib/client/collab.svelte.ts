import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import type { Awareness } from 'y-protocols/awareness';
import { PRESENCE_COLORS, paletteIndex, presenceColor } from '$lib/shared/presence';

export type ConnectionStatus = 'verbinden' | 'verbonden' | 'opnieuw verbinden' | 'offline' | 'geweigerd';

export interface PresenceUser {
	name: string;
	organisation: string;
	color: string;
}

/** What each participant tells the others about themselves: who, and which field they are in. */
export interface AwarenessState {
	user?: PresenceUser;
	field?: string | null;
}

/** Someone else in a field, as shown: keyed by their awareness client id, never by name. */
export interface Editor {
	clientId: number;
	name: string;
	organisation: string;
	/** index into PRESENCE_COLORS; whatever colour a client claims, only the palette is drawn */
	color: number;
}

export { PRESENCE_COLORS };

export function colorFor(seed: number): string {
	return presenceColor(seed);
}

const text = (v: unknown, max = 120) => (typeof v === 'string' ? v.slice(0, max) : '');

/** The editors of a field from awareness states: bounded strings, palette colours, one per client id. */
export function editorsFrom(peers: { clientId: number; state: AwarenessState }[], field: string): Editor[] {
	const seen = new Set<number>();
	const out: Editor[] = [];
	for (const p of peers) {
		const user = p.state?.user;
		if (p.state?.field !== field || !user || typeof user !== 'object' || seen.has(p.clientId)) continue;
		seen.add(p.clientId);
		out.push({ clientId: p.clientId, name: text(user.name), organisation: text(user.organisation), color: paletteIndex(user.color) });
	}
	return out;
}

/**
 * One shared document in the browser: a Y.Doc synced over the standard y-websocket protocol to
 * `/collab/<name>`, with its connection status as runes state. Edits made offline stay in the
 * Y.Doc and merge when the connection returns; y-websocket reconnects by itself.
 */
export class CollabDoc {
	readonly doc = new Y.Doc();
	readonly provider: WebsocketProvider;
	readonly awareness: Awareness;
	status = $state<ConnectionStatus>('verbinden');
	synced = $state(false);
	/** the other participants' awareness states, refreshed on every change */
	peers = $state<{ clientId: number; state: AwarenessState }[]>([]);
	/** bumped on every document change, so $derived readers of the doc recompute */
	version = $state(0);

	constructor(
		readonly name: string,
		user: PresenceUser
	) {
		const protocol = location.protocol === 'https:' ? 'wss' : 'ws';
		this.provider = new WebsocketProvider(`${protocol}://${location.host}/collab`, name, this.doc, {
			disableBc: true,
			maxBackoffTime: 5000
		});
		this.awareness = this.provider.awareness;
		this.awareness.setLocalStateField('user', user);
		this.provider.on('status', ({ status }) => {
			if (this.status === 'geweigerd') return;
			this.status =
				status === 'connected' ? 'verbonden' : navigator.onLine ? 'opnieuw verbinden' : 'offline';
		});
		this.provider.on('sync', (synced: boolean) => (this.synced = synced));
		this.provider.on('closed', () => (this.status = 'geweigerd'));
		this.doc.on('update', () => (this.version += 1));
		this.awareness.on('change', () => this.refreshPeers());
		window.addEventListener('offline', this.onOffline);
	}

	private onOffline = () => {
		if (this.status !== 'geweigerd') this.status = 'offline';
	};

	private refreshPeers() {
		const own = this.doc.clientID;
		this.peers = [...this.awareness.getStates().entries()]
			.filter(([id]) => id !== own)
			.map(([clientId, state]) => ({ clientId, state: state as AwarenessState }));
	}

	setField(field: string | null) {
		this.awareness.setLocalStateField('field', field);
	}

	/** Participants currently in a field, other than me. */
	editorsOf(field: string): Editor[] {
		return editorsFrom(this.peers, field);
	}

	destroy() {
		window.removeEventListener('offline', this.onOffline);
		this.provider.destroy();
		this.doc.destroy();
	}
}
