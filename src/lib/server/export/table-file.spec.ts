import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { csvField, toCsv, toXlsx } from './table-file';

describe('a table as a file for Excel', () => {
	it('never lets a text start a formula in the CSV, and quotes what needs quoting', () => {
		for (const text of ['=1+1', '+31 6', '-2', '@SUM(A1)', '\tx', '\rx']) expect(csvField(text).replace(/^"/, '')).toMatch(/^'/);
		expect(csvField('Bel "moeder"; vandaag')).toBe('"Bel ""moeder""; vandaag"');
		expect(csvField('gewoon')).toBe('gewoon');
		expect(csvField(3)).toBe('3');
		expect(csvField({ date: '2026-03-05' })).toBe('2026-03-05');
		expect(csvField(null)).toBe('');
	});

	it('writes a CSV with a BOM, a header row and CRLF lines', () => {
		const csv = toCsv({ sheetName: 'x', columns: [{ header: 'Casus', width: 5 }, { header: 'Deadline', width: 5 }], rows: [['A', { date: '2026-01-02' }]] });
		expect(csv).toBe('\uFEFFCasus;Deadline\r\nA;2026-01-02\r\n');
	});

	it('writes an .xlsx whose dates are dates and whose formula-like text stays text', async () => {
		const body = await toXlsx({ sheetName: 'Acties', columns: [{ header: 'Actie', width: 5 }, { header: 'Deadline', width: 5 }], rows: [['=HYPERLINK("x")', { date: '2026-03-05' }]] });
		const book = new ExcelJS.Workbook();
		await book.xlsx.load(body as unknown as ArrayBuffer);
		const sheet = book.getWorksheet('Acties')!;
		expect(sheet.getRow(1).values).toEqual([undefined, 'Actie', 'Deadline']);
		expect(sheet.getCell('A2').value).toBe('=HYPERLINK("x")');
		expect(sheet.getCell('A2').type).toBe(ExcelJS.ValueType.String);
		expect(sheet.getCell('B2').value).toEqual(new Date(Date.UTC(2026, 2, 5)));
		expect(sheet.getCell('B2').numFmt).toBe('dd-mm-yyyy');
	});
});
