import type { AppContext } from '../context';
import { recordAudit } from '../audit/index';
import { authorize, roleAt, type Actor } from '../policy/index';
import { decide } from '../policy/decide';
import { caseFacts, myActions, type ActionFilters } from './service';
import { todayIn } from '../cases/lifecycle';
import { ACTION_STATUSES, ACTION_STATUS_LABELS, type ActionStatus } from '../../shared/documents';
import { validDeadline } from '../../shared/format';
import { toCsv, toXlsx, type Cell, type TableFile } from '../export/table-file';

/**
 * The actions as a file: Mijn acties (what the page shows, with its filters) or a table's open
 * actions. Need to know as on the pages: a case's title only for who may view the case (an
 * actiehouder who only holds an action sees its code), never the subject's name; a table's open
 * actions only of the cases the reader may view. Every download is in the audit log, with the
 * cases it held.
 */

export type ExportFormat = 'csv' | 'xlsx';

const COLUMNS = [
	{ header: 'Casus', width: 16 },
	{ header: 'Titel casus', width: 36 },
	{ header: 'Tafel', width: 26 },
	{ header: 'Actie', width: 44 },
	{ header: 'Leefgebied', width: 18 },
	{ header: 'Actiehouder', width: 22 },
	{ header: 'Organisatie', width: 26 },
	{ header: 'Deadline', width: 12 },
	{ header: 'Status', width: 10 },
	{ header: 'Notitie', width: 36 }
];

interface ExportRow {
	caseId: number;
	caseCode: string;
	/** '' when the reader may not view the case */
	caseTitle: string;
	tableName: string;
	text: string;
	leefgebied: string;
	actiehouder: string;
	organisation: string;
	deadline: string;
	status: ActionStatus;
	note: string;
}

export interface ActionsFile {
	filename: string;
	contentType: string;
	body: Buffer;
}

const isStatus = (s: string): s is ActionStatus => (ACTION_STATUSES as readonly string[]).includes(s);

function tableFile(rows: ExportRow[]): TableFile {
	return {
		sheetName: 'Acties',
		columns: COLUMNS,
		rows: rows.map((r): Cell[] => {
			const day = validDeadline(r.deadline);
			return [r.caseCode, r.caseTitle, r.tableName, r.text, r.leefgebied, r.actiehouder, r.organisation, day ? { date: day } : null, ACTION_STATUS_LABELS[r.status], r.note];
		})
	};
}

async function titlesOfViewable(ctx: AppContext, actor: Actor, caseIds: number[]): Promise<Map<number, string>> {
	const facts = await caseFacts(ctx.db, actor, caseIds);
	const viewable = caseIds.filter((id) => { const f = facts.get(id); return f !== undefined && decide(actor, 'case.view', f); });
	if (viewable.length === 0) return new Map();
	const rows = await ctx.db.selectFrom('cases').select(['id', 'title']).where('id', 'in', viewable).execute();
	return new Map(rows.map((r) => [r.id, r.title]));
}

/** The rows of Mijn acties as the page shows them with these filters. */
async function myRows(ctx: AppContext, actor: Actor, filters: ActionFilters): Promise<ExportRow[]> {
	const list = await myActions(ctx, actor, filters);
	const actions = list.groups.flatMap((g) => g.rows);
	const titles = await titlesOfViewable(ctx, actor, [...new Set(actions.filter((a) => a.caseLink).map((a) => a.caseId))]);
	return actions.map((a) => ({
		caseId: a.caseId,
		caseCode: a.caseCode,
		caseTitle: titles.get(a.caseId) ?? '',
		tableName: a.tableName,
		text: a.text,
		leefgebied: a.leefgebied,
		actiehouder: a.actiehouderName,
		organisation: a.organisationName,
		deadline: a.deadline,
		status: a.status,
		note: a.note
	}));
}

/** The open and in-progress actions of a table's cases that the reader may view. */
async function tableRows(ctx: AppContext, actor: Actor, tableId: number): Promise<{ rows: ExportRow[]; codePrefix: string }> {
	const { db } = ctx;
	await authorize(db, actor, 'table.view', { kind: 'table', tableId });
	const table = await db.selectFrom('case_tables').select(['name', 'code_prefix']).where('id', '=', tableId).executeTakeFirstOrThrow();
	const cases = await db.selectFrom('cases').select('id').where('case_table_id', '=', tableId).execute();
	const titles = await titlesOfViewable(ctx, actor, cases.map((c) => c.id));
	if (titles.size === 0) return { rows: [], codePrefix: table.code_prefix };
	const rows = await db
		.selectFrom('action_rows')
		.innerJoin('cases', 'cases.id', 'action_rows.case_id')
		.leftJoin('users as holder', 'holder.id', 'action_rows.actiehouder_id')
		.leftJoin('organisations as holder_org', 'holder_org.id', 'action_rows.organisation_id')
		.select(['action_rows.case_id', 'cases.code', 'action_rows.text', 'action_rows.leefgebied', 'action_rows.deadline', 'action_rows.status', 'action_rows.note', 'action_rows.position', 'holder.name as holder_name', 'holder_org.name as holder_org_name'])
		.where('action_rows.case_id', 'in', [...titles.keys()])
		// a status outside the four counts as open, as Mijn acties reads it
		.where('action_rows.status', 'not in', ['gedaan', 'vervallen'])
		.execute();
	const dutch = new Intl.Collator('nl', { numeric: true });
	rows.sort((a, b) => (a.deadline === b.deadline ? 0 : !a.deadline ? 1 : !b.deadline ? -1 : a.deadline < b.deadline ? -1 : 1) || dutch.compare(a.code, b.code) || a.position - b.position);
	return {
		codePrefix: table.code_prefix,
		rows: rows.map((r) => ({
			caseId: r.case_id,
			caseCode: r.code,
			caseTitle: titles.get(r.case_id) ?? '',
			tableName: table.name,
			text: r.text,
			leefgebied: r.leefgebied,
			actiehouder: r.holder_name ?? '',
			organisation: r.holder_org_name ?? '',
			deadline: r.deadline,
			status: isStatus(r.status) ? r.status : 'open',
			note: r.note
		}))
	};
}

export type ExportScope = { kind: 'mijn'; filters: ActionFilters } | { kind: 'tafel'; tableId: number };

/** The file of one scope in one format; audited as 'actions.export' with the cases it holds. */
export async function exportActions(ctx: AppContext, actor: Actor, scope: ExportScope, format: ExportFormat, meta: { ip: string | null }): Promise<ActionsFile> {
	const today = todayIn(ctx.now());
	const { rows, name } =
		scope.kind === 'mijn'
			? { rows: await myRows(ctx, actor, scope.filters), name: `mijn-acties-${today}` }
			: await tableRows(ctx, actor, scope.tableId).then((t) => ({ rows: t.rows, name: `acties-${t.codePrefix.replace(/[^A-Za-z0-9-]/g, '') || 'tafel'}-${today}` }));
	const file = tableFile(rows);
	await recordAudit(ctx.db, {
		at: ctx.now(),
		userId: actor.userId,
		organisationId: actor.organisationId,
		action: 'actions.export',
		role: scope.kind === 'tafel' ? await roleAt(ctx.db, actor.userId, scope.tableId) : null,
		detail: { format, scope: scope.kind, ...(scope.kind === 'tafel' ? { tableId: scope.tableId } : {}), rowCount: rows.length, caseIds: [...new Set(rows.map((r) => r.caseId))] },
		ip: meta.ip
	});
	return format === 'csv'
		? { filename: `${name}.csv`, contentType: 'text/csv; charset=utf-8', body: Buffer.from(toCsv(file), 'utf8') }
		: { filename: `${name}.xlsx`, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: await toXlsx(file) };
}
