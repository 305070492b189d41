import { describe, expect, it } from 'vitest';
import { verslagBlocks, type Block } from './blocks';
import { verslagFilename, type Verslag } from './index';

const base: Verslag = {
	meeting: { id: 7, tableId: 1, tableName: 'Top 150 Regio Voorbeeld', typeName: 'Top 150', startsAt: '2026-12-01T23:30:00Z', location: 'Zaal 1', status: 'gepland', statusLabel: 'Gepland', openedAt: null, closedAt: null },
	generatedAt: '2026-11-29T08:00:00Z',
	reader: { name: 'Pieter Smit', organisationName: 'Politie Eenheid Voorbeeld' },
	members: [],
	attendanceRecorded: false,
	agenda: [],
	omittedItems: 0,
	notes: '',
	orphanDecisions: [],
	cases: []
};
const texts = (blocks: Block[]) =>
	blocks.flatMap((b) => ('text' in b ? [b.text] : 'lines' in b ? b.lines : 'items' in b ? b.items : 'rows' in b ? b.rows.flat() : []));

describe('verslag file names', () => {
	it('name the table and the meeting day in Amsterdam, in plain ASCII', () => {
		expect(verslagFilename(base, 'pdf')).toBe('verslag-top-150-regio-voorbeeld-2026-12-02.pdf');
		const other = { ...base, meeting: { ...base.meeting, tableName: 'Één tafel — Zuid/Oost', startsAt: '2026-07-01T08:00:00Z' } };
		expect(verslagFilename(other, 'docx')).toBe('verslag-een-tafel-zuid-oost-2026-07-01.docx');
	});
});

describe('verslag outline', () => {
	it('a reader without access to any case gets the meeting, a count of what was left out and no case', () => {
		const lines = texts(verslagBlocks({ ...base, omittedItems: 2 }));
		expect(lines).toContain('2 agendapunten gaan over casussen waartoe u geen toegang hebt en zijn weggelaten.');
		expect(lines).toContain('Dit verslag bevat geen casussen die u mag inzien.');
		expect(lines).not.toContain('De agenda van dit overleg is leeg.');
		expect(lines.some((l) => l.startsWith('Concept: het overleg is nog niet gesloten'))).toBe(true);
		expect(lines.some((l) => l.startsWith('Vertrouwelijk. Opgesteld voor Pieter Smit (Politie Eenheid Voorbeeld)'))).toBe(true);
	});

	it('a closed meeting is no concept and says when it closed', () => {
		const lines = texts(verslagBlocks({ ...base, meeting: { ...base.meeting, status: 'gesloten', statusLabel: 'Gesloten', closedAt: '2026-12-02T10:15:00Z' } }));
		expect(lines).toContain('Gesloten om 11:15');
		expect(lines.some((l) => l.startsWith('Concept'))).toBe(false);
		expect(lines).toContain('De agenda van dit overleg is leeg.');
	});
});

describe('general items and carried items in the verslag (issue 14 item 2)', () => {
	it('lists a general item with what was decided at it, and says where a carried item went', () => {
		const agenda: Verslag['agenda'] = [
			{ position: 1, caseCode: null, title: 'Mededelingen', plannedMinutes: 10, status: 'besproken', statusLabel: 'Besproken', decisions: ['De wijkagent stelt zich in oktober voor.'], carriedToStartsAt: null },
			{ position: 2, caseCode: 'MDA-2026-001', title: 'Huishouden', plannedMinutes: 45, status: 'gepland', statusLabel: 'Gepland', decisions: [], carriedToStartsAt: null },
			{ position: 3, caseCode: null, title: 'Evaluatie', plannedMinutes: 5, status: 'aangehouden', statusLabel: 'Aangehouden', decisions: [], carriedToStartsAt: '2027-11-16T12:00:00Z' }
		];
		const lines = texts(verslagBlocks({ ...base, agenda }));
		expect(lines).toEqual(expect.arrayContaining(['Mededelingen', 'MDA-2026-001: Huishouden', 'Evaluatie', 'Besluiten: Mededelingen', 'De wijkagent stelt zich in oktober voor.']));
		expect(lines).toContain('Aangehouden; doorgeschoven naar 16 november 2027');
		expect(lines).not.toContain('Besluiten: Evaluatie');
	});
});
