import type { TableRole } from '../../shared/roles';
import type { IdentityRole, RegieKind } from '../../shared/tables';
import { mayDeleteActionOf } from '../../shared/action-rules';

/**
 * The one place that decides "may this user do this to that". Pure: the facts are loaded by
 * `authorize` (policy/index.ts) and every transport (page, form action, endpoint, and later
 * socket.io events and document connections) goes through it.
 */
export interface Actor {
	userId: number;
	organisationId: number;
	isAdmin: boolean;
}

/** What is known about the target, loaded per request. */
export interface Facts {
	/** The actor's role at the table the target belongs to, if any. */
	tableRole: TableRole | null;
	/** Whether the actor's organisation holds active access to the target case. */
	organisationHasCaseAccess: boolean;
	/** For user targets: the target user's id. */
	targetUserId?: number;
	/** For submitting to a table: the actor's organisation type is one the table accepts. */
	submitterAllowed?: boolean;
	/** For request targets: the actor submitted it. */
	isSubmitter?: boolean;
	/** For case targets: the actor is its procesregisseur or casusregisseur now. */
	isRegisseur?: boolean;
	/** For action targets: the actor is the action's actiehouder. */
	isActiehouder?: boolean;
	/**
	 * For deleting an action: the organisation of its actiehouder as the case document names it
	 * (null or absent: nobody holds it yet).
	 */
	actionOrganisationId?: number | null;
}

export const OPERATIONS = [
	'admin.manage',
	'table.view',
	'meeting.view',
	'meeting.run',
	'meeting.schedule',
	'meeting.respond',
	'case.view',
	'case.edit',
	'case.manageAccess',
	'case.assignRegie',
	'case.lifecycle',
	'request.submit',
	'request.view',
	'request.triage',
	'action.update',
	'action.delete',
	'session.end'
] as const;
export type Operation = (typeof OPERATIONS)[number];

const CHAIR_ROLES: readonly TableRole[] = ['voorzitter', 'secretaris'];

const isChair = (f: Facts) => f.tableRole !== null && CHAIR_ROLES.includes(f.tableRole);
const isMember = (f: Facts) => f.tableRole !== null;

/**
 * Need to know: a case is visible to the chair and secretary of its table, and to other members
 * of that table whose organisation was granted access. A beheerder manages the region but sees
 * no case content by virtue of being beheerder.
 */
export function decide(actor: Actor, operation: Operation, facts: Facts): boolean {
	switch (operation) {
		case 'admin.manage':
			return actor.isAdmin;
		case 'table.view':
		case 'meeting.view':
		// sending one's own afmelding for a meeting of one's table
		case 'meeting.respond':
			return isMember(facts);
		case 'meeting.run':
		// planning, moving and cancelling the table's meetings (a beheerder without a role: no)
		case 'meeting.schedule':
		case 'case.manageAccess':
			return isChair(facts);
		case 'case.view':
			return isChair(facts) || (isMember(facts) && facts.organisationHasCaseAccess);
		case 'case.edit':
			return (
				isChair(facts) || (facts.tableRole === 'deelnemer' && facts.organisationHasCaseAccess)
			);
		case 'case.assignRegie':
		case 'request.triage':
			return isChair(facts);
		case 'case.lifecycle':
			// the chair, or the regisseur who follows the case up between meetings
			return isChair(facts) || (facts.isRegisseur === true && isMember(facts) && facts.organisationHasCaseAccess);
		case 'request.submit':
			// any user of an organisation type the table accepts, member of the table or not
			return facts.submitterAllowed === true;
		case 'action.update':
			// status and note of an action: whoever may edit the case, and the actiehouder whose
			// organisation has access, from Mijn acties, member of the table or not
			return decide(actor, 'case.edit', facts) || (facts.isActiehouder === true && facts.organisationHasCaseAccess);
		case 'action.delete':
			// an action of another organisation: only its actiehouder's organisation or the
			// voorzitter (shared/action-rules.ts, which the actions table asks as well)
			return (
				decide(actor, 'case.edit', facts) &&
				mayDeleteActionOf({ tableRole: facts.tableRole, organisationId: actor.organisationId }, facts.actionOrganisationId ?? null)
			);
		case 'request.view':
			return isChair(facts) || facts.isSubmitter === true;
		case 'session.end':
			return actor.isAdmin || facts.targetUserId === actor.userId;
	}
}

/** What `mayIdentify` needs about the viewer and the case or request (policy/identity.ts loads it). */
export interface IdentityFacts extends Facts {
	/** the table type's setting: who sees the subject's name and birthdate */
	identityRoles: readonly IdentityRole[];
	/** for case targets: the kinds of regie the actor holds on the case now */
	regieKinds: readonly RegieKind[];
	/** whether the actor may see the target at all ('case.view' or 'request.view') */
	maySee: boolean;
}

/**
 * Whether the actor sees the subject's name and birthdate, or the code and initials only. Only
 * someone who may see the case (or request) at all can; then the voorzitter always, and whoever
 * the table type names: the secretaris, the case's current procesregisseur or casusregisseur,
 * deelnemers or waarnemers (of an organisation with access: others cannot see the case). The
 * submitter of a request sees what they typed themselves. A beheerder is no exception.
 */
export function mayIdentify(facts: IdentityFacts): boolean {
	if (!facts.maySee) return false;
	if (facts.isSubmitter === true) return true;
	const roles = facts.identityRoles;
	switch (facts.tableRole) {
		case 'voorzitter':
			return true;
		case 'secretaris':
			if (roles.includes('secretaris')) return true;
			break;
		case 'deelnemer':
		case 'waarnemer':
			if (facts.organisationHasCaseAccess && roles.includes(facts.tableRole)) return true;
			break;
	}
	return facts.regieKinds.some((kind) => roles.includes(kind));
}
