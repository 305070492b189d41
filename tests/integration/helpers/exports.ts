import mammoth from 'mammoth';
import { PDFParse } from 'pdf-parse';

/**
 * Text of the downloadable exports, for tests that check what a file holds (not its bytes, which
 * are compressed): the PDF as pdf.js reads it and the .docx as Word's text, whitespace made single
 * so wrapped lines still match.
 */
export async function pdfText(body: Buffer): Promise<string> {
	const parser = new PDFParse({ data: new Uint8Array(body) });
	try {
		return (await parser.getText()).text.replace(/\s+/g, ' ');
	} finally {
		await parser.destroy();
	}
}

export async function docxText(body: Buffer): Promise<string> {
	return (await mammoth.extractRawText({ buffer: body })).value.replace(/\s+/g, ' ');
}
