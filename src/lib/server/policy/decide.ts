import type { TableRole } from '../../shared/roles';

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
}

export const OPERATIONS = [
	'admin.manage',
	'table.view',
	'meeting.view',
	'meeting.run',
	'case.view',
	'case.edit',
	'case.manageAccess',
	'case.assignRegie',
	'case.lifecycle',
	'request.submit',
	'request.view',
	'request.triage',
	'action.update',
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
			return isMember(facts);
		case 'meeting.run':
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
		case 'request.view':
			return isChair(facts) || facts.isSubmitter === true;
		case 'session.end':
			return actor.isAdmin || facts.targetUserId === actor.userId;
	}
}
