import { describe, expect, it } from 'vitest';
import { OPERATIONS, decide, type Actor, type Facts, type Operation } from './decide';
import { actionOrganisationOf, mayDeleteActionOf } from '../../shared/action-rules';

/**
 * The access matrix, written out by hand from the need-to-know rules (docs/security.md and
 * docs/architecture.md), not derived from `decide`. Every role below is a person as the policy
 * sees them: their admin flag, their role at the table of the target, and whether their
 * organisation holds active access to the target case. Anonymous visitors are not actors; the
 * routes turn them away before the policy is asked.
 *
 * 'session.end' in the matrix means ending ANOTHER user's session; ending your own is below.
 */
const ME = 100;
const SOMEONE_ELSE = 200;

interface Role {
	actor: Actor;
	facts: Facts;
}

const person = (isAdmin: boolean, tableRole: Facts['tableRole'], access: boolean): Role => ({
	actor: { userId: ME, organisationId: 7, isAdmin },
	facts: { tableRole, organisationHasCaseAccess: access }
});

const ROLES = {
	'a beheerder who is not a member of the table': person(true, null, false),
	'a voorzitter (whose organisation has no access of its own)': person(false, 'voorzitter', false),
	'a secretaris (whose organisation has no access of its own)': person(false, 'secretaris', false),
	'a deelnemer whose organisation has access': person(false, 'deelnemer', true),
	'a deelnemer whose organisation has no access': person(false, 'deelnemer', false),
	'a waarnemer whose organisation has access': person(false, 'waarnemer', true),
	'a waarnemer whose organisation has no access': person(false, 'waarnemer', false),
	'a non-member whose organisation has access': person(false, null, true),
	'a non-member whose organisation has no access': person(false, null, false)
} satisfies Record<string, Role>;
type RoleName = keyof typeof ROLES;

const Y = true;
const N = false;

// prettier-ignore
const EXPECTED: Record<RoleName, Record<Operation, boolean>> = {
	// columns: admin.manage table.view meeting.view meeting.respond meeting.run meeting.schedule case.view case.edit case.manageAccess case.assignRegie case.lifecycle request.submit request.view request.triage action.update action.delete session.end(other)
	// (request.submit and request.view depend on facts of their own, tested below; action.delete
	// here is of an action nobody holds yet, other organisations' actions below)
	'a beheerder who is not a member of the table':      { 'admin.manage': Y, 'table.view': N, 'meeting.view': N, 'meeting.respond': N, 'meeting.run': N, 'meeting.schedule': N, 'case.view': N, 'case.edit': N, 'case.manageAccess': N, 'case.assignRegie': N, 'case.lifecycle': N, 'request.submit': N, 'request.view': N, 'request.triage': N, 'action.update': N, 'action.delete': N, 'session.end': Y },
	'a voorzitter (whose organisation has no access of its own)': { 'admin.manage': N, 'table.view': Y, 'meeting.view': Y, 'meeting.respond': Y, 'meeting.run': Y, 'meeting.schedule': Y, 'case.view': Y, 'case.edit': Y, 'case.manageAccess': Y, 'case.assignRegie': Y, 'case.lifecycle': Y, 'request.submit': N, 'request.view': Y, 'request.triage': Y, 'action.update': Y, 'action.delete': Y, 'session.end': N },
	'a secretaris (whose organisation has no access of its own)': { 'admin.manage': N, 'table.view': Y, 'meeting.view': Y, 'meeting.respond': Y, 'meeting.run': Y, 'meeting.schedule': Y, 'case.view': Y, 'case.edit': Y, 'case.manageAccess': Y, 'case.assignRegie': Y, 'case.lifecycle': Y, 'request.submit': N, 'request.view': Y, 'request.triage': Y, 'action.update': Y, 'action.delete': Y, 'session.end': N },
	'a deelnemer whose organisation has access':         { 'admin.manage': N, 'table.view': Y, 'meeting.view': Y, 'meeting.respond': Y, 'meeting.run': N, 'meeting.schedule': N, 'case.view': Y, 'case.edit': Y, 'case.manageAccess': N, 'case.assignRegie': N, 'case.lifecycle': N, 'request.submit': N, 'request.view': N, 'request.triage': N, 'action.update': Y, 'action.delete': Y, 'session.end': N },
	'a deelnemer whose organisation has no access':      { 'admin.manage': N, 'table.view': Y, 'meeting.view': Y, 'meeting.respond': Y, 'meeting.run': N, 'meeting.schedule': N, 'case.view': N, 'case.edit': N, 'case.manageAccess': N, 'case.assignRegie': N, 'case.lifecycle': N, 'request.submit': N, 'request.view': N, 'request.triage': N, 'action.update': N, 'action.delete': N, 'session.end': N },
	'a waarnemer whose organisation has access':         { 'admin.manage': N, 'table.view': Y, 'meeting.view': Y, 'meeting.respond': Y, 'meeting.run': N, 'meeting.schedule': N, 'case.view': Y, 'case.edit': N, 'case.manageAccess': N, 'case.assignRegie': N, 'case.lifecycle': N, 'request.submit': N, 'request.view': N, 'request.triage': N, 'action.update': N, 'action.delete': N, 'session.end': N },
	'a waarnemer whose organisation has no access':      { 'admin.manage': N, 'table.view': Y, 'meeting.view': Y, 'meeting.respond': Y, 'meeting.run': N, 'meeting.schedule': N, 'case.view': N, 'case.edit': N, 'case.manageAccess': N, 'case.assignRegie': N, 'case.lifecycle': N, 'request.submit': N, 'request.view': N, 'request.triage': N, 'action.update': N, 'action.delete': N, 'session.end': N },
	'a non-member whose organisation has access':        { 'admin.manage': N, 'table.view': N, 'meeting.view': N, 'meeting.respond': N, 'meeting.run': N, 'meeting.schedule': N, 'case.view': N, 'case.edit': N, 'case.manageAccess': N, 'case.assignRegie': N, 'case.lifecycle': N, 'request.submit': N, 'request.view': N, 'request.triage': N, 'action.update': N, 'action.delete': N, 'session.end': N },
	'a non-member whose organisation has no access':     { 'admin.manage': N, 'table.view': N, 'meeting.view': N, 'meeting.respond': N, 'meeting.run': N, 'meeting.schedule': N, 'case.view': N, 'case.edit': N, 'case.manageAccess': N, 'case.assignRegie': N, 'case.lifecycle': N, 'request.submit': N, 'request.view': N, 'request.triage': N, 'action.update': N, 'action.delete': N, 'session.end': N }
};

/** Ending your own session: everybody may; ending someone else's: only a beheerder. */
// prettier-ignore
const SESSION_END: Record<RoleName, { own: boolean; other: boolean }> = {
	'a beheerder who is not a member of the table':               { own: Y, other: Y },
	'a voorzitter (whose organisation has no access of its own)': { own: Y, other: N },
	'a secretaris (whose organisation has no access of its own)': { own: Y, other: N },
	'a deelnemer whose organisation has access':                  { own: Y, other: N },
	'a deelnemer whose organisation has no access':               { own: Y, other: N },
	'a waarnemer whose organisation has access':                  { own: Y, other: N },
	'a waarnemer whose organisation has no access':               { own: Y, other: N },
	'a non-member whose organisation has access':                 { own: Y, other: N },
	'a non-member whose organisation has no access':              { own: Y, other: N }
};

const roleNames = Object.keys(ROLES) as RoleName[];
const verdict = (allowed: boolean) => (allowed ? 'may' : 'may not');
const capitalise = (text: string) => text[0]!.toUpperCase() + text.slice(1);

describe('the access matrix', () => {
	it('The table has an expected answer for every operation the policy knows, for every role.', () => {
		for (const role of roleNames) {
			expect(Object.keys(EXPECTED[role]).sort(), role).toEqual([...OPERATIONS].sort());
		}
	});

	for (const role of roleNames) {
		for (const operation of OPERATIONS) {
			const allowed = EXPECTED[role][operation];
			const what = operation === 'session.end' ? "session.end on another user's session" : operation;
			it(`${capitalise(role)} ${verdict(allowed)} perform ${what}.`, () => {
				const { actor, facts } = ROLES[role];
				expect(decide(actor, operation, { ...facts, targetUserId: SOMEONE_ELSE })).toBe(allowed);
			});
		}
	}
});

describe('ending sessions', () => {
	for (const role of roleNames) {
		const { own, other } = SESSION_END[role];
		it(`${capitalise(role)} ${verdict(own)} end their own session and ${verdict(other)} end another user's.`, () => {
			const { actor, facts } = ROLES[role];
			expect(decide(actor, 'session.end', { ...facts, targetUserId: ME })).toBe(own);
			expect(decide(actor, 'session.end', { ...facts, targetUserId: SOMEONE_ELSE })).toBe(other);
		});
	}

	it('A session whose owner is unknown can be ended by a beheerder only.', () => {
		expect(decide(ROLES['a beheerder who is not a member of the table'].actor, 'session.end', { tableRole: null, organisationHasCaseAccess: false })).toBe(true);
		expect(decide(ROLES['a voorzitter (whose organisation has no access of its own)'].actor, 'session.end', { tableRole: null, organisationHasCaseAccess: false })).toBe(false);
	});
});

describe('being a beheerder', () => {
	it('A beheerder who is also voorzitter of a table gets the voorzitter rights there, and being beheerder adds nothing to a deelnemer without access.', () => {
		const chairAdmin = person(true, 'voorzitter', false);
		expect(decide(chairAdmin.actor, 'case.view', chairAdmin.facts)).toBe(true);
		const memberAdmin = person(true, 'deelnemer', false);
		expect(decide(memberAdmin.actor, 'case.view', memberAdmin.facts)).toBe(false);
		expect(decide(memberAdmin.actor, 'case.edit', memberAdmin.facts)).toBe(false);
		expect(decide(memberAdmin.actor, 'case.manageAccess', memberAdmin.facts)).toBe(false);
	});
});

describe('submitting, following requests and following up as regisseur', () => {
	const anyone = (facts: Partial<Facts>, tableRole: Facts['tableRole'] = null, access = false) =>
		({ tableRole, organisationHasCaseAccess: access, ...facts }) satisfies Facts;
	const actor: Actor = { userId: ME, organisationId: 7, isAdmin: false };

	it('Anyone whose organisation type the table accepts may submit a request, member of the table or not; nobody else may, not even its voorzitter.', () => {
		expect(decide(actor, 'request.submit', anyone({ submitterAllowed: true }))).toBe(true);
		expect(decide(actor, 'request.submit', anyone({ submitterAllowed: true }, 'deelnemer'))).toBe(true);
		expect(decide(actor, 'request.submit', anyone({ submitterAllowed: false }, 'voorzitter'))).toBe(false);
		expect(decide({ ...actor, isAdmin: true }, 'request.submit', anyone({ submitterAllowed: false }))).toBe(false);
	});

	it('The aanmelder may follow their own request; another deelnemer of the table may not; the voorzitter and secretaris may.', () => {
		expect(decide(actor, 'request.view', anyone({ isSubmitter: true }))).toBe(true);
		expect(decide(actor, 'request.view', anyone({ isSubmitter: false }, 'deelnemer'))).toBe(false);
		expect(decide(actor, 'request.view', anyone({ isSubmitter: false }, 'secretaris'))).toBe(true);
		expect(decide(actor, 'request.triage', anyone({ isSubmitter: true }, 'deelnemer'))).toBe(false);
	});

	it('An actiehouder whose organisation has access may update their action from Mijn acties, even without a seat at the table; without access, or as someone else, not.', () => {
		expect(decide(actor, 'action.update', anyone({ isActiehouder: true }, null, true))).toBe(true);
		expect(decide(actor, 'action.update', anyone({ isActiehouder: true }, 'waarnemer', true))).toBe(true);
		expect(decide(actor, 'action.update', anyone({ isActiehouder: true }, 'deelnemer', false))).toBe(false);
		expect(decide(actor, 'action.update', anyone({ isActiehouder: false }, 'waarnemer', true))).toBe(false);
		expect(decide(actor, 'action.update', anyone({ isActiehouder: false }, 'deelnemer', true))).toBe(true);
	});

	it('A regisseur who is a member with access may move the case through its lifecycle; without access or membership, or without being regisseur, a deelnemer may not.', () => {
		expect(decide(actor, 'case.lifecycle', anyone({ isRegisseur: true }, 'deelnemer', true))).toBe(true);
		expect(decide(actor, 'case.lifecycle', anyone({ isRegisseur: true }, 'deelnemer', false))).toBe(false);
		expect(decide(actor, 'case.lifecycle', anyone({ isRegisseur: true }, null, true))).toBe(false);
		expect(decide(actor, 'case.lifecycle', anyone({ isRegisseur: false }, 'deelnemer', true))).toBe(false);
		expect(decide(actor, 'case.assignRegie', anyone({ isRegisseur: true }, 'deelnemer', true))).toBe(false);
	});
});

describe('deleting an action of another organisation', () => {
	const OWN = 7;
	const OTHER = 8;
	const of = (role: RoleName, actionOrganisationId: number | null) => {
		const { actor, facts } = ROLES[role];
		return decide(actor, 'action.delete', { ...facts, actionOrganisationId });
	};
	// prettier-ignore
	const DELETE: Record<RoleName, { own: boolean; other: boolean; nobody: boolean }> = {
		'a beheerder who is not a member of the table':               { own: N, other: N, nobody: N },
		'a voorzitter (whose organisation has no access of its own)': { own: Y, other: Y, nobody: Y },
		'a secretaris (whose organisation has no access of its own)': { own: Y, other: N, nobody: Y },
		'a deelnemer whose organisation has access':                  { own: Y, other: N, nobody: Y },
		'a deelnemer whose organisation has no access':               { own: N, other: N, nobody: N },
		'a waarnemer whose organisation has access':                  { own: N, other: N, nobody: N },
		'a waarnemer whose organisation has no access':               { own: N, other: N, nobody: N },
		'a non-member whose organisation has access':                 { own: N, other: N, nobody: N },
		'a non-member whose organisation has no access':              { own: N, other: N, nobody: N }
	};
	for (const role of roleNames) {
		const { own, other, nobody } = DELETE[role];
		it(`${capitalise(role)} ${verdict(own)} delete an action held by their own organisation, ${verdict(other)} one held by another organisation and ${verdict(nobody)} one nobody holds.`, () => {
			expect(ROLES[role].actor.organisationId).toBe(OWN);
			expect(of(role, OWN)).toBe(own);
			expect(of(role, OTHER)).toBe(other);
			expect(of(role, null)).toBe(nobody);
		});
	}

	it('The actions table asks the same rule: the voorzitter any action, anyone else their own organisation\'s and unheld ones.', () => {
		expect(mayDeleteActionOf({ tableRole: 'voorzitter', organisationId: OWN }, OTHER)).toBe(true);
		expect(mayDeleteActionOf({ tableRole: 'secretaris', organisationId: OWN }, OTHER)).toBe(false);
		expect(mayDeleteActionOf({ tableRole: 'deelnemer', organisationId: OWN }, OWN)).toBe(true);
		expect(mayDeleteActionOf({ tableRole: 'deelnemer', organisationId: OWN }, null)).toBe(true);
		expect(mayDeleteActionOf({ tableRole: null, organisationId: OWN }, OTHER)).toBe(false);
	});

	it('An organisation id the document holds as anything but a number counts as nobody.', () => {
		expect(actionOrganisationOf(8)).toBe(8);
		expect(actionOrganisationOf('8')).toBe(null);
		expect(actionOrganisationOf(undefined)).toBe(null);
		expect(actionOrganisationOf(Number.NaN)).toBe(null);
	});
});
