import type { AppContext } from '../context';
import type { Actor } from '../policy/index';
import { formatMeetingDate, verslagBlocks } from './blocks';
import { verslagDocx } from './docx';
import { auditVerslag, buildVerslag, verslagFilename, type Verslag } from './index';
import { verslagPdf } from './pdf';

export interface VerslagFile {
	filename: string;
	contentType: string;
	body: Buffer;
	caseCount: number;
}

const CONTENT_TYPES = {
	pdf: 'application/pdf',
	docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'
} as const;

/** The title and the line at the foot of every page. */
function furniture(v: Verslag) {
	return {
		title: `Verslag ${v.meeting.tableName}, ${formatMeetingDate(v.meeting.startsAt)}`,
		footer: `Vertrouwelijk · Verslag ${v.meeting.tableName} · opgesteld voor ${v.reader.name}`
	};
}

/**
 * The verslag of a meeting as a download for this reader, with only the cases they may view;
 * the export is in the audit log (format and which cases, never content).
 */
export async function exportVerslag(
	ctx: AppContext,
	actor: Actor,
	meetingId: number,
	format: 'pdf' | 'docx',
	meta: { ip: string | null }
): Promise<VerslagFile> {
	const verslag = await buildVerslag(ctx, actor, meetingId);
	const blocks = verslagBlocks(verslag);
	const body = format === 'pdf' ? await verslagPdf(blocks, furniture(verslag)) : await verslagDocx(blocks, furniture(verslag));
	await auditVerslag(ctx, actor, verslag, format, meta);
	return { filename: verslagFilename(verslag, format), contentType: CONTENT_TYPES[format], body, caseCount: verslag.cases.length };
}
