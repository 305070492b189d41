import { ACTION_STATUS_LABELS } from '../../shared/documents';
import { formatDate, formatDeadline } from '../../shared/format';
import type { Verslag, VerslagAction, VerslagCase } from './index';

/**
 * The verslag as a flat list of blocks, the one outline both downloads are written from, so
 * the PDF and the .docx say the same thing in the same order as the printable page.
 */
export type Block =
	| { kind: 'title'; text: string }
	| { kind: 'heading'; level: 1 | 2 | 3; text: string }
	| { kind: 'paragraph'; text: string; muted?: boolean }
	/** a framed remark: confidentiality, a concept, what was left out */
	| { kind: 'notice'; lines: string[] }
	/** label: value pairs */
	| { kind: 'fields'; rows: [string, string][] }
	| { kind: 'list'; items: string[] }
	/** widths are fractions of the text width and add up to 1 */
	| { kind: 'table'; caption: string; columns: { label: string; width: number }[]; rows: string[][] };

const dayAndTime = new Intl.DateTimeFormat('nl-NL', {
	weekday: 'long',
	day: 'numeric',
	month: 'long',
	year: 'numeric',
	hour: '2-digit',
	minute: '2-digit',
	timeZone: 'Europe/Amsterdam'
});
const timeOnly = new Intl.DateTimeFormat('nl-NL', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Amsterdam' });

/** "woensdag 2 december 2026 om 09:30" */
export const formatMeetingDate = (iso: string) => dayAndTime.format(new Date(iso));
export const formatTime = (iso: string) => timeOnly.format(new Date(iso));

const EMPTY = 'Niet ingevuld.';
/** where the regie of a case would stand: it was not talked about, so nothing was decided about it */
export const NOT_DISCUSSED = 'Niet besproken in dit overleg.';

export function verslagBlocks(v: Verslag): Block[] {
	const blocks: Block[] = [];
	const m = v.meeting;
	blocks.push({ kind: 'title', text: `Verslag ${m.tableName}` });
	blocks.push({
		kind: 'fields',
		rows: [
			['Datum', formatMeetingDate(m.startsAt)],
			['Locatie', m.location],
			['Tafel', `${m.tableName} (${m.typeName})`],
			['Status van het overleg', meetingStatusLine(v)]
		]
	});
	blocks.push({ kind: 'notice', lines: readerNotice(v) });

	blocks.push({ kind: 'heading', level: 1, text: 'Aanwezigheid' });
	blocks.push({ kind: 'heading', level: 2, text: 'Leden van de tafel' });
	blocks.push({
		kind: 'table',
		caption: 'Leden van de tafel',
		columns: [
			{ label: 'Naam', width: 0.3 },
			{ label: 'Organisatie', width: 0.36 },
			{ label: 'Rol', width: 0.16 },
			{ label: 'Aanwezigheid', width: 0.18 }
		],
		rows: v.members.map((p) => [p.name, p.organisationName, p.roleLabel, p.attendanceLabel])
	});
	blocks.push({ kind: 'paragraph', muted: true, text: attendanceNote(v) });
	blocks.push({ kind: 'heading', level: 2, text: 'Namens de cliënt' });
	const family = v.cases.filter((c) => c.attendees.length > 0);
	if (family.length === 0) {
		blocks.push({ kind: 'paragraph', text: 'Bij de casussen in dit verslag is niemand van de kant van de cliënt als aanwezig vastgelegd.' });
	} else {
		blocks.push({ kind: 'list', items: family.map((c) => `${c.code}: ${attendeesLine(c)}`) });
	}

	blocks.push({ kind: 'heading', level: 1, text: 'Agenda' });
	if (v.agenda.length === 0) {
		if (v.omittedItems === 0) blocks.push({ kind: 'paragraph', text: 'De agenda van dit overleg is leeg.' });
	} else {
		blocks.push({
			kind: 'table',
			caption: 'Agenda',
			columns: [
				{ label: 'Nr.', width: 0.08 },
				{ label: 'Agendapunt', width: 0.58 },
				{ label: 'Minuten', width: 0.14 },
				{ label: 'Status', width: 0.2 }
			],
			rows: v.agenda.map((a) => [String(a.position), a.caseCode ? `${a.caseCode}: ${a.title}` : a.title, String(a.plannedMinutes), agendaStatusCell(a)])
		});
	}
	if (v.omittedItems > 0) blocks.push({ kind: 'paragraph', muted: true, text: omittedLine(v.omittedItems) });

	const general = v.agenda.filter((a) => a.caseCode === null && a.decisions.length > 0);
	if (general.length > 0 || v.orphanDecisions.length > 0 || v.notes.trim() !== '') {
		blocks.push({ kind: 'heading', level: 1, text: 'Algemeen' });
		for (const a of general) {
			blocks.push({ kind: 'heading', level: 3, text: `Besluiten: ${a.title}` });
			blocks.push({ kind: 'list', items: a.decisions });
		}
		if (v.orphanDecisions.length > 0) {
			blocks.push({ kind: 'heading', level: 3, text: 'Besluiten bij agendapunten die niet meer op de agenda staan' });
			blocks.push({ kind: 'list', items: v.orphanDecisions });
		}
		if (v.notes.trim() !== '') {
			blocks.push({ kind: 'heading', level: 3, text: 'Notities van het overleg' });
			blocks.push({ kind: 'paragraph', text: v.notes.trim() });
		}
	}

	blocks.push({ kind: 'heading', level: 1, text: 'Casussen' });
	if (v.cases.length === 0) {
		blocks.push({ kind: 'paragraph', text: 'Dit verslag bevat geen casussen die u mag inzien.' });
	}
	for (const c of v.cases) blocks.push(...caseBlocks(c));
	return blocks;
}

/** "Aangehouden; doorgeschoven naar 16 november 2027" for an item carried to the next meeting */
export function agendaStatusCell(a: Pick<Verslag['agenda'][number], 'statusLabel' | 'carriedToStartsAt'>): string {
	return a.carriedToStartsAt ? `${a.statusLabel}; doorgeschoven naar ${formatDate(a.carriedToStartsAt)}` : a.statusLabel;
}

export function meetingStatusLine(v: Verslag): string {
	const m = v.meeting;
	return m.status === 'gesloten' && m.closedAt ? `Gesloten om ${formatTime(m.closedAt)}` : m.statusLabel;
}

export function readerNotice(v: Verslag): string[] {
	const lines = [
		`Vertrouwelijk. Opgesteld voor ${v.reader.name} (${v.reader.organisationName}) op ${formatMeetingDate(v.generatedAt)}.`,
		'Dit verslag bevat alleen de casussen waartoe u toegang hebt. Deel het niet met wie geen toegang heeft.'
	];
	if (v.meeting.status !== 'gesloten') lines.push('Concept: het overleg is nog niet gesloten, de inhoud kan nog veranderen.');
	return lines;
}

export function omittedLine(n: number): string {
	return n === 1
		? '1 agendapunt gaat over een casus waartoe u geen toegang hebt en is weggelaten.'
		: `${n} agendapunten gaan over casussen waartoe u geen toegang hebt en zijn weggelaten.`;
}

export function attendanceNote(v: Verslag): string {
	return v.attendanceRecorded
		? 'De aanwezigheid is tijdens het overleg bijgehouden door de voorzitter of secretaris.'
		: 'De presentielijst is bij dit overleg niet bijgehouden; dit zijn de leden van de tafel.';
}

export function presentAtItemLine(c: VerslagCase): string {
	return c.presentAtItem.length > 0 ? c.presentAtItem.join(', ') : 'Niet vastgelegd.';
}

export function attendeesLine(c: VerslagCase): string {
	return c.attendees.map((a) => `${a.name} (${a.kindLabel.toLowerCase()}${a.age !== null ? `, ${a.age} jaar` : ''})`).join(', ');
}

export function actionStatusLine(a: VerslagAction): string {
	return ACTION_STATUS_LABELS[a.status] + (a.overdue ? ', deadline verstreken' : '');
}

export function deadlineLabel(deadline: string): string {
	return deadline ? formatDeadline(deadline) : 'geen';
}

function caseBlocks(c: VerslagCase): Block[] {
	const out: Block[] = [];
	out.push({ kind: 'heading', level: 2, text: `${c.code}: ${c.title}` });
	const fields: [string, string][] = [['Status van de casus', c.statusLabel]];
	if (c.legalFrame) fields.push(['Kader', c.legalFrame]);
	fields.push(['Op de agenda', c.itemStatusLabel ?? 'Niet (meer) op de agenda']);
	out.push({ kind: 'fields', rows: fields });

	out.push({ kind: 'heading', level: 3, text: 'Besluiten' });
	out.push(c.decisions.length > 0 ? { kind: 'list', items: c.decisions } : { kind: 'paragraph', muted: true, text: 'Geen besluiten vastgelegd.' });

	for (const t of c.texts) {
		out.push({ kind: 'heading', level: 3, text: t.label });
		out.push(t.text.trim() ? { kind: 'paragraph', text: t.text.trim() } : { kind: 'paragraph', muted: true, text: EMPTY });
	}
	if (c.goalsLabel) {
		out.push({ kind: 'heading', level: 3, text: c.goalsLabel });
		if (c.goals.length > 0) out.push({ kind: 'fields', rows: c.goals.map((g) => [g.leefgebied, g.text.trim()]) });
		else out.push({ kind: 'paragraph', muted: true, text: EMPTY });
		if (c.goals.length > 0 && c.goalsEmpty.length > 0) out.push({ kind: 'paragraph', muted: true, text: `Nog niet ingevuld: ${c.goalsEmpty.join(', ')}.` });
	}
	if (c.financing) {
		out.push({ kind: 'heading', level: 3, text: 'Financiering' });
		out.push({ kind: 'paragraph', text: c.financing.value ? `Betaald uit de ${c.financing.value}.` : 'Nog niet besloten wie betaalt (Jeugdwet of Wmo).' });
	}

	out.push({ kind: 'heading', level: 3, text: 'Acties' });
	if (c.actions.length === 0) {
		out.push({ kind: 'paragraph', muted: true, text: 'Geen acties.' });
	} else {
		out.push({
			kind: 'table',
			caption: `Acties ${c.code}`,
			columns: [
				{ label: 'Actie', width: 0.4 },
				{ label: 'Actiehouder', width: 0.3 },
				{ label: 'Deadline', width: 0.15 },
				{ label: 'Status', width: 0.15 }
			],
			rows: c.actions.map((a) => [
				[a.text, a.leefgebied ? `(${a.leefgebied})` : '', a.note ? `Notitie: ${a.note}` : ''].filter(Boolean).join(' '),
				a.actiehouder ? `${a.actiehouder}${a.organisation ? `, ${a.organisation}` : ''}` : 'Nog niemand',
				deadlineLabel(a.deadline),
				actionStatusLine(a)
			])
		});
	}

	out.push({ kind: 'heading', level: 3, text: 'Regie' });
	if (!c.discussed) out.push({ kind: 'paragraph', muted: true, text: NOT_DISCUSSED });
	else out.push(...regieBlocks(c));

	out.push({ kind: 'heading', level: 3, text: 'Aanwezig bij dit punt' });
	out.push(c.presentAtItem.length > 0 ? { kind: 'paragraph', text: presentAtItemLine(c) } : { kind: 'paragraph', muted: true, text: 'Niet vastgelegd.' });
	out.push({ kind: 'heading', level: 3, text: 'Namens de cliënt aanwezig' });
	out.push(c.attendees.length > 0 ? { kind: 'paragraph', text: attendeesLine(c) } : { kind: 'paragraph', muted: true, text: 'Niemand vastgelegd.' });

	out.push({ kind: 'heading', level: 3, text: 'De stem van de cliënt' });
	const voices = c.voice.filter((x) => x.text.trim() !== '');
	if (voices.length === 0) out.push({ kind: 'paragraph', muted: true, text: EMPTY });
	else out.push({ kind: 'fields', rows: voices.map((x) => [x.label, x.text.trim()]) });

	out.push({ kind: 'heading', level: 3, text: 'Verslag van de bespreking' });
	out.push(c.minutes.trim() ? { kind: 'paragraph', text: c.minutes.trim() } : { kind: 'paragraph', muted: true, text: EMPTY });

	out.push({ kind: 'heading', level: 3, text: 'Afronding' });
	if (!c.closure) {
		out.push({ kind: 'paragraph', muted: true, text: 'Het agendapunt is in dit overleg niet afgerond.' });
	} else {
		const rows: [string, string][] = [['Afgerond', `${formatMeetingDate(c.closure.closedAt)} door ${c.closure.closedByName}`]];
		rows.push(['Uitkomst volgens de tafel', c.closure.templateMissing.length === 0 ? 'Voldoet aan wat de tafel vraagt.' : `Ontbrak: ${c.closure.templateMissing.join(' ')}`]);
		if (c.closure.templateReason) rows.push(['Reden om toch af te ronden', c.closure.templateReason]);
		if (c.closure.regieReason) rows.push(['Reden zonder casusregisseur', c.closure.regieReason]);
		out.push({ kind: 'fields', rows });
	}
	return out;
}

function regieBlocks(c: VerslagCase): Block[] {
	const blocks: Block[] = [];
	blocks.push({
		kind: 'fields',
		rows: c.regie.current.map((r) => [r.kindLabel, r.holder ? `${r.holder.name ?? ''}${r.holder.organisationName ? `, ${r.holder.organisationName}` : ''}` : 'Niet belegd'])
	});
	if (c.regie.decidedHere.length > 0) {
		blocks.push({
			kind: 'list',
			items: c.regie.decidedHere.map(
				(d) => `In dit overleg besloten door ${d.decidedByName}: ${d.kindLabel.toLowerCase()} ${d.name ? `${d.name}${d.organisationName ? ` (${d.organisationName})` : ''}` : 'niet belegd'}${d.note ? `. ${d.note}` : ''}`
			)
		});
	}
	return blocks;
}
