import type { CaseAction } from './documents';
import type { OrganisationType, SubjectKind } from './roles';

/**
 * What an overlegtafel is, as configuration a beheerder edits (DOMAIN.md §1, §7): who may
 * submit, who is eligible, the caseload cap, who from the client's side may sit at the table,
 * the output template, the leefgebieden, follow-up and retention. Shared by browser and server.
 */
export interface TableTypeConfig {
	id: number;
	slug: string;
	name: string;
	/** doelbinding */
	purpose: string;
	/** organisation types that may submit a verzoek tot bespreking; empty = every organisation */
	submitterOrgTypes: OrganisationType[];
	minAge: number | null;
	maxAge: number | null;
	/** e.g. 'BW-indicatie' */
	requiredIndication: string | null;
	caseloadCap: number | null;
	/** who from the client's side may sit at the table, in words */
	clientParticipation: string;
	/** a child may attend from this age; null = no age rule */
	childMinAge: number | null;
	outputTemplate: OutputTemplate;
	subjectKind: SubjectKind;
	leefgebieden: string[];
	followupMonths: number | null;
	retentionMonths: number;
	/**
	 * Who at the table sees the subject's name and birthdate (identifying data); everyone else who
	 * may see the case sees its code and the initials. The voorzitter always does.
	 */
	identityRoles: IdentityRole[];
	/**
	 * Where the rules above come from, in words with the seed passage or the law (e.g. "Leeftijd:
	 * kinderen van 0 tot 7 jaar, dus tot en met 6 jaar [001 §5.4.1]"); shown on /aanmelden and in
	 * beheer, so nobody has to guess whether a limit is a rule or a habit.
	 */
	ruleBasis: string;
}

// ---- identifying data ----

/**
 * The roles a table type can let see the subject's name and birthdate. 'deelnemer' and
 * 'waarnemer' mean those of an organisation with access to the case (others do not see the case
 * at all); the two regisseurs are the current holders of that case's regie.
 */
export const IDENTITY_ROLES = ['voorzitter', 'secretaris', 'procesregisseur', 'casusregisseur', 'deelnemer', 'waarnemer'] as const;
export type IdentityRole = (typeof IDENTITY_ROLES)[number];

/** The default of migration 0014 and of new types: the chair, the secretaris and the regisseurs. */
export const DEFAULT_IDENTITY_ROLES: IdentityRole[] = ['voorzitter', 'secretaris', 'procesregisseur', 'casusregisseur'];

/** Plural nouns for the sentence on the forms ("de voorzitter, de secretaris en de casusregisseur"). */
export const IDENTITY_ROLE_LABELS: Record<IdentityRole, { one: string; form: string }> = {
	voorzitter: { one: 'de voorzitter', form: 'Voorzitter' },
	secretaris: { one: 'de secretaris', form: 'Secretaris' },
	procesregisseur: { one: 'de procesregisseur', form: 'Procesregisseur van de casus' },
	casusregisseur: { one: 'de casusregisseur', form: 'Casusregisseur van de casus' },
	deelnemer: { one: 'deelnemers van organisaties met toegang', form: 'Deelnemers van organisaties met toegang tot de casus' },
	waarnemer: { one: 'waarnemers van organisaties met toegang', form: 'Waarnemers van organisaties met toegang tot de casus' }
};

/** The roles in their fixed order, the voorzitter always among them, each once. */
export function normaliseIdentityRoles(roles: readonly string[]): IdentityRole[] {
	return IDENTITY_ROLES.filter((r) => r === 'voorzitter' || roles.includes(r));
}

/**
 * What the aanmeld form and beheer say about who sees the name: true for the type's setting.
 * "De naam en geboortedatum zien alleen: de voorzitter, de secretaris en de casusregisseur.
 * Andere deelnemers zien de casuscode en de initialen."
 */
export function identityNotice(roles: readonly IdentityRole[]): string {
	const list = normaliseIdentityRoles(roles).map((r) => IDENTITY_ROLE_LABELS[r].one);
	const words = list.length === 1 ? list[0]! : `${list.slice(0, -1).join(', ')} en ${list[list.length - 1]}`;
	const everyone = list.length === IDENTITY_ROLES.length;
	return everyone
		? `De naam en geboortedatum ziet iedereen aan tafel die de casus mag inzien: ${words}.`
		: `De naam en geboortedatum zien alleen: ${words}. Andere deelnemers zien de casuscode en de initialen.`;
}

/** "Rens Verzonnen" → "R.V.", "Gezin Voorbeeldstra" → "Gezin V.", "Fatima el Amrani" → "F.A.". */
export function subjectInitials(name: string): string {
	const KIND_WORDS = new Set(['gezin', 'huishouden', 'familie']);
	const PARTICLES = new Set(['de', 'den', 'der', 'van', 'het', 'ter', 'ten', 'te', 'op', 'in', "'t", 'el', 'al', 'la', 'le', 'bin']);
	const out: string[] = [];
	let initials = '';
	for (const word of name.trim().split(/\s+/)) {
		const lower = word.toLocaleLowerCase('nl');
		if (KIND_WORDS.has(lower)) {
			out.push(word.charAt(0).toLocaleUpperCase('nl') + word.slice(1).toLocaleLowerCase('nl'));
			continue;
		}
		if (PARTICLES.has(lower)) continue;
		const first = [...word].find((ch) => /\p{L}/u.test(ch));
		if (first) initials += `${first.toLocaleUpperCase('nl')}.`;
	}
	if (initials) out.push(initials);
	return out.join(' ') || '?';
}

// ---- output templates ----

export const OUTPUT_TEMPLATES = [
	'algemeen',
	'advies',
	'drie_acties',
	'plan_van_aanpak',
	'zorgen',
	'leefthemas',
	'plaatsing'
] as const;
export type OutputTemplate = (typeof OUTPUT_TEMPLATES)[number];

/**
 * Text sections of the case document; each template shows a selection, in its own words.
 * 'wens' is kept for documents written before the family's voice moved to each bespreking.
 */
export const CASE_TEXT_KEYS = ['situatie', 'zorgen', 'wens', 'advies', 'moet_gebeuren', 'plan', 'plaatsing', 'afspraken'] as const;
export type CaseTextKey = (typeof CASE_TEXT_KEYS)[number];

export interface TemplateDef {
	label: string;
	/** what closing an agenda item requires, in one sentence */
	requirement: string;
	texts: { key: CaseTextKey; label: string }[];
	/** label of the per-leefgebied texts; null = the template has none */
	goalsLabel: string | null;
	/** the Jeugdwet/Wmo financing decision (TWS) */
	financing: boolean;
	/** the number of actions the template names (MDA++: exactly three) */
	exactActions: number | null;
}

export const TEMPLATES: Record<OutputTemplate, TemplateDef> = {
	algemeen: {
		label: 'Algemeen',
		requirement: 'Geen vaste uitkomst.',
		texts: [
			{ key: 'situatie', label: 'Situatie' },
			{ key: 'zorgen', label: 'Zorgen' },
			{ key: 'afspraken', label: 'Afspraken' }
		],
		goalsLabel: 'Doelen per leefgebied',
		financing: false,
		exactActions: null
	},
	advies: {
		label: 'Advies over passende hulp (OPH)',
		requirement: 'Een advies over passende hulp voor het kind en het gezin.',
		texts: [
			{ key: 'situatie', label: 'Situatie' },
			{ key: 'advies', label: 'Advies over passende hulp' },
			{ key: 'afspraken', label: 'Afspraken' }
		],
		goalsLabel: null,
		financing: false,
		exactActions: null
	},
	drie_acties: {
		label: 'Drie acties (MDA++)',
		requirement: 'Precies drie acties die nodig zijn om het geweld te doorbreken.',
		texts: [
			{ key: 'situatie', label: 'Situatie en patroon van geweld' },
			{ key: 'afspraken', label: 'Afspraken met het huishouden' }
		],
		goalsLabel: null,
		financing: false,
		exactActions: 3
	},
	plan_van_aanpak: {
		label: 'Integraal plan van aanpak (Top 150)',
		requirement: 'De situatie volledig in kaart, SMART-doelen per leefgebied en het integraal plan van aanpak.',
		texts: [
			{ key: 'situatie', label: 'Situatie' },
			{ key: 'plan', label: 'Integraal plan van aanpak' }
		],
		goalsLabel: 'SMART-doelen per leefgebied',
		financing: false,
		exactActions: null
	},
	zorgen: {
		label: 'Zorgen en wat moet gebeuren (JBT)',
		requirement: 'De zorgen over ontwikkeling en veiligheid, en wat er moet gebeuren om ze weg te nemen.',
		texts: [
			{ key: 'zorgen', label: 'Zorgen over ontwikkeling en veiligheid' },
			{ key: 'moet_gebeuren', label: 'Wat moet er gebeuren om de zorgen weg te nemen?' },
			{ key: 'afspraken', label: 'Afspraken' }
		],
		goalsLabel: null,
		financing: false,
		exactActions: null
	},
	leefthemas: {
		label: 'Afspraken per leefthema en financiering (TWS)',
		requirement: 'Afspraken op elk leefthema en het besluit wie betaalt: Jeugdwet of Wmo.',
		texts: [
			{ key: 'situatie', label: 'Situatie rond de overgang naar 18' }
		],
		goalsLabel: 'Afspraken per leefthema',
		financing: true,
		exactActions: null
	},
	plaatsing: {
		label: 'Plaatsing (Ketenoverleg Beschermd Wonen)',
		requirement: 'Een besluit over de plaatsing.',
		texts: [
			{ key: 'situatie', label: 'Situatie en BW-indicatie' },
			{ key: 'plaatsing', label: 'Plaatsing' }
		],
		goalsLabel: null,
		financing: false,
		exactActions: null
	}
};

export const FINANCING_OPTIONS = ['Jeugdwet', 'Wmo'] as const;
export type Financing = (typeof FINANCING_OPTIONS)[number];

/** What the server reads from a case document to check a template. */
export interface CaseSnapshot {
	texts: Partial<Record<CaseTextKey, string>>;
	goals: Record<string, string>;
	actions: Pick<CaseAction, 'id' | 'status'>[];
	financing: string | null;
	/**
	 * The actions the case already had when its previous bespreking was rounded off (MDA++ names
	 * three actions per bespreking, 001 §5.4.3); absent or empty for a first bespreking.
	 */
	earlierActionIds?: readonly string[];
}

/**
 * What the case document still misses for its template, in Dutch, one line each; empty when
 * the template is met. Pure, so the server (closing an item) and the browser (the checklist
 * before closing) agree.
 */
export function templateMissing(template: OutputTemplate, leefgebieden: string[], snap: CaseSnapshot): string[] {
	const def = TEMPLATES[template];
	const filled = (key: CaseTextKey) => (snap.texts[key] ?? '').trim() !== '';
	const label = (key: CaseTextKey) => def.texts.find((t) => t.key === key)?.label ?? key;
	const missing: string[] = [];
	const need = (key: CaseTextKey) => {
		if (!filled(key)) missing.push(`${label(key)} is nog leeg.`);
	};
	switch (template) {
		case 'algemeen':
			break;
		case 'advies':
			need('advies');
			break;
		case 'drie_acties': {
			// three actions agreed in this bespreking [001 §5.4.3], not over the whole case: a
			// follow-up after three years of actions names three new ones
			const earlier = new Set(snap.earlierActionIds ?? []);
			const count = snap.actions.filter((a) => a.status !== 'vervallen' && !earlier.has(a.id)).length;
			if (count !== 3) {
				const where = earlier.size > 0 ? 'in deze bespreking ' : '';
				missing.push(`MDA++ benoemt per bespreking precies drie acties; er ${count === 1 ? 'staat er' : 'staan er'} ${where}nu ${count}.`);
			}
			break;
		}
		case 'plan_van_aanpak': {
			need('situatie');
			const goals = leefgebieden.filter((lg) => (snap.goals[lg] ?? '').trim() !== '');
			if (goals.length === 0) missing.push('Er is nog geen SMART-doel op een leefgebied.');
			need('plan');
			break;
		}
		case 'zorgen':
			need('zorgen');
			need('moet_gebeuren');
			break;
		case 'leefthemas': {
			const empty = leefgebieden.filter((lg) => (snap.goals[lg] ?? '').trim() === '');
			if (empty.length > 0) missing.push(`Nog geen afspraken over: ${empty.join(', ')}.`);
			if (!FINANCING_OPTIONS.includes(snap.financing as Financing)) missing.push('Het besluit wie betaalt (Jeugdwet of Wmo) is nog niet genomen.');
			break;
		}
		case 'plaatsing':
			need('plaatsing');
			break;
	}
	return missing;
}

// ---- aanmelding ----

export const LEGAL_FRAMES = ['vrijwillig', 'gedwongen kader', 'Wvggz', 'strafrecht'] as const;
export type LegalFrame = (typeof LEGAL_FRAMES)[number];
export const LEGAL_FRAME_LABELS: Record<LegalFrame, string> = {
	vrijwillig: 'Vrijwillig, met toestemming',
	'gedwongen kader': 'Gedwongen kader (OTS, machtiging, jeugdreclassering)',
	Wvggz: 'Wet verplichte GGZ',
	strafrecht: 'Strafrecht'
};

export const REQUEST_STATUSES = ['ingediend', 'aanvulling_gevraagd', 'geaccepteerd', 'afgewezen', 'ingetrokken'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
export const REQUEST_STATUS_LABELS: Record<RequestStatus, string> = {
	ingediend: 'Ingediend, wacht op triage',
	aanvulling_gevraagd: 'Aanvulling gevraagd',
	geaccepteerd: 'Geaccepteerd',
	afgewezen: 'Afgewezen',
	ingetrokken: 'Ingetrokken'
};

/**
 * A re-submission within this many months of a discussion or closing is flagged as terugval: the
 * default, which a beheerder changes for the region (region_settings 'relapse_months').
 */
export const RELAPSE_MONTHS = 12;

/** Age in whole years on `on` (YYYY-MM-DD dates). */
export function ageOn(birthdate: string, on: Date): number {
	const [y, m, d] = birthdate.split('-').map(Number) as [number, number, number];
	let age = on.getUTCFullYear() - y;
	const month = on.getUTCMonth() + 1;
	if (month < m || (month === m && on.getUTCDate() < d)) age -= 1;
	return age;
}

/** The Dutch reasons a subject is not eligible for a table type; empty = eligible. */
export function eligibilityProblems(
	type: Pick<TableTypeConfig, 'name' | 'minAge' | 'maxAge' | 'requiredIndication'>,
	subject: { birthdate: string | null; hasIndication: boolean; kind?: SubjectKind },
	now: Date
): string[] {
	const problems: string[] = [];
	// a family or household has members of every age: the age rule is about one person
	const onePerson = subject.kind !== 'gezin' && subject.kind !== 'huishouden';
	if (onePerson && (type.minAge !== null || type.maxAge !== null)) {
		if (!subject.birthdate) {
			problems.push(`Voor ${type.name} is de geboortedatum nodig om de leeftijd te toetsen.`);
		} else {
			const age = ageOn(subject.birthdate, now);
			const range = `${type.minAge ?? 0} tot en met ${type.maxAge ?? 'geen grens'}`;
			if ((type.minAge !== null && age < type.minAge) || (type.maxAge !== null && age > type.maxAge)) {
				problems.push(`${type.name} bespreekt alleen mensen van ${range} jaar; deze persoon is ${age}.`);
			}
		}
	}
	if (type.requiredIndication && !subject.hasIndication) {
		problems.push(`${type.name} bespreekt alleen cliënten met een ${type.requiredIndication}.`);
	}
	return problems;
}

// ---- regie ----

export const REGIE_KINDS = ['procesregisseur', 'casusregisseur'] as const;
export type RegieKind = (typeof REGIE_KINDS)[number];
export const REGIE_LABELS: Record<RegieKind, string> = {
	procesregisseur: 'Procesregisseur',
	casusregisseur: 'Casusregisseur'
};

export interface RegieHolder {
	userId: number | null;
	name: string | null;
	organisationName: string | null;
	since: string;
}

export interface RegieHistoryEntry extends RegieHolder {
	kind: RegieKind;
	until: string | null;
	decidedByName: string;
	meetingId: number | null;
	meetingStartsAt: string | null;
	note: string | null;
}

export interface RegieState {
	caseId: number;
	current: Record<RegieKind, RegieHolder | null>;
	history: RegieHistoryEntry[];
}

// ---- attendance and the family's voice ----

export const ATTENDEE_KINDS = ['ouder', 'jeugdige', 'huishoudlid', 'netwerk', 'partner van de persoon', 'persoon zelf'] as const;
export type AttendeeKind = (typeof ATTENDEE_KINDS)[number];
/**
 * The kinds one can add. 'partner van de persoon' was a misreading of Top X Plus ("Partners van
 * de persoon mogen hierbij aansluiten", 001 §5.4.7: the organisations involved with the person,
 * who join as organisations with access); it stays readable for rows written before.
 */
export const OFFERED_ATTENDEE_KINDS = ATTENDEE_KINDS.filter((k): k is OfferedAttendeeKind => k !== 'partner van de persoon');
export type OfferedAttendeeKind = Exclude<AttendeeKind, 'partner van de persoon'>;
export const ATTENDEE_LABELS: Record<AttendeeKind, string> = {
	ouder: 'Ouder of verzorger',
	jeugdige: 'Jeugdige',
	huishoudlid: 'Lid van het huishouden',
	netwerk: 'Iemand uit het netwerk',
	'partner van de persoon': 'Partner van de persoon',
	'persoon zelf': 'De persoon zelf'
};

export interface Attendee {
	id: number;
	kind: AttendeeKind;
	name: string;
	age: number | null;
}

/**
 * The voice texts of a bespreking document: the family's own words, asked in the words that fit
 * who the table discusses. The keys stay the same whatever the labels say.
 */
export const VOICE_FIELDS = [
	{ key: 'stem:jongere', label: 'Wat wil de jongere? (in eigen woorden)' },
	{ key: 'stem:ouders', label: 'Wat willen de ouders? (in eigen woorden)' }
] as const;

export function voiceFields(subject: SubjectKind): { key: (typeof VOICE_FIELDS)[number]['key']; label: string }[] {
	switch (subject) {
		case 'persoon':
			return [{ key: 'stem:jongere', label: 'Wat wil de persoon zelf? (in eigen woorden)' }];
		case 'huishouden':
			return [
				{ key: 'stem:ouders', label: 'Wat willen de volwassenen in het huishouden? (in eigen woorden)' },
				{ key: 'stem:jongere', label: 'Wat willen de kinderen? (in eigen woorden)' }
			];
		default:
			return [...VOICE_FIELDS];
	}
}

// ---- lifecycle ----

export interface ItemClosure {
	itemId: string;
	caseId: number | null;
	closedAt: string;
	closedByName: string;
	templateMissing: string[];
	templateReason: string | null;
	regieReason: string | null;
}
