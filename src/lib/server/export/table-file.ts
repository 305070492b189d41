import ExcelJS from 'exceljs';

/**
 * A table of rows as a file for Excel: CSV (`;`-separated for Dutch Excel, UTF-8 with a BOM,
 * CRLF, never a formula) or .xlsx (real date cells, a bold header row that stays in view and a
 * filter on it). The caller decides what the rows hold; this module only writes them.
 */

export type Cell = string | number | { date: string } | null;

export interface Column {
	header: string;
	/** width in characters, for the .xlsx */
	width: number;
}

export interface TableFile {
	sheetName: string;
	columns: Column[];
	rows: Cell[][];
}

/** A text a spreadsheet would run as a formula (OWASP "CSV injection"): = + - @, tab or CR first. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: quoted when needed, a formula-like text prefixed with ' so it stays text. */
export function csvField(cell: Cell): string {
	if (cell === null) return '';
	if (typeof cell === 'number') return String(cell);
	if (typeof cell === 'object') return cell.date;
	const safe = FORMULA_START.test(cell) ? `'${cell}` : cell;
	return /[;"\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(file: TableFile): string {
	const lines = [file.columns.map((c) => c.header), ...file.rows];
	return '\uFEFF' + lines.map((line) => line.map(csvField).join(';')).join('\r\n') + '\r\n';
}

/** A YYYY-MM-DD day as the date Excel shows for it (midnight UTC is how Excel counts days). */
function excelDate(day: string): Date | string {
	const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
	return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : day;
}

export async function toXlsx(file: TableFile): Promise<Buffer> {
	const workbook = new ExcelJS.Workbook();
	workbook.creator = 'Casustafel';
	const sheet = workbook.addWorksheet(file.sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
	sheet.columns = file.columns.map((c) => ({ header: c.header, width: c.width }));
	sheet.getRow(1).font = { bold: true };
	for (const row of file.rows) {
		// an empty text is an empty cell, not a cell with an empty string
		const added = sheet.addRow(row.map((cell) => (cell === '' ? null : cell !== null && typeof cell === 'object' ? excelDate(cell.date) : cell)));
		row.forEach((cell, i) => {
			if (cell !== null && typeof cell === 'object') added.getCell(i + 1).numFmt = 'dd-mm-yyyy';
		});
	}
	sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: file.columns.length } };
	return Buffer.from(await workbook.xlsx.writeBuffer());
}
