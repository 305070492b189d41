import type { Executor } from '../db/index';
import { notFound } from '../errors';
import type { TableRole } from '../../shared/roles';
import { decide, mayIdentify, type Actor, type Facts, type Operation } from './decide';
import { normaliseIdentityRoles, subjectInitials, DEFAULT_IDENTITY_ROLES, REGIE_KINDS, type IdentityRole, type RegieKind } from '../../shared/tables';

export type { Actor, Operation } from './decide';

export type Target =
	| { kind: 'region' }
	| { kind: 'table'; tableId: number }
	| { kind: 'meeting'; meetingId: number }
	| { kind: 'case'; caseId: number }
	| { kind: 'request'; requestId: number }
	| { kind: 'action'; caseId: number; actionId: string }
	| { kind: 'user'; userId: number };

const NO_FACTS: Facts = { tableRole: null, organisationHasCaseAccess: false };

/** The user's role at a table, or null when they are not a member. */
export async function roleAt(db: Executor, userId: number, tableId: number): Promise<TableRole | null> {
	const row = await db
		.selectFrom('memberships')
		.select('role')
		.where('user_id', '=', userId)
		.where('case_table_id', '=', tableId)
		.executeTakeFirst();
	return (row?.role as TableRole | undefined) ?? null;
}

/** A table's submitter list (JSON array of organisation types; empty = everyone) against a type. */
export function submitterAllowed(listJson: string, organisationType: string): boolean {
	let list: unknown;
	try {
		list = JSON.parse(listJson);
	} catch {
		return false;
	}
	if (!Array.isArray(list)) return false;
	return list.length === 0 || list.includes(organisationType);
}

/** Loads what `decide` needs about a target; `null` when the target does not exist. */
export async function loadFacts(db: Executor, actor: Actor, target: Target): Promise<Facts | null> {
	switch (target.kind) {
		case 'region':
			return NO_FACTS;
		case 'table': {
			const table = await db
				.selectFrom('case_tables')
				.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
				.select(['case_tables.id', 'table_types.submitter_org_types'])
				.where('case_tables.id', '=', target.tableId)
				.executeTakeFirst();
			if (!table) return null;
			const org = await db
				.selectFrom('organisations')
				.select('type')
				.where('id', '=', actor.organisationId)
				.executeTakeFirst();
			return {
				...NO_FACTS,
				tableRole: await roleAt(db, actor.userId, table.id),
				submitterAllowed: org !== undefined && submitterAllowed(table.submitter_org_types, org.type)
			};
		}
		case 'request': {
			const request = await db
				.selectFrom('requests')
				.select(['case_table_id', 'submitted_by'])
				.where('id', '=', target.requestId)
				.executeTakeFirst();
			if (!request) return null;
			return {
				...NO_FACTS,
				tableRole: await roleAt(db, actor.userId, request.case_table_id),
				isSubmitter: request.submitted_by === actor.userId
			};
		}
		case 'meeting': {
			const meeting = await db
				.selectFrom('meetings')
				.select('case_table_id')
				.where('id', '=', target.meetingId)
				.executeTakeFirst();
			if (!meeting) return null;
			return { ...NO_FACTS, tableRole: await roleAt(db, actor.userId, meeting.case_table_id) };
		}
		case 'case': {
			const row = await db
				.selectFrom('cases')
				.leftJoin('memberships', (j) =>
					j
						.onRef('memberships.case_table_id', '=', 'cases.case_table_id')
						.on('memberships.user_id', '=', actor.userId)
				)
				.leftJoin('case_access', (j) =>
					j
						.onRef('case_access.case_id', '=', 'cases.id')
						.on('case_access.organisation_id', '=', actor.organisationId)
						.on('case_access.withdrawn_at', 'is', null)
				)
				.select(['memberships.role', 'case_access.id as access_id'])
				.where('cases.id', '=', target.caseId)
				.executeTakeFirst();
			if (!row) return null;
			const regie = await db
				.selectFrom('regie_assignments')
				.select('id')
				.where('case_id', '=', target.caseId)
				.where('user_id', '=', actor.userId)
				.where('ended_at', 'is', null)
				.executeTakeFirst();
			return {
				tableRole: (row.role as TableRole | null) ?? null,
				organisationHasCaseAccess: row.access_id !== null,
				isRegisseur: regie !== undefined
			};
		}
		case 'action': {
			const facts = await loadFacts(db, actor, { kind: 'case', caseId: target.caseId });
			if (!facts) return null;
			const row = await db
				.selectFrom('action_rows')
				.select('actiehouder_id')
				.where('case_id', '=', target.caseId)
				.where('action_id', '=', target.actionId)
				.executeTakeFirst();
			if (!row) return null;
			return { ...facts, isActiehouder: row.actiehouder_id === actor.userId };
		}
		case 'user': {
			const user = await db
				.selectFrom('users')
				.select('id')
				.where('id', '=', target.userId)
				.executeTakeFirst();
			return user ? { ...NO_FACTS, targetUserId: user.id } : null;
		}
	}
}

/** Whether the actor may perform the operation; a missing target is simply "no". */
export async function can(
	db: Executor,
	actor: Actor,
	operation: Operation,
	target: Target
): Promise<boolean> {
	const facts = await loadFacts(db, actor, target);
	return facts !== null && decide(actor, operation, facts);
}

/**
 * Throws the same NOT_FOUND for "forbidden" and "does not exist", so a caller cannot learn
 * whether a case exists by probing ids.
 */
export async function authorize(
	db: Executor,
	actor: Actor,
	operation: Operation,
	target: Target
): Promise<void> {
	if (!(await can(db, actor, operation, target))) throw notFound();
}

/**
 * The documents a connection can open: `case:<id>`, `meeting:<id>`, and
 * `bespreking:<meetingId>:<caseId>`, the minutes of one case at one meeting. The minutes are a
 * document of their own because they follow the case's access but freeze when the meeting
 * closes, while the case itself lives on for follow-up.
 */
export type DocumentRef =
	| { kind: 'case'; caseId: number }
	| { kind: 'meeting'; meetingId: number }
	| { kind: 'bespreking'; meetingId: number; caseId: number };

const ID = '([1-9][0-9]{0,15})';
const DOCUMENT_NAME = new RegExp(`^(?:case:${ID}|meeting:${ID}|bespreking:${ID}:${ID})$`);

export function parseDocumentName(name: string): DocumentRef | null {
	const m = DOCUMENT_NAME.exec(name);
	if (!m) return null;
	if (m[1]) return { kind: 'case', caseId: Number(m[1]) };
	if (m[2]) return { kind: 'meeting', meetingId: Number(m[2]) };
	return { kind: 'bespreking', meetingId: Number(m[3]), caseId: Number(m[4]) };
}

/**
 * The cases whose access a document follows: every access change to one of these cases must
 * re-ask the policy for the document's open connections (server/realtime.ts `reauthorize`).
 * Exhaustive on purpose: a new document kind does not compile until it says what it derives
 * from.
 */
export function documentCaseIds(ref: DocumentRef): number[] {
	switch (ref.kind) {
		case 'case':
			return [ref.caseId];
		case 'bespreking':
			return [ref.caseId];
		case 'meeting':
			return [];
		default: {
			const unknownKind: never = ref;
			throw new Error(`document kind without derivation: ${JSON.stringify(unknownKind)}`);
		}
	}
}

async function caseDocumentAccess(db: Executor, actor: Actor, caseId: number): Promise<'write' | 'read' | null> {
	const facts = await loadFacts(db, actor, { kind: 'case', caseId });
	if (!facts) return null;
	if (decide(actor, 'case.edit', facts)) {
		// a case whose personal data was removed after its retention period is not written again
		const purged = await db.selectFrom('cases').select('purged_at').where('id', '=', caseId).executeTakeFirst();
		return purged?.purged_at ? 'read' : 'write';
	}
	return decide(actor, 'case.view', facts) ? 'read' : null;
}

/**
 * Read-write, read-only or nothing, for the whole document; the same policy as the pages.
 * A closed meeting's documents (its own and its minutes) are read-only for everyone: what was
 * agreed stays as agreed.
 */
export async function documentAccess(
	db: Executor,
	actor: Actor,
	ref: DocumentRef
): Promise<'write' | 'read' | null> {
	if (ref.kind === 'case') return caseDocumentAccess(db, actor, ref.caseId);
	const meeting = await db
		.selectFrom('meetings')
		.select(['status', 'case_table_id'])
		.where('id', '=', ref.meetingId)
		.executeTakeFirst();
	if (!meeting) return null;
	const closed = meeting.status === 'gesloten';
	if (ref.kind === 'bespreking') {
		const sameTable = await db
			.selectFrom('cases')
			.select('id')
			.where('id', '=', ref.caseId)
			.where('case_table_id', '=', meeting.case_table_id)
			.executeTakeFirst();
		if (!sameTable) return null;
		const access = await caseDocumentAccess(db, actor, ref.caseId);
		return access && closed ? 'read' : access;
	}
	const facts = await loadFacts(db, actor, { kind: 'meeting', meetingId: ref.meetingId });
	if (!facts || !decide(actor, 'meeting.view', facts)) return null;
	if (closed) return 'read';
	return decide(actor, 'meeting.run', facts) ? 'write' : 'read';
}

/**
 * What the document hub's semantic check (collab/content.ts) asks about the writer of an
 * update, decided by the policy from facts loaded when the connection opens (and again when the
 * connection is re-authorized): the check runs inside a Yjs transaction and cannot wait for the
 * database.
 */
export interface DocumentWriter {
	/** 'action.delete' for an action held by that organisation (null: nobody holds it) */
	mayDeleteActionOf(organisationId: number | null): boolean;
}

/** A writer the check may not ask anything of: no action held by any organisation may go. */
export const UNKNOWN_WRITER: DocumentWriter = { mayDeleteActionOf: (organisationId) => organisationId === null };

/** The writer facts of one connection to a document (see DocumentWriter). */
export async function documentWriter(db: Executor, actor: Actor, ref: DocumentRef): Promise<DocumentWriter> {
	if (ref.kind !== 'case') return UNKNOWN_WRITER;
	const facts = await loadFacts(db, actor, { kind: 'case', caseId: ref.caseId });
	if (!facts) return UNKNOWN_WRITER;
	return { mayDeleteActionOf: (organisationId) => decide(actor, 'action.delete', { ...facts, actionOrganisationId: organisationId }) };
}

/**
 * Which open document connections an access change concerns: those whose document derives from
 * a case (`case:`, `bespreking:*:<case>`, whatever kind comes next, by `documentCaseIds`), all of
 * one user's, or all of them (the periodic recheck).
 */
export type ConnectionScope = { caseId: number } | { userId: number } | { all: true };

export function connectionInScope(scope: ConnectionScope, connection: { docName: string; userId: number }): boolean {
	if ('all' in scope) return true;
	if ('userId' in scope) return connection.userId === scope.userId;
	const ref = parseDocumentName(connection.docName);
	// a connection to a name the policy does not know should not exist; it is re-asked (and closed)
	return ref === null || documentCaseIds(ref).includes(scope.caseId);
}

/**
 * The actiehouder rule, the one place it lives: an action's actiehouder is an active (not
 * blocked) user of an organisation that holds active access to the case. Whoever else a writer
 * names in the case document (a user of an organisation without access, the beheerder, a
 * blocked user) holds nothing: no notice, no e-mail, no reminder, no row in Mijn acties, no
 * calendar entry, no live event. Checked when it is read, so a withdrawn access or a blocked
 * account counts at once.
 */
export interface ActiehouderCandidate {
	id: number;
	name: string;
	organisationId: number;
	organisationName: string;
}

/** Per case, the users who may hold its actions (by name). */
export async function actiehouderCandidates(db: Executor, caseIds: number[]): Promise<Map<number, ActiehouderCandidate[]>> {
	const result = new Map<number, ActiehouderCandidate[]>(caseIds.map((id) => [id, []]));
	if (caseIds.length === 0) return result;
	const rows = await db
		.selectFrom('case_access')
		.innerJoin('users', 'users.organisation_id', 'case_access.organisation_id')
		.innerJoin('organisations', 'organisations.id', 'users.organisation_id')
		.select(['case_access.case_id', 'users.id', 'users.name', 'organisations.id as organisationId', 'organisations.name as organisationName'])
		.where('case_access.case_id', 'in', caseIds)
		.where('case_access.withdrawn_at', 'is', null)
		.where('users.disabled_at', 'is', null)
		.orderBy('users.name')
		.execute();
	for (const r of rows) {
		const list = result.get(r.case_id)!;
		if (!list.some((c) => c.id === r.id)) list.push({ id: r.id, name: r.name, organisationId: r.organisationId, organisationName: r.organisationName });
	}
	return result;
}

/** The ids of the users who may hold actions of one case. */
export async function allowedActiehouders(db: Executor, caseId: number): Promise<Set<number>> {
	return new Set((await actiehouderCandidates(db, [caseId])).get(caseId)!.map((c) => c.id));
}

/** Whether the user may hold actions of the case (the rule above). */
export async function mayHoldAction(db: Executor, userId: number, caseId: number): Promise<boolean> {
	return (await casesUserMayHold(db, userId, [caseId])).has(caseId);
}

/** Of the given cases, those whose actions the user may hold. */
export async function casesUserMayHold(db: Executor, userId: number, caseIds: number[]): Promise<Set<number>> {
	if (caseIds.length === 0) return new Set();
	const rows = await db
		.selectFrom('users')
		.innerJoin('case_access', 'case_access.organisation_id', 'users.organisation_id')
		.select('case_access.case_id')
		.where('users.id', '=', userId)
		.where('users.disabled_at', 'is', null)
		.where('case_access.case_id', 'in', caseIds)
		.where('case_access.withdrawn_at', 'is', null)
		.execute();
	return new Set(rows.map((r) => r.case_id));
}

/**
 * Whether a stored notification may still reach its user (shown, mailed, pushed): a notice
 * about an action only while the user may hold that case's actions. Other kinds are decided
 * where they are made.
 */
export async function mayReceiveNotice(db: Executor, notice: { userId: number; kind: string; caseId: number | null; meetingId?: number | null }): Promise<boolean> {
	// a meeting's invitation goes to members of its table only, asked again when it goes out
	if (notice.kind.startsWith('meeting.') && notice.meetingId != null) {
		const meeting = await db.selectFrom('meetings').select('case_table_id').where('id', '=', notice.meetingId).executeTakeFirst();
		return meeting !== undefined && (await roleAt(db, notice.userId, meeting.case_table_id)) !== null;
	}
	if (!notice.kind.startsWith('action.') || notice.caseId === null) return true;
	return mayHoldAction(db, notice.userId, notice.caseId);
}

// ---- identifying data: the subject's name and birthdate ----

/** Whose subject: a case, or a request (verzoek tot bespreking) before it became one. */
export type SubjectTarget = { kind: 'case'; caseId: number } | { kind: 'request'; requestId: number };

/** The subject as one viewer may see it. */
export interface ShownSubject {
	/** the full name, or the initials ("R.V.", "Gezin V.") */
	name: string;
	/** the birthdate, or null when hidden (or unknown) */
	birthdate: string | null;
	/** true: the name and birthdate are the real ones */
	identified: boolean;
	/** the table type's sentence on who sees them, for the page to say why it shows initials */
	rule: readonly IdentityRole[];
}

function parseIdentityRoles(text: string | null | undefined): IdentityRole[] {
	try {
		const v: unknown = JSON.parse(text ?? '');
		if (Array.isArray(v)) return normaliseIdentityRoles(v.filter((x): x is string => typeof x === 'string'));
	} catch {
		// the strictest reading below
	}
	return [...DEFAULT_IDENTITY_ROLES];
}

async function identityFactsFor(db: Executor, actor: Actor, target: SubjectTarget) {
	if (target.kind === 'case') {
		const facts = await loadFacts(db, actor, target);
		if (!facts) return null;
		const [type, regie] = await Promise.all([
			db
				.selectFrom('cases')
				.innerJoin('case_tables', 'case_tables.id', 'cases.case_table_id')
				.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
				.select('table_types.identity_roles')
				.where('cases.id', '=', target.caseId)
				.executeTakeFirst(),
			db
				.selectFrom('regie_assignments')
				.select('kind')
				.where('case_id', '=', target.caseId)
				.where('user_id', '=', actor.userId)
				.where('ended_at', 'is', null)
				.execute()
		]);
		return {
			...facts,
			identityRoles: parseIdentityRoles(type?.identity_roles),
			regieKinds: regie.map((r) => r.kind).filter((k): k is RegieKind => REGIE_KINDS.includes(k as RegieKind)),
			maySee: decide(actor, 'case.view', facts)
		};
	}
	const facts = await loadFacts(db, actor, target);
	if (!facts) return null;
	const type = await db
		.selectFrom('requests')
		.innerJoin('case_tables', 'case_tables.id', 'requests.case_table_id')
		.innerJoin('table_types', 'table_types.id', 'case_tables.table_type_id')
		.select('table_types.identity_roles')
		.where('requests.id', '=', target.requestId)
		.executeTakeFirst();
	return {
		...facts,
		identityRoles: parseIdentityRoles(type?.identity_roles),
		regieKinds: [],
		maySee: decide(actor, 'request.view', facts)
	};
}

/**
 * THE way the subject's name and birthdate leave the server: every page, endpoint, export,
 * message and event that reads `subject_name` or `subject_birthdate` of a case or request passes
 * them through here for the one who will see them. Who sees them is the table type's setting
 * (`table_types.identity_roles`, decided by `mayIdentify`); everyone else gets the initials and
 * no birthdate. Unknown targets are shown as hidden.
 */
export async function subjectFor(
	db: Executor,
	actor: Actor,
	target: SubjectTarget,
	subject: { name: string; birthdate: string | null }
): Promise<ShownSubject> {
	const facts = await identityFactsFor(db, actor, target);
	const rule = facts?.identityRoles ?? DEFAULT_IDENTITY_ROLES;
	if (facts && mayIdentify(facts)) return { name: subject.name, birthdate: subject.birthdate, identified: true, rule };
	return { name: subjectInitials(subject.name), birthdate: null, identified: false, rule };
}

/**
 * For each person in a meeting room, whether they may view the case on the agenda: the same
 * rule as 'case.view' (chair and secretaris, and members whose organisation holds access). The
 * shared screen shows the case restricted while anyone present may not (meetings/room.ts).
 */
export async function caseViewersAmong(db: Executor, people: Actor[], caseId: number): Promise<Map<number, boolean>> {
	const result = new Map<number, boolean>();
	for (const person of people) {
		if (!result.has(person.userId)) result.set(person.userId, await can(db, person, 'case.view', { kind: 'case', caseId }));
	}
	return result;
}
