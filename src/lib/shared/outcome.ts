import type { AgendaStatus } from './documents';

/**
 * What became of an agenda item, as the verslag and the end of the meeting report it. The
 * agenda status alone says "gepland" for an item that was talked about but not rounded off, and
 * for one nobody reached: once the meeting is closed, neither is planned any more.
 */
export const ITEM_OUTCOMES = ['afgerond', 'besproken', 'aangehouden', 'niet-besproken', 'gepland'] as const;
export type ItemOutcome = (typeof ITEM_OUTCOMES)[number];

export const ITEM_OUTCOME_LABELS: Record<ItemOutcome, string> = {
	afgerond: 'Besproken en afgerond',
	besproken: 'Besproken, niet afgerond',
	aangehouden: 'Aangehouden',
	'niet-besproken': 'Niet besproken',
	gepland: 'Gepland'
};

export interface OutcomeInput {
	status: AgendaStatus;
	/** the server rounded the item off (item_closures) */
	closed: boolean;
	/** something was recorded for it at this meeting: decisions, minutes, presence, regie, or it was on the screen at the close */
	discussed: boolean;
	meetingClosed: boolean;
}

export function itemOutcome({ status, closed, discussed, meetingClosed }: OutcomeInput): ItemOutcome {
	if (closed || status === 'besproken') return 'afgerond';
	if (status === 'aangehouden') return 'aangehouden';
	if (discussed) return 'besproken';
	return meetingClosed ? 'niet-besproken' : 'gepland';
}

/** Whether the item was talked about: only then does the regie (or its absence) belong to this meeting. */
export const wasDiscussed = (outcome: ItemOutcome) => outcome === 'afgerond' || outcome === 'besproken';

/** "1 van de 3 agendapunten is afgerond", "2 van de 3 agendapunten zijn afgerond" */
export function closedCountLine(closed: number, total: number): string {
	if (total === 1) return closed === 1 ? 'Het agendapunt is afgerond.' : 'Het agendapunt is niet afgerond.';
	return `${closed} van de ${total} agendapunten ${closed === 1 ? 'is' : 'zijn'} afgerond.`;
}
