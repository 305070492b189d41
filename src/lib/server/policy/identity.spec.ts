import { describe, expect, it } from 'vitest';
import { mayIdentify, type IdentityFacts } from './decide';
import { DEFAULT_IDENTITY_ROLES, identityNotice, subjectInitials, type IdentityRole } from '../../shared/tables';

/**
 * Who sees the subject's name and birthdate, written out by hand from the rule (issue 13 item 3):
 * only someone who may see the case; then the voorzitter always, the others when the table type
 * names their role (deelnemer and waarnemer only with access; regisseurs of this case only).
 */
const facts = (over: Partial<IdentityFacts>, roles: readonly IdentityRole[] = DEFAULT_IDENTITY_ROLES): IdentityFacts => ({
	tableRole: null,
	organisationHasCaseAccess: false,
	identityRoles: roles,
	regieKinds: [],
	maySee: true,
	...over
});

describe('mayIdentify', () => {
	const rows: [string, IdentityFacts, boolean][] = [
		['voorzitter, default', facts({ tableRole: 'voorzitter' }), true],
		['voorzitter, a type that names nobody else', facts({ tableRole: 'voorzitter' }, ['voorzitter']), true],
		['secretaris, default', facts({ tableRole: 'secretaris' }), true],
		['secretaris, not named', facts({ tableRole: 'secretaris' }, ['voorzitter']), false],
		['deelnemer with access, default', facts({ tableRole: 'deelnemer', organisationHasCaseAccess: true }), false],
		['deelnemer with access, deelnemers named', facts({ tableRole: 'deelnemer', organisationHasCaseAccess: true }, ['voorzitter', 'deelnemer']), true],
		['deelnemer without access, deelnemers named', facts({ tableRole: 'deelnemer', maySee: false }, ['voorzitter', 'deelnemer']), false],
		['waarnemer with access, only deelnemers named', facts({ tableRole: 'waarnemer', organisationHasCaseAccess: true }, ['voorzitter', 'deelnemer']), false],
		['casusregisseur (deelnemer), default', facts({ tableRole: 'deelnemer', organisationHasCaseAccess: true, regieKinds: ['casusregisseur'] }), true],
		['procesregisseur, only casusregisseur named', facts({ tableRole: 'secretaris', regieKinds: ['procesregisseur'] }, ['voorzitter', 'casusregisseur']), false],
		['a regisseur who may not see the case (access withdrawn)', facts({ tableRole: 'deelnemer', regieKinds: ['casusregisseur'], maySee: false }), false],
		['the submitter of a request', facts({ isSubmitter: true }, ['voorzitter']), true],
		['a beheerder, member of nothing', facts({ maySee: false }), false]
	];
	it.each(rows)('%s → %s', (_name, f, expected) => {
		expect(mayIdentify(f)).toBe(expected);
	});
});

describe('what a masked viewer reads', () => {
	it.each([
		['Rens Verzonnen', 'R.V.'],
		['Gezin Voorbeeldstra', 'Gezin V.'],
		['Huishouden Testman', 'Huishouden T.'],
		['Fatima el Amrani', 'F.A.'],
		['Jan van der Berg', 'J.B.'],
		['  ', '?']
	])('%s → %s', (name, initials) => {
		expect(subjectInitials(name)).toBe(initials);
	});

	it('the sentence on the forms follows the setting, the voorzitter always first', () => {
		expect(identityNotice(DEFAULT_IDENTITY_ROLES)).toBe(
			'De naam en geboortedatum zien alleen: de voorzitter, de secretaris, de procesregisseur en de casusregisseur. Andere deelnemers zien de casuscode en de initialen.'
		);
		expect(identityNotice([])).toBe('De naam en geboortedatum zien alleen: de voorzitter. Andere deelnemers zien de casuscode en de initialen.');
	});
});
