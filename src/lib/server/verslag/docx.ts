import {
	AlignmentType,
	BorderStyle,
	Document,
	Footer,
	HeadingLevel,
	Packer,
	PageNumber,
	Paragraph,
	ShadingType,
	Table,
	TableCell,
	TableRow,
	TextRun,
	WidthType
} from 'docx';
import type { Block } from './blocks';

/**
 * The verslag as a Word document (.docx), from the same blocks as the PDF: real Word headings
 * (so the navigation pane and a screen reader see the structure), bulleted lists, tables with
 * a repeating header row, Dutch as the proofing language, and the confidentiality line with
 * page numbers in the footer. A secretaris can open it and go on editing.
 */

export interface DocxMeta {
	title: string;
	footer: string;
}

const COLORS = { primary: '1F4E79', muted: '4A4A4A', border: 'B4B4B4', headerBg: 'E8F0F8', noticeBg: 'F3F4F6' };
/** A4 with 2 cm margins, in twentieths of a point */
const PAGE = { width: 11906, height: 16838, margin: 1134 };
const TEXT_WIDTH = PAGE.width - 2 * PAGE.margin;

/** Text with its line breaks kept: Word needs a break run for each newline. */
function runs(text: string, options: { bold?: boolean; color?: string; size?: number } = {}): TextRun[] {
	return text.split('\n').map((line, i) => new TextRun({ text: line, break: i > 0 ? 1 : undefined, ...options }));
}

const HEADINGS = { 1: HeadingLevel.HEADING_1, 2: HeadingLevel.HEADING_2, 3: HeadingLevel.HEADING_3 } as const;

const border = { style: BorderStyle.SINGLE, size: 4, color: COLORS.border };
const borders = { top: border, bottom: border, left: border, right: border };
const none = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
const noBorders = { top: none, bottom: none, left: none, right: none, insideHorizontal: none, insideVertical: none };

function toDocx(block: Block): (Paragraph | Table)[] {
	switch (block.kind) {
		case 'title':
			return [new Paragraph({ heading: HeadingLevel.TITLE, children: runs(block.text) })];
		case 'heading':
			return [new Paragraph({ heading: HEADINGS[block.level], keepNext: true, children: runs(block.text) })];
		case 'paragraph':
			return [
				new Paragraph({
					spacing: { after: 120 },
					children: runs(block.text, block.muted ? { color: COLORS.muted, size: 18 } : {})
				})
			];
		case 'notice':
			return [
				new Table({
					width: { size: TEXT_WIDTH, type: WidthType.DXA },
					columnWidths: [TEXT_WIDTH],
					borders: { ...borders, insideHorizontal: none, insideVertical: none },
					rows: [
						new TableRow({
							children: [
								new TableCell({
									shading: { type: ShadingType.CLEAR, color: 'auto', fill: COLORS.noticeBg },
									margins: { top: 80, bottom: 80, left: 120, right: 120 },
									children: block.lines.map((l) => new Paragraph({ children: runs(l, { size: 18 }) }))
								})
							]
						})
					]
				}),
				new Paragraph({ children: [] })
			];
		case 'fields': {
			const labelWidth = Math.round(TEXT_WIDTH * 0.3);
			return [
				new Table({
					width: { size: TEXT_WIDTH, type: WidthType.DXA },
					columnWidths: [labelWidth, TEXT_WIDTH - labelWidth],
					borders: noBorders,
					rows: block.rows.map(
						([label, value]) =>
							new TableRow({
								cantSplit: true,
								children: [
									new TableCell({ width: { size: labelWidth, type: WidthType.DXA }, children: [new Paragraph({ children: runs(label, { bold: true }) })] }),
									new TableCell({ width: { size: TEXT_WIDTH - labelWidth, type: WidthType.DXA }, children: [new Paragraph({ children: runs(value || '—') })] })
								]
							})
					)
				}),
				new Paragraph({ children: [] })
			];
		}
		case 'list':
			return block.items.map((item) => new Paragraph({ bullet: { level: 0 }, children: runs(item) }));
		case 'table': {
			const widths = block.columns.map((c) => Math.round(c.width * TEXT_WIDTH));
			const row = (cells: string[], header: boolean) =>
				new TableRow({
					// only on header rows: some readers take any tblHeader element, even "false", for a header
					tableHeader: header ? true : undefined,
					cantSplit: true,
					children: cells.map(
						(cell, i) =>
							new TableCell({
								width: { size: widths[i]!, type: WidthType.DXA },
								borders,
								margins: { top: 40, bottom: 40, left: 80, right: 80 },
								shading: header ? { type: ShadingType.CLEAR, color: 'auto', fill: COLORS.headerBg } : undefined,
								children: [new Paragraph({ children: runs(cell, header ? { bold: true } : {}) })]
							})
					)
				});
			return [
				new Table({
					width: { size: TEXT_WIDTH, type: WidthType.DXA },
					columnWidths: widths,
					rows: [row(block.columns.map((c) => c.label), true), ...block.rows.map((r) => row(r, false))]
				}),
				new Paragraph({ children: [] })
			];
		}
	}
}

export function verslagDocx(blocks: Block[], meta: DocxMeta): Promise<Buffer> {
	const document = new Document({
		title: meta.title,
		creator: 'Casustafel',
		description: 'Verslag van een overleg',
		styles: {
			default: {
				document: { run: { font: 'Calibri', size: 21, language: { value: 'nl-NL' } } },
				title: { run: { color: COLORS.primary, size: 36, bold: true } },
				heading1: { run: { color: COLORS.primary, size: 28, bold: true }, paragraph: { spacing: { before: 360, after: 120 } } },
				heading2: { run: { color: COLORS.primary, size: 24, bold: true }, paragraph: { spacing: { before: 240, after: 80 } } },
				heading3: { run: { color: '1A1A1A', size: 21, bold: true }, paragraph: { spacing: { before: 160, after: 60 } } }
			}
		},
		sections: [
			{
				properties: { page: { size: { width: PAGE.width, height: PAGE.height }, margin: { top: PAGE.margin, bottom: PAGE.margin, left: PAGE.margin, right: PAGE.margin } } },
				footers: {
					default: new Footer({
						children: [
							new Paragraph({
								alignment: AlignmentType.CENTER,
								children: [new TextRun({ size: 16, color: COLORS.muted, children: [`${meta.footer} · pagina `, PageNumber.CURRENT, ' van ', PageNumber.TOTAL_PAGES] })]
							})
						]
					})
				},
				children: blocks.flatMap(toDocx)
			}
		]
	});
	return Packer.toBuffer(document);
}
