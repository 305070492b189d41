/**
 * The room: who is at the table during a meeting (issue 13 item 2, issue 14 item 3). Types and
 * labels only (no zod), so pages can import them; the command schemas are in ./live.ts.
 */

export const ATTENDANCE_STATUSES = ['aanwezig', 'afgemeld', 'afwezig'] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];
export const ATTENDANCE_LABELS: Record<AttendanceStatus, string> = {
	aanwezig: 'Aanwezig',
	afgemeld: 'Afgemeld',
	afwezig: 'Afwezig'
};

/** Per agenda item: joined the room for it ('in', schuift in) or left it ('uit'). */
export const ITEM_PRESENCES = ['in', 'uit'] as const;
export type ItemPresence = (typeof ITEM_PRESENCES)[number];

/**
 * The server's decision that the shared screen shows the current item restricted: someone in
 * the room belongs to an organisation without access to the item's case. Sent to everyone in
 * the meeting with the meeting state; it names organisations, never people or case content.
 */
export interface RoomRestriction {
	itemId: string;
	caseId: number;
	/** the organisations in the room without access, sorted */
	organisations: string[];
	/** "Politie Eenheid Voorbeeld heeft geen toegang: beperkte weergave" */
	message: string;
}

export interface RoomSummary {
	restricted: RoomRestriction | null;
}

/** One member of the table in the register, as the chair and secretaris see it. */
export interface RegisterEntry {
	userId: number;
	name: string;
	organisationName: string;
	role: string;
	status: AttendanceStatus | null;
	reason: string | null;
	/** open connections (laptops, tabs; not the shared screen) of this member to the meeting */
	sockets: number;
	/** joined or left the room for the current item; null = not marked for it */
	item: ItemPresence | null;
	/** in the room for the current item, as the server counts it */
	inRoom: boolean;
	/** may see the current item's case; null when the current item is not about a case */
	hasAccess: boolean | null;
}

export interface RoomRegister {
	meetingId: number;
	/** the item the per-item marks are about: the meeting's current item */
	itemId: string | null;
	entries: RegisterEntry[];
	/** connections of the members in the room, the shared screen not counted: their laptops */
	laptops: number;
	restricted: RoomRestriction | null;
}

/** "A heeft geen toegang", "A en B hebben geen toegang", "A, B en C hebben geen toegang". */
export function restrictionMessage(organisations: string[]): string {
	const names =
		organisations.length <= 1
			? (organisations[0] ?? '')
			: `${organisations.slice(0, -1).join(', ')} en ${organisations[organisations.length - 1]}`;
	return `${names} ${organisations.length === 1 ? 'heeft' : 'hebben'} geen toegang: beperkte weergave`;
}

/**
 * Who counts as in the room for an item: marked as joining it; or, unless marked as having left
 * it, marked aanwezig for the meeting or connected to it (a laptop in the room says more than
 * an empty register).
 */
export function inRoom(entry: { status: AttendanceStatus | null; sockets: number; item: ItemPresence | null }): boolean {
	if (entry.item === 'in') return true;
	if (entry.item === 'uit') return false;
	return entry.status === 'aanwezig' || entry.sockets > 0;
}
