import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import type { Block } from './blocks';

/**
 * The verslag as an A4 PDF, written with pdfkit on the server (no browser). The text is set in
 * DejaVu Sans, embedded, because the PDF standard fonts cannot write names such as Yılmaz or
 * Łukasz. The PDF is tagged (headings, paragraphs, lists, tables with header cells) and says
 * it is Dutch, so a screen reader can follow it; page furniture is marked as artifact.
 */

const require = createRequire(import.meta.url);
const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
let fonts: { regular: Buffer; bold: Buffer } | null = null;
/** The font files, read once per process. */
function fontData() {
	fonts ??= {
		regular: fs.readFileSync(path.join(FONT_DIR, 'DejaVuSans.ttf')),
		bold: fs.readFileSync(path.join(FONT_DIR, 'DejaVuSans-Bold.ttf'))
	};
	return fonts;
}

const COLOR = { text: '#1a1a1a', muted: '#4a4a4a', primary: '#1f4e79', border: '#b4b4b4', headerBg: '#e8f0f8', noticeBg: '#f3f4f6' };
const MARGIN = { top: 56, bottom: 64, left: 56, right: 56 };
const SIZE = { title: 18, h1: 14, h2: 12, h3: 10.5, body: 9.5, small: 8 };
const PAD = 4;

type Doc = PDFKit.PDFDocument;
type Struct = PDFKit.PDFStructureElement;

/**
 * doc.struct with what pdfkit 0.20 accepts and @types/pdfkit does not know yet: a closure as
 * content (run when the element is added to an attached parent) and the table header scope.
 */
function el(doc: Doc, type: string, options: { scope?: 'Row' | 'Column' }, content?: () => void): Struct {
	const struct = doc.struct as unknown as (type: string, options: object, children: (() => void) | null) => Struct;
	return struct.call(doc, type, options, content ?? null);
}

export interface PdfMeta {
	title: string;
	/** printed in the footer of every page */
	footer: string;
}

export function verslagPdf(blocks: Block[], meta: PdfMeta): Promise<Buffer> {
	const font = fontData();
	const doc: Doc = new PDFDocument({
		size: 'A4',
		margins: MARGIN,
		bufferPages: true,
		tagged: true,
		lang: 'nl-NL',
		displayTitle: true,
		pdfVersion: '1.7',
		// pdfkit takes a buffer here too; the typings only know a path
		font: font.regular as unknown as string,
		info: { Title: meta.title, Author: 'Casustafel', Subject: 'Verslag van een overleg', Creator: 'Casustafel' }
	});
	const chunks: Buffer[] = [];
	doc.on('data', (c: Buffer) => chunks.push(c));
	const done = new Promise<Buffer>((resolve, reject) => {
		doc.on('end', () => resolve(Buffer.concat(chunks)));
		doc.on('error', reject);
	});
	doc.registerFont('regular', font.regular);
	doc.registerFont('bold', font.bold);

	const root = doc.struct('Document');
	doc.addStructure(root);
	const w = new Writer(doc, root);
	for (const block of blocks) w.block(block);
	root.end();
	footers(doc, meta.footer);
	doc.end();
	return done;
}

class Writer {
	constructor(
		private readonly doc: Doc,
		private readonly root: Struct
	) {}

	private get width() {
		return this.doc.page.width - MARGIN.left - MARGIN.right;
	}
	private get bottom() {
		return this.doc.page.height - MARGIN.bottom;
	}
	/** Starts a new page unless `height` points still fit on this one. */
	private room(height: number) {
		if (this.doc.y + height > this.bottom) this.doc.addPage();
	}
	private height(text: string, font: 'regular' | 'bold', size: number, width: number) {
		return this.doc.font(font).fontSize(size).heightOfString(text || ' ', { width });
	}
	private text(type: string, text: string, options: { font?: 'regular' | 'bold'; size?: number; color?: string; x?: number; width?: number; parent?: Struct } = {}) {
		const { doc } = this;
		doc.font(options.font ?? 'regular').fontSize(options.size ?? SIZE.body).fillColor(options.color ?? COLOR.text);
		const x = options.x ?? MARGIN.left;
		(options.parent ?? this.root).add(
			el(doc, type, {}, () => {
				doc.text(text, x, doc.y, { width: options.width ?? this.width });
			})
		);
	}
	private artifact(draw: () => void) {
		this.doc.markContent('Artifact', { type: 'Layout' });
		draw();
		this.doc.endMarkedContent();
	}

	block(b: Block) {
		const { doc } = this;
		switch (b.kind) {
			case 'title':
				this.text('H1', b.text, { font: 'bold', size: SIZE.title, color: COLOR.primary });
				doc.moveDown(0.4);
				break;
			case 'heading': {
				const size = b.level === 1 ? SIZE.h1 : b.level === 2 ? SIZE.h2 : SIZE.h3;
				const before = b.level === 1 ? 1.1 : b.level === 2 ? 0.9 : 0.6;
				doc.moveDown(before);
				// keep a heading with the first lines of what follows it
				this.room(this.height(b.text, 'bold', size, this.width) + (b.level === 1 ? 110 : 40));
				// the title is H1, so the verslag's own levels start one lower
				this.text(`H${b.level + 1}`, b.text, { font: 'bold', size, color: b.level === 3 ? COLOR.text : COLOR.primary });
				if (b.level === 1) {
					const y = doc.y + 1;
					this.artifact(() => doc.moveTo(MARGIN.left, y).lineTo(MARGIN.left + this.width, y).lineWidth(0.8).strokeColor(COLOR.primary).stroke());
					doc.y = y + 3;
				}
				doc.moveDown(0.25);
				break;
			}
			case 'paragraph':
				this.text('P', b.text, { color: b.muted ? COLOR.muted : COLOR.text, size: b.muted ? SIZE.small + 0.5 : SIZE.body });
				doc.moveDown(0.35);
				break;
			case 'notice': {
				const inner = this.width - 2 * (PAD + 4);
				const heights = b.lines.map((l) => this.height(l, 'regular', SIZE.small + 0.5, inner));
				const total = heights.reduce((a, h) => a + h + 2, 0) + 2 * (PAD + 2);
				doc.moveDown(0.3);
				this.room(total);
				const top = doc.y;
				this.artifact(() => doc.rect(MARGIN.left, top, this.width, total).lineWidth(0.6).fillAndStroke(COLOR.noticeBg, COLOR.border));
				doc.y = top + PAD + 2;
				for (const line of b.lines) {
					this.text('P', line, { size: SIZE.small + 0.5, x: MARGIN.left + PAD + 4, width: inner });
					doc.y += 2;
				}
				doc.y = top + total;
				doc.moveDown(0.5);
				break;
			}
			case 'fields': {
				const labelW = this.width * 0.3;
				const valueW = this.width - labelW - 8;
				const table = doc.struct('Table');
				this.root.add(table);
				for (const [label, value] of b.rows) {
					const h = Math.max(this.height(label, 'bold', SIZE.body, labelW), this.height(value, 'regular', SIZE.body, valueW));
					this.room(h + 3);
					const top = doc.y;
					const tr = doc.struct('TR');
					table.add(tr);
					doc.font('bold').fontSize(SIZE.body).fillColor(COLOR.text);
					tr.add(el(doc, 'TH', { scope: 'Row' }, () => void doc.text(label, MARGIN.left, top, { width: labelW })));
					doc.font('regular').fontSize(SIZE.body).fillColor(COLOR.text);
					tr.add(el(doc, 'TD', {}, () => void doc.text(value || '—', MARGIN.left + labelW + 8, top, { width: valueW })));
					tr.end();
					doc.y = top + h + 3;
				}
				table.end();
				doc.x = MARGIN.left;
				doc.moveDown(0.25);
				break;
			}
			case 'list': {
				const list = doc.struct('L');
				this.root.add(list);
				const indent = 12;
				for (const item of b.items) {
					this.room(this.height(item, 'regular', SIZE.body, this.width - indent) + 2);
					const top = doc.y;
					const li = doc.struct('LI');
					list.add(li);
					doc.font('regular').fontSize(SIZE.body).fillColor(COLOR.text);
					li.add(el(doc, 'Lbl', {}, () => void doc.text('•', MARGIN.left + 2, top, { width: indent })));
					li.add(el(doc, 'LBody', {}, () => void doc.text(item, MARGIN.left + indent, top, { width: this.width - indent })));
					li.end();
					doc.y += 2;
				}
				list.end();
				doc.x = MARGIN.left;
				doc.moveDown(0.25);
				break;
			}
			case 'table':
				this.table(b);
				break;
		}
	}

	private table(b: Extract<Block, { kind: 'table' }>) {
		const { doc } = this;
		const widths = b.columns.map((c) => c.width * this.width);
		const rowHeight = (cells: string[], font: 'regular' | 'bold') =>
			Math.max(...cells.map((c, i) => this.height(c, font, SIZE.body, widths[i]! - 2 * PAD))) + 2 * PAD;
		const table = doc.struct('Table');
		this.root.add(table);
		const drawRow = (cells: string[], header: boolean) => {
			const font = header ? 'bold' : 'regular';
			const h = rowHeight(cells, font);
			const top = doc.y;
			this.artifact(() => {
				let x = MARGIN.left;
				for (const cw of widths) {
					if (header) doc.rect(x, top, cw, h).fill(COLOR.headerBg);
					doc.rect(x, top, cw, h).lineWidth(0.5).strokeColor(COLOR.border).stroke();
					x += cw;
				}
			});
			const tr = doc.struct('TR');
			table.add(tr);
			let x = MARGIN.left;
			cells.forEach((cell, i) => {
				const cw = widths[i]!;
				const cx = x;
				doc.font(font).fontSize(SIZE.body).fillColor(COLOR.text);
				tr.add(el(doc, header ? 'TH' : 'TD', header ? { scope: 'Column' } : {}, () => void doc.text(cell, cx + PAD, top + PAD, { width: cw - 2 * PAD })));
				x += cw;
			});
			tr.end();
			doc.y = top + h;
		};
		const head = b.columns.map((c) => c.label);
		const headHeight = rowHeight(head, 'bold');
		this.room(headHeight + (b.rows[0] ? rowHeight(b.rows[0], 'regular') : 0));
		drawRow(head, true);
		for (const row of b.rows) {
			const h = rowHeight(row, 'regular');
			if (doc.y + h > this.bottom) {
				doc.addPage();
				drawRow(head, true);
			}
			drawRow(row, false);
		}
		table.end();
		doc.x = MARGIN.left;
		doc.moveDown(0.6);
	}
}

/** "Vertrouwelijk · … · pagina 2 van 3" at the foot of every page, as artifact. */
function footers(doc: Doc, text: string) {
	const range = doc.bufferedPageRange();
	for (let i = range.start; i < range.start + range.count; i++) {
		doc.switchToPage(i);
		const y = doc.page.height - MARGIN.bottom + 20;
		const width = doc.page.width - MARGIN.left - MARGIN.right;
		// below the bottom margin: without this pdfkit would start a new page for the footer
		const bottom = doc.page.margins.bottom;
		doc.page.margins.bottom = 0;
		doc.markContent('Artifact', { type: 'Pagination' });
		doc
			.font('regular')
			.fontSize(SIZE.small)
			.fillColor(COLOR.muted)
			.text(`${text} · pagina ${i - range.start + 1} van ${range.count}`, MARGIN.left, y, { width, align: 'center', lineBreak: false, height: 12 });
		doc.endMarkedContent();
		doc.page.margins.bottom = bottom;
	}
}
