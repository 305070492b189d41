import type { AppContext } from '../context';
import { recordAudit } from '../audit/index';
import { authorize, can, type Actor } from '../policy/index';
import { regieState } from '../cases/regie';
import { attendance } from '../meetings/items';
import { registerForVerslag } from '../meetings/room';
import { meetingOutcomes } from '../meetings/outcome';
import { ITEM_OUTCOME_LABELS, wasDiscussed } from '../../shared/outcome';
import { ATTENDANCE_LABELS } from '../../shared/room';
import { tableTypeOfTable } from '../tables/types';
import {
	CASE_TEXT_FIELDS,
	besprekingDocName,
	caseTextOf,
	goalText,
	meetingNotesOf,
	minutesText,
	readActions,
	readAgenda,
	readDecisions,
	readFinancing,
	type ActionStatus,
	type AgendaStatus
} from '../../shared/documents';
import {
	ATTENDEE_LABELS,
	REGIE_LABELS,
	TEMPLATES,
	voiceFields,
	type Attendee,
	type CaseTextKey,
	type RegieHolder,
	type RegieKind
} from '../../shared/tables';
import { CASE_STATUS_LABELS, ROLE_LABELS, TABLE_ROLES, type CaseStatus, type TableRole } from '../../shared/roles';
import { validDeadline } from '../../shared/format';

/**
 * The verslag (minutes) of one meeting, as one reader may see it: the meeting, who sits at the
 * table, the agenda, and per case on it that the reader may view (policy 'case.view') the
 * decisions, the template's texts, goals, agreements, actions, regie, the bespreking's minutes,
 * the family's voice and how the item was rounded off.
 *
 * Cases the reader may not view are left out entirely: not their code, not their title, not
 * their decisions. The verslag only says how many agenda items were left out, so that nobody
 * takes it for the complete minutes. A PDF travels further than a screen, so less is better.
 *
 * Everything is read on the server: documents through the hub (no network), the rest from SQL.
 * The case's texts and actions are as they stand when the verslag is made (the case lives on
 * after the meeting); the bespreking's minutes and the meeting document freeze at closing.
 */

/** YYYY-MM-DD of a moment, in Amsterdam */
const amsterdamDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' });

export const MEETING_STATUS_LABELS: Record<string, string> = { gepland: 'Gepland', geopend: 'Loopt', gesloten: 'Gesloten' };

export interface VerslagMember {
	name: string;
	organisationName: string;
	role: TableRole;
	roleLabel: string;
	/** from the room's register: Aanwezig, Afgemeld, Afwezig, or 'Niet vastgelegd' */
	attendanceLabel: string;
}

export interface VerslagAgendaItem {
	position: number;
	/** null for an item that is not about a case (e.g. rondvraag) */
	caseCode: string | null;
	title: string;
	plannedMinutes: number;
	status: AgendaStatus;
	/** what became of the item (shared/outcome.ts): never "Gepland" once the meeting is closed */
	statusLabel: string;
	decisions: string[];
	/** when the meeting this item was carried to (doorgeschoven) starts, ISO; null if it was not */
	carriedToStartsAt: string | null;
}

export interface VerslagAction {
	text: string;
	actiehouder: string;
	organisation: string;
	/** YYYY-MM-DD or '' */
	deadline: string;
	status: ActionStatus;
	leefgebied: string;
	note: string;
	/** open or bezig with its deadline before the day the verslag was made */
	overdue: boolean;
}

export interface VerslagRegieDecision {
	kind: RegieKind;
	kindLabel: string;
	/** null: the role was explicitly left empty */
	name: string | null;
	organisationName: string | null;
	decidedByName: string;
	note: string | null;
}

export interface VerslagCase {
	id: number;
	code: string;
	title: string;
	statusLabel: string;
	legalFrame: string | null;
	/** what became of its agenda item at this meeting; null when the case is not (any more) on the agenda */
	itemStatusLabel: string | null;
	/** talked about at this meeting: only then does the verslag report its regie */
	discussed: boolean;
	decisions: string[];
	templateLabel: string;
	texts: { label: string; text: string }[];
	goalsLabel: string | null;
	goals: { leefgebied: string; text: string }[];
	/** leefgebieden of the template without a goal or agreement yet */
	goalsEmpty: string[];
	/** null when the template has no financing decision */
	financing: { value: string | null } | null;
	actions: VerslagAction[];
	regie: {
		current: { kind: RegieKind; kindLabel: string; holder: RegieHolder | null }[];
		decidedHere: VerslagRegieDecision[];
	};
	attendees: (Attendee & { kindLabel: string })[];
	/** members in the room for this case's agenda item, per the register: "Naam (Organisatie)" */
	presentAtItem: string[];
	voice: { label: string; text: string }[];
	minutes: string;
	closure: {
		closedAt: string;
		closedByName: string;
		templateMissing: string[];
		templateReason: string | null;
		regieReason: string | null;
	} | null;
}

export interface Verslag {
	meeting: {
		id: number;
		tableId: number;
		tableName: string;
		typeName: string;
		startsAt: string;
		location: string;
		status: string;
		statusLabel: string;
		openedAt: string | null;
		closedAt: string | null;
	};
	/** when this verslag was made, and for whom (it is printed on every copy) */
	generatedAt: string;
	reader: { name: string; organisationName: string };
	members: VerslagMember[];
	/** whether the chair or secretaris kept the register at this meeting */
	attendanceRecorded: boolean;
	agenda: VerslagAgendaItem[];
	/** agenda items about cases this reader may not view: left out, only counted */
	omittedItems: number;
	notes: string;
	/** decisions whose agenda item was removed; only for the chair, who may see every case */
	orphanDecisions: string[];
	cases: VerslagCase[];
}

export type VerslagFormat = 'html' | 'pdf' | 'docx';

function hubOf(ctx: AppContext) {
	const hub = ctx.realtime?.hub;
	if (!hub) throw new Error('the document hub is not running');
	return hub;
}

const EXTRA_TEXTS: { key: CaseTextKey; label: string }[] = [
	{ key: 'afspraken', label: 'Afspraken' },
	{ key: 'wens', label: CASE_TEXT_FIELDS.find((f) => f.key === 'wens')!.label }
];

export async function buildVerslag(ctx: AppContext, actor: Actor, meetingId: number): Promise<Verslag> {
	const { db } = ctx;
	await authorize(db, actor, 'meeting.view', { kind: 'meeting', meetingId });
	const hub = hubOf(ctx);
	const meeting = await db
		.selectFrom('meetings')
		.innerJoin('case_tables', 'case_tables.id', 'meetings.case_table_id')
		.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
		.select([
			'meetings.id',
			'meetings.starts_at',
			'meetings.location',
			'meetings.status',
			'meetings.opened_at',
			'meetings.closed_at',
			'case_tables.id as tableId',
			'case_tables.name as tableName',
			'table_types.name as typeName'
		])
		.where('meetings.id', '=', meetingId)
		.executeTakeFirstOrThrow();
	const type = await tableTypeOfTable(db, meeting.tableId);
	const template = TEMPLATES[type.outputTemplate];
	const reader = await db
		.selectFrom('users')
		.innerJoin('organisations', 'organisations.id', 'users.organisation_id')
		.select(['users.name', 'organisations.name as organisationName'])
		.where('users.id', '=', actor.userId)
		.executeTakeFirstOrThrow();

	const memberRows = await db
		.selectFrom('memberships')
		.innerJoin('users', 'users.id', 'memberships.user_id')
		.innerJoin('organisations', 'organisations.id', 'users.organisation_id')
		.select(['users.id', 'users.name', 'organisations.name as organisationName', 'memberships.role'])
		.where('memberships.case_table_id', '=', meeting.tableId)
		.where('users.disabled_at', 'is', null)
		.execute();
	const register = await registerForVerslag(ctx, meetingId);
	const members: VerslagMember[] = memberRows
		.map(({ id, ...m }) => {
			const status = register.status.get(id);
			return {
				...m,
				role: m.role as TableRole,
				roleLabel: ROLE_LABELS[m.role as TableRole] ?? m.role,
				attendanceLabel: status ? ATTENDANCE_LABELS[status] : 'Niet vastgelegd'
			};
		})
		.sort((a, b) => TABLE_ROLES.indexOf(a.role) - TABLE_ROLES.indexOf(b.role) || a.name.localeCompare(b.name, 'nl'));

	const outcomes = await meetingOutcomes(ctx, meetingId);
	const { agenda, decisions, notes } = await hub.read(`meeting:${meetingId}`, (doc) => ({
		agenda: readAgenda(doc),
		decisions: readDecisions(doc),
		notes: meetingNotesOf(doc).toString()
	}));

	// The cases of this meeting: on its agenda, or rounded off or attended at it (an item can
	// be gone from the agenda while its closure stands). Only cases of the meeting's own table.
	const tableCases = await db
		.selectFrom('cases')
		.select(['id', 'code', 'title', 'status', 'legal_frame'])
		.where('case_table_id', '=', meeting.tableId)
		.execute();
	const caseById = new Map(tableCases.map((c) => [c.id, c]));
	const closures = await db
		.selectFrom('item_closures')
		.innerJoin('users', 'users.id', 'item_closures.closed_by')
		.select([
			'item_closures.item_id',
			'item_closures.case_id',
			'item_closures.closed_at',
			'item_closures.template_missing',
			'item_closures.template_reason',
			'item_closures.regie_reason',
			'users.name as closedByName'
		])
		.where('item_closures.meeting_id', '=', meetingId)
		.orderBy('item_closures.closed_at')
		.execute();
	const attended = await db
		.selectFrom('attendance')
		.select('case_id')
		.distinct()
		.where('meeting_id', '=', meetingId)
		.execute();
	const order: number[] = [];
	const addCase = (id: number | null) => {
		if (id !== null && caseById.has(id) && !order.includes(id)) order.push(id);
	};
	for (const item of agenda) addCase(item.caseId);
	const later = [...closures.map((c) => c.case_id), ...attended.map((a) => a.case_id)]
		.filter((id): id is number => id !== null && caseById.has(id) && !order.includes(id))
		.sort((a, b) => caseById.get(a)!.code.localeCompare(caseById.get(b)!.code));
	for (const id of later) addCase(id);

	const visible = new Set<number>();
	for (const id of order) {
		if (await can(db, actor, 'case.view', { kind: 'case', caseId: id })) visible.add(id);
	}
	const isChair = await can(db, actor, 'meeting.run', { kind: 'meeting', meetingId });

	// the meetings items were carried to: only this table's (a document could name any id)
	const carriedIds = agenda.flatMap((i) => (i.carriedTo ? [i.carriedTo] : []));
	const carriedTo = new Map(
		carriedIds.length === 0
			? []
			: (
					await db
						.selectFrom('meetings')
						.select(['id', 'starts_at'])
						.where('id', 'in', carriedIds)
						.where('case_table_id', '=', meeting.tableId)
						.execute()
				).map((m) => [m.id, m.starts_at] as const)
	);
	const decisionsOfItem = (itemId: string) => decisions.filter((d) => d.itemId === itemId).map((d) => d.text).filter((t) => t.trim() !== '');
	let omittedItems = 0;
	const agendaOut: VerslagAgendaItem[] = [];
	for (const item of agenda) {
		if (item.caseId !== null && !visible.has(item.caseId)) {
			omittedItems += 1;
			continue;
		}
		const c = item.caseId !== null ? caseById.get(item.caseId) : undefined;
		agendaOut.push({
			position: agendaOut.length + 1,
			caseCode: c?.code ?? null,
			title: c?.title ?? item.title,
			plannedMinutes: item.plannedMinutes,
			status: item.status,
			statusLabel: ITEM_OUTCOME_LABELS[outcomes[item.id] ?? 'gepland'],
			decisions: item.caseId === null ? decisionsOfItem(item.id) : [],
			carriedToStartsAt: item.carriedTo ? (carriedTo.get(item.carriedTo) ?? null) : null
		});
	}
	// cases rounded off or attended here that are no longer on the agenda count as well
	const onAgenda = new Set(agenda.map((i) => i.caseId));
	omittedItems += order.filter((id) => !visible.has(id) && !onAgenda.has(id)).length;
	const itemIds = new Set(agenda.map((i) => i.id));
	const orphanDecisions = isChair ? decisions.filter((d) => !itemIds.has(d.itemId) && d.text.trim() !== '').map((d) => d.text) : [];

	const today = amsterdamDay.format(ctx.now());
	const cases: VerslagCase[] = [];
	for (const id of order) {
		if (!visible.has(id)) continue;
		const row = caseById.get(id)!;
		const items = agenda.filter((i) => i.caseId === id);
		const caseDoc = await hub.read(`case:${id}`, (doc) => ({
			texts: Object.fromEntries(
				[...template.texts, ...EXTRA_TEXTS].map((t) => [t.key, caseTextOf(doc, t.key).toString()])
			) as Record<CaseTextKey, string>,
			goals: type.leefgebieden.map((lg) => ({ leefgebied: lg, text: goalText(doc, lg).toString() })),
			financing: readFinancing(doc),
			actions: readActions(doc)
		}));
		const voiceKeys = voiceFields(type.subjectKind);
		const bespreking = await hub.read(besprekingDocName(meetingId, id), (doc) => ({
			minutes: minutesText(doc).toString(),
			voice: voiceKeys.map((v) => ({ label: v.label, text: doc.getText(v.key).toString() })),
			decisions: readDecisions(doc)
		}));
		// the case's decisions live in its bespreking document; one an old page still wrote to
		// the meeting document for this case's items counts too (each id once)
		const itemIdsOfCase = new Set(items.map((i) => i.id));
		const caseDecisions = [...bespreking.decisions, ...decisions.filter((d) => itemIdsOfCase.has(d.itemId))]
			.filter((d, i, all) => all.findIndex((o) => o.id === d.id) === i)
			.map((d) => d.text)
			.filter((t) => t.trim() !== '');
		const regie = await regieState(db, id);
		const closure = closures.find((c) => c.case_id === id) ?? null;
		const texts = template.texts.map((t) => ({ label: t.label, text: caseDoc.texts[t.key] ?? '' }));
		for (const extra of EXTRA_TEXTS) {
			const text = caseDoc.texts[extra.key] ?? '';
			if (!template.texts.some((t) => t.key === extra.key) && text.trim() !== '') texts.push({ label: extra.label, text });
		}
		cases.push({
			id,
			code: row.code,
			title: row.title,
			statusLabel: CASE_STATUS_LABELS[row.status as CaseStatus] ?? row.status,
			legalFrame: row.legal_frame,
			itemStatusLabel: items[0] ? ITEM_OUTCOME_LABELS[outcomes[items[0].id] ?? 'gepland'] : null,
			discussed: closure !== null || items.some((i) => wasDiscussed(outcomes[i.id] ?? 'gepland')),
			decisions: caseDecisions,
			templateLabel: template.label,
			texts,
			goalsLabel: template.goalsLabel,
			goals: template.goalsLabel ? caseDoc.goals.filter((g) => g.text.trim() !== '') : [],
			goalsEmpty: template.goalsLabel ? caseDoc.goals.filter((g) => g.text.trim() === '').map((g) => g.leefgebied) : [],
			financing: template.financing ? { value: caseDoc.financing } : null,
			actions: caseDoc.actions.map((a) => {
				// a date that does not exist ("2026-99-99" written into the document) is no deadline
				const deadline = validDeadline(a.deadline);
				return {
					text: a.text,
					actiehouder: a.actiehouderName,
					organisation: a.organisationName,
					deadline,
					status: a.status,
					leefgebied: a.leefgebied,
					note: a.note ?? '',
					overdue: deadline !== '' && deadline < today && (a.status === 'open' || a.status === 'bezig')
				};
			}),
			regie: {
				current: (['casusregisseur', 'procesregisseur'] as const).map((kind) => ({
					kind,
					kindLabel: REGIE_LABELS[kind],
					holder: regie.current[kind]
				})),
				decidedHere: regie.history
					.filter((h) => h.meetingId === meetingId)
					.map((h) => ({
						kind: h.kind,
						kindLabel: REGIE_LABELS[h.kind],
						name: h.name,
						organisationName: h.organisationName,
						decidedByName: h.decidedByName,
						note: h.note
					}))
			},
			presentAtItem: items
				.flatMap((i) => register.presentFor(i.id, memberRows.map((m) => m.id)))
				.filter((userId, index, all) => all.indexOf(userId) === index)
				.map((userId) => memberRows.find((m) => m.id === userId)!)
				.sort((a, b) => a.name.localeCompare(b.name, 'nl'))
				.map((m) => `${m.name} (${m.organisationName})`),
			attendees: (await attendance(ctx, meetingId, id)).map((a) => ({ ...a, kindLabel: ATTENDEE_LABELS[a.kind] ?? a.kind })),
			voice: bespreking.voice,
			minutes: bespreking.minutes,
			closure: closure
				? {
						closedAt: closure.closed_at,
						closedByName: closure.closedByName,
						templateMissing: parseList(closure.template_missing),
						templateReason: closure.template_reason,
						regieReason: closure.regie_reason
					}
				: null
		});
	}

	return {
		meeting: {
			id: meeting.id,
			tableId: meeting.tableId,
			tableName: meeting.tableName,
			typeName: meeting.typeName,
			startsAt: meeting.starts_at,
			location: meeting.location,
			status: meeting.status,
			statusLabel: MEETING_STATUS_LABELS[meeting.status] ?? meeting.status,
			openedAt: meeting.opened_at,
			closedAt: meeting.closed_at
		},
		generatedAt: ctx.now().toISOString(),
		reader,
		members,
		attendanceRecorded: register.recorded,
		agenda: agendaOut,
		omittedItems,
		notes,
		orphanDecisions,
		cases
	};
}

function parseList(json: string): string[] {
	try {
		const value: unknown = JSON.parse(json);
		return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
	} catch {
		return [];
	}
}

/**
 * Records that a reader saw or downloaded the verslag: the format and which cases it held,
 * never any of its content.
 */
export async function auditVerslag(
	ctx: AppContext,
	actor: Actor,
	verslag: Verslag,
	format: VerslagFormat,
	meta: { ip: string | null }
): Promise<void> {
	await recordAudit(ctx.db, {
		at: ctx.now(),
		userId: actor.userId,
		organisationId: actor.organisationId,
		action: format === 'html' ? 'meeting.verslag.view' : 'meeting.verslag.export',
		meetingId: verslag.meeting.id,
		detail: { format, caseCount: verslag.cases.length, caseIds: verslag.cases.map((c) => c.id) },
		ip: meta.ip
	});
}


/** "verslag-top-150-regio-voorbeeld-2026-12-02.pdf": the table's name and the meeting's day in Amsterdam. */
export function verslagFilename(verslag: Verslag, extension: 'pdf' | 'docx'): string {
	const slug =
		verslag.meeting.tableName
			.normalize('NFKD')
			.replace(/[\u0300-\u036f]/g, '')
			.toLowerCase()
			.replace(/[^a-z0-9]+/g, '-')
			.replace(/^-+|-+$/g, '')
			.slice(0, 60) || 'overleg';
	return `verslag-${slug}-${amsterdamDay.format(new Date(verslag.meeting.startsAt))}.${extension}`;
}
