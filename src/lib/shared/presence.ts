/**
 * Presence (who is in which field) is server-owned: the server sets name, organisation and
 * colour; of what a client says about itself only these fields pass, bounded. Browser and
 * server share this module; the browser renders a colour only as an index into PRESENCE_COLORS.
 */
export const PRESENCE_COLORS = ['#1f4e79', '#8a3b12', '#2f6b2f', '#6b2f6b', '#005f73', '#7a4f00', '#9b2226', '#3d405b'] as const;

/** Largest awareness state (JSON) a client may send; real ones are about 150 bytes. */
export const PRESENCE_MAX_STATE_BYTES = 2048;
const MAX_FIELD = 100;
const MAX_TEXT = 120;

export function presenceColorIndex(userId: number): number {
	return Math.abs(Math.trunc(userId)) % PRESENCE_COLORS.length;
}

export function presenceColor(userId: number): string {
	return PRESENCE_COLORS[presenceColorIndex(userId)]!;
}

/** The palette index of a colour, or 0 for anything not in the palette. */
export function paletteIndex(color: unknown): number {
	const i = PRESENCE_COLORS.indexOf(color as (typeof PRESENCE_COLORS)[number]);
	return i < 0 ? 0 : i;
}

export interface PresenceState {
	user: { name: string; organisation: string; color: string };
	field: string | null;
	cursor?: { anchor: number; head: number };
}

const boundedInt = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 10_000_000 ? v : null);

/** What the server keeps of a client's awareness state: its own identity, and two fields. */
export function sanitizePresence(state: unknown, user: PresenceState['user']): PresenceState {
	const s = (state && typeof state === 'object' ? state : {}) as Record<string, unknown>;
	const field = typeof s.field === 'string' && s.field.length <= MAX_FIELD && !/[\u0000-\u001f\u007f]/.test(s.field) ? s.field : null;
	const out: PresenceState = {
		user: { name: user.name.slice(0, MAX_TEXT), organisation: user.organisation.slice(0, MAX_TEXT), color: user.color },
		field
	};
	const c = s.cursor as Record<string, unknown> | undefined;
	if (c && typeof c === 'object') {
		const anchor = boundedInt(c.anchor);
		const head = boundedInt(c.head);
		if (anchor !== null && head !== null) out.cursor = { anchor, head };
	}
	return out;
}
