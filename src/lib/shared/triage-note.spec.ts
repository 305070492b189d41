import { describe, expect, it } from 'vitest';
import { triageNoteLabel } from './triage-note';

describe('triageNoteLabel', () => {
	it('calls the note of a rejection a reason, and nothing else', () => {
		expect(triageNoteLabel('afgewezen')).toBe('Reden van afwijzing');
		for (const status of ['aanvulling_gevraagd', 'ingediend', 'ingetrokken'] as const) expect(triageNoteLabel(status)).not.toMatch(/Reden/);
	});
	it('calls the table question a question, also after it was answered or the request withdrawn', () => {
		expect(triageNoteLabel('aanvulling_gevraagd')).toBe('Vraag van de tafel');
		expect(triageNoteLabel('ingetrokken')).toBe('Eerder gevraagd door de tafel');
		expect(triageNoteLabel('ingediend')).toBe('Eerder gevraagd door de tafel');
	});
});
