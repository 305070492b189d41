import type { SubjectKind } from '$lib/shared/roles';
import type { TableTypeConfig } from '$lib/shared/tables';

/**
 * Words for the table-type pages (SvelteKit ignores files without a + in routes/). Shared by the
 * list, the edit page and the new-type page, and by the server for its confirmation.
 */

export type TableTypeField = keyof Omit<TableTypeConfig, 'id' | 'slug'>;

/** The form as typed: every field a string, the organisation types a list. */
export type TableTypeFormValues = Record<Exclude<TableTypeField, 'submitterOrgTypes' | 'identityRoles'>, string> & {
	submitterOrgTypes: string[];
	identityRoles: string[];
};

export const FIELD_LABELS: Record<TableTypeField, string> = {
	name: 'Naam',
	purpose: 'Doelbinding',
	submitterOrgTypes: 'Wie mag aanmelden',
	minAge: 'Laagste leeftijd',
	maxAge: 'Hoogste leeftijd',
	requiredIndication: 'Vereiste indicatie',
	caseloadCap: 'Maximum aantal lopende casussen',
	clientParticipation: 'Wie van de kant van de cliënt aan tafel mag',
	childMinAge: 'Kind mag meedoen vanaf',
	outputTemplate: 'Uitkomst van een bespreking',
	subjectKind: 'Wie er besproken wordt',
	leefgebieden: 'Leefgebieden',
	followupMonths: 'Standaard follow-up',
	retentionMonths: 'Bewaartermijn na afsluiten',
	identityRoles: 'Wie de naam en geboortedatum ziet',
	ruleBasis: 'Waar de regels op rusten'
};

/** The order of the fields on the form, for the error summary. */
export const FIELD_ORDER: TableTypeField[] = [
	'name',
	'purpose',
	'submitterOrgTypes',
	'subjectKind',
	'minAge',
	'maxAge',
	'requiredIndication',
	'clientParticipation',
	'childMinAge',
	'outputTemplate',
	'leefgebieden',
	'caseloadCap',
	'followupMonths',
	'retentionMonths',
	'identityRoles',
	'ruleBasis'
];

export const SUBJECT_KIND_LABELS: Record<SubjectKind, string> = {
	jeugdige: 'Een jeugdige (kind of jongere)',
	gezin: 'Een gezin',
	huishouden: 'Een huishouden',
	persoon: 'Een persoon (ook volwassenen)'
};

/** "lokaal team" → "Lokaal team"; the types themselves are Dutch already. */
export const orgTypeLabel = (type: string) => type.charAt(0).toUpperCase() + type.slice(1);

export function ageRange(min: number | null, max: number | null): string {
	if (min === null && max === null) return 'Geen leeftijdsgrens';
	if (min !== null && max !== null) return `${min} tot en met ${max} jaar`;
	if (min !== null) return `${min} jaar en ouder`;
	return `Tot en met ${max} jaar`;
}

/** "36 maanden (3 jaar)", "1 maand", "18 maanden"; no line break inside a number and its unit. */
export function months(n: number): string {
	const base = n === 1 ? '1\u00a0maand' : `${n}\u00a0maanden`;
	if (n % 12 !== 0) return base;
	return `${base} (${n / 12}\u00a0jaar)`;
}

/** A saved configuration as the form shows it. */
export function toFormValues(config: Omit<TableTypeConfig, 'id' | 'slug'>): TableTypeFormValues {
	const num = (n: number | null) => (n === null ? '' : String(n));
	return {
		name: config.name,
		purpose: config.purpose,
		submitterOrgTypes: [...config.submitterOrgTypes],
		minAge: num(config.minAge),
		maxAge: num(config.maxAge),
		requiredIndication: config.requiredIndication ?? '',
		caseloadCap: num(config.caseloadCap),
		clientParticipation: config.clientParticipation,
		childMinAge: num(config.childMinAge),
		outputTemplate: config.outputTemplate,
		subjectKind: config.subjectKind,
		leefgebieden: config.leefgebieden.join('\n'),
		followupMonths: num(config.followupMonths),
		retentionMonths: String(config.retentionMonths),
		identityRoles: [...config.identityRoles],
		ruleBasis: config.ruleBasis
	};
}
