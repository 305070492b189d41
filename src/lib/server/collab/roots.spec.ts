import { describe, expect, it } from 'vitest';
import { decisionDocName } from '../../shared/documents';
import { rootNameAllowed } from './limits';

describe('where a decision lives, and that the hub lets it be written there', () => {
	it('a case item decides in its bespreking document, a general item in the meeting document', () => {
		expect(decisionDocName(7, { caseId: 12 })).toBe('bespreking:7:12');
		expect(decisionDocName(7, { caseId: null })).toBe('meeting:7');
	});

	it('both documents accept the decisions root; a bespreking document takes no meeting notes or agenda', () => {
		expect(rootNameAllowed('bespreking:7:12', 'decisions')).toBe(true);
		expect(rootNameAllowed('meeting:7', 'decisions')).toBe(true);
		expect(rootNameAllowed('bespreking:7:12', 'verslag')).toBe(true);
		expect(rootNameAllowed('bespreking:7:12', 'notes')).toBe(false);
		expect(rootNameAllowed('bespreking:7:12', 'agendaItems')).toBe(false);
	});
});
