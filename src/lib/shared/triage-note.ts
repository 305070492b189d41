import type { RequestStatus } from './tables';

/**
 * What the table's note on an aanmelding is, by the request's status: the one note field holds
 * the reason of a rejection, or the question of a request for more information (which stays on
 * the request after it is supplemented or withdrawn). A question must never read as "Reden".
 */
export function triageNoteLabel(status: RequestStatus): string {
	switch (status) {
		case 'afgewezen':
			return 'Reden van afwijzing';
		case 'aanvulling_gevraagd':
			return 'Vraag van de tafel';
		default:
			return 'Eerder gevraagd door de tafel';
	}
}
