/** Roles at an overlegtafel, shared by pages and server. */
export const TABLE_ROLES = ['voorzitter', 'secretaris', 'deelnemer', 'waarnemer'] as const;
export type TableRole = (typeof TABLE_ROLES)[number];

export const ROLE_LABELS: Record<TableRole, string> = {
	voorzitter: 'Voorzitter',
	secretaris: 'Secretaris',
	deelnemer: 'Deelnemer',
	waarnemer: 'Waarnemer'
};

export const ORGANISATION_TYPES = [
	'gemeente',
	'lokaal team',
	'GI',
	'Veilig Thuis',
	'Raad voor de Kinderbescherming',
	'Zorg- en Veiligheidshuis',
	'politie',
	'OM',
	'reclassering',
	'zorgaanbieder',
	'GGZ',
	'GGD',
	'onderwijs',
	'woningcorporatie',
	'MEE',
	'overig'
] as const;
export type OrganisationType = (typeof ORGANISATION_TYPES)[number];

export const CASE_STATUSES = [
	'aangemeld',
	'gepland',
	'besproken',
	'in_uitvoering',
	'monitoring',
	'afgesloten'
] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const CASE_STATUS_LABELS: Record<CaseStatus, string> = {
	aangemeld: 'Aangemeld',
	gepland: 'Gepland',
	besproken: 'Besproken',
	in_uitvoering: 'In uitvoering',
	monitoring: 'Monitoring',
	afgesloten: 'Afgesloten'
};

export const SUBJECT_KINDS = ['jeugdige', 'gezin', 'huishouden', 'persoon'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];
