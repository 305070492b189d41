/**
 * The table types of DOMAIN.md §1, as configuration. Sources in brackets refer to the seed
 * documents in shared/seeds (e.g. [001 §5.4.6]). A region edits or adds types in beheer.
 */
import { DEFAULT_IDENTITY_ROLES, type TableTypeConfig } from '../../shared/tables';

export type TableTypeSeed = Omit<TableTypeConfig, 'id'>;

/** Fields that tables not named in the seeds leave open ("not stated" in DOMAIN.md). */
const OPEN: Pick<TableTypeSeed, 'submitterOrgTypes' | 'minAge' | 'maxAge' | 'requiredIndication' | 'caseloadCap' | 'childMinAge' | 'followupMonths' | 'identityRoles'> = {
	submitterOrgTypes: [],
	// who sees the subject's name and birthdate (migration 0014): the chair, the secretaris and
	// the case's regisseurs; the other members see the code and the initials
	identityRoles: DEFAULT_IDENTITY_ROLES,
	minAge: null,
	maxAge: null,
	requiredIndication: null,
	caseloadCap: null,
	childMinAge: null,
	followupMonths: null
};

/**
 * Where each type's rules come from, shown on /aanmelden and in beheer. Migration 0022 writes
 * the same texts into databases made before it (frozen copies there).
 */
export const RULE_BASIS = {
	rtiv: 'Leeftijd: kinderen van 0 tot 7 jaar, dus tot en met 6 jaar [Werkdocument 001 §5.4.1].',
	oph: 'Leeftijd: jeugdhulp is er tot 18 jaar en kan worden verlengd tot de jeugdige uiterlijk 23 jaar is, dus tot en met 22 jaar [001 §3.3.3; Jeugdwet art. 1.1]. Waar het overleg over gaat: complexe casuïstiek waarin een uithuisplaatsing dreigt [001 §5.3.2].',
	mda: 'Geen leeftijdsregel: de tafel bespreekt een huishouden. Per bespreking worden drie acties benoemd die nodig zijn om het geweld te doorbreken; een casemanager volgt het huishouden minimaal 3 jaar [001 §5.4.3]. Aanmelden: Veilig Thuis meldt bij het Zorg- en Veiligheidshuis [001 §5.4.3].',
	jbt: 'Leeftijd: jeugdbescherming gaat over minderjarigen, tot 18 jaar (Burgerlijk Wetboek, art. 1:255). Aanmelden: alleen Veilig Thuis, lokale toegangsteams en de GI’s [001 §5.4.4]. “Kinderen ouder dan 12 jaar mogen meedoen aan dit gesprek” [001 §5.4.4]: wij lezen dat als vanaf 12 jaar, zoals het jeugdrecht kinderen vanaf 12 jaar zelf hoort (art. 809 Wetboek van Burgerlijke Rechtsvordering).',
	kbw: 'Geen leeftijdsregel; wel een BW-indicatie: het gaat nadrukkelijk om cliënten met een BW-indicatie [001 §5.4.5].',
	t150: 'Ten hoogste 150 lopende casussen: de 150 meest complexe en risicovolle veiligheidscasussen [001 §5.4.6]. De bron noemt geen leeftijd.',
	topx: 'Geen maximum: “op dit moment worden er 30 casussen in de Top X Plus besproken” is een telling, geen grens [001 §5.4.7]. De bron noemt geen leeftijd. Kader: zowel de Wet verplichte GGZ als het strafrecht, ook allebei [001 §5.4.7].',
	tws: 'Leeftijd: jeugdhulp kan worden verlengd tot de jongere uiterlijk 23 jaar is, dus tot en met 22 jaar [001 §3.3.3, §5.4.8; Jeugdwet art. 1.1].'
} as const;

/** "Partners van de persoon mogen hierbij aansluiten" [001 §5.4.7]: the organisations involved. */
export const TOPX_PARTICIPATION =
	'De organisaties die bij de persoon betrokken zijn (de partners van de persoon) mogen aansluiten.';

const GENERAL_LEEFGEBIEDEN = ['Gezin', 'School en werk', 'Vrienden en vrije tijd', 'Gezondheid', 'Wonen', 'Financiën', 'Veiligheid'];

export const TABLE_TYPES: TableTypeSeed[] = [
	{
		slug: 'rtiv',
		...OPEN,
		minAge: 0,
		maxAge: 6, // [001 §5.4.1] "van 0 tot 7 jaar": up to and including 6
		clientParticipation: 'Ouders.',
		ruleBasis: RULE_BASIS.rtiv,
		outputTemplate: 'algemeen',
		subjectKind: 'jeugdige',
		followupMonths: 12,
		retentionMonths: 240, // Jeugdwet: 20 jaar
		name: 'Regionaal Team Integrale Vroeghulp',
		purpose: 'Multidisciplinair bespreken van kinderen van 0 tot 7 jaar met ontwikkelings- en gedragsproblemen waarbij de situatie complex en/of onduidelijk is.', // [001 §5.4.1]
		leefgebieden: ['Ontwikkeling', 'Gedrag', 'Gezondheid', 'Gezin', 'Kinderopvang en school']
	},
	{
		slug: 'oph',
		...OPEN,
		maxAge: 22, // jeugdhulp, verlengd tot de jeugdige uiterlijk 23 jaar is [001 §3.3.3]
		clientParticipation: 'Ouders en het kind, als dat past.',
		ruleBasis: RULE_BASIS.oph,
		outputTemplate: 'advies', // advies, geen besluit [001 §5.3.2]
		subjectKind: 'jeugdige',
		followupMonths: 6,
		retentionMonths: 240,
		name: 'Overleg Passende Hulp',
		purpose: 'Consultatie en advies door experts van zorgaanbieders bij complexe casuïstiek waarin een uithuisplaatsing dreigt: wat is passende hulp voor het kind en het gezin.', // [001 §5.3.2]
		leefgebieden: GENERAL_LEEFGEBIEDEN
	},
	{
		slug: 'mda',
		...OPEN,
		submitterOrgTypes: ['Veilig Thuis', 'Zorg- en Veiligheidshuis'], // VT meldt bij het ZVH [001 §5.4.3]
		clientParticipation: 'Het huishouden neemt deel aan het MDO.',
		ruleBasis: RULE_BASIS.mda,
		outputTemplate: 'drie_acties',
		subjectKind: 'huishouden',
		followupMonths: 36, // minimaal 3 jaar volgen
		retentionMonths: 60,
		name: 'MDA++',
		purpose: 'Goede afspraken maken met het systeem bij een patroon van terugkerend geweld en problemen op meerdere leefgebieden; drie acties om het geweld te doorbreken.', // [001 §5.4.3]
		leefgebieden: ['Veiligheid', 'Gezin en relaties', 'Wonen', 'Financiën', 'Gezondheid', 'Werk en dagbesteding']
	},
	{
		slug: 'jbt',
		...OPEN,
		submitterOrgTypes: ['Veilig Thuis', 'lokaal team', 'GI'], // alleen VT, lokale toegangsteams en GI's [001 §5.4.4]
		maxAge: 17, // jeugdbescherming is voor minderjarigen (BW 1:255)
		clientParticipation: 'Ouders; kinderen ouder dan 12 jaar mogen meedoen aan het gesprek.',
		childMinAge: 12, // [001 §5.4.4] "ouder dan 12", read as from 12 (docs/domain.md)
		ruleBasis: RULE_BASIS.jbt,
		// parents sit at this table and everyone at it gets all papers (DOMAIN.md §8): the
		// deelnemers with access see the name too; waarnemers do not
		identityRoles: [...DEFAULT_IDENTITY_ROLES, 'deelnemer'],
		outputTemplate: 'zorgen',
		subjectKind: 'gezin',
		followupMonths: 6,
		retentionMonths: 240,
		name: 'Jeugdbeschermingstafel',
		purpose: 'Ouders en hulpverleners bespreken samen de zorgen over de ontwikkeling en veiligheid van het kind en wat er moet gebeuren om die weg te nemen.', // [001 §5.4.4]
		leefgebieden: ['Veiligheid', 'Ontwikkeling', 'Opvoeding', 'School', 'Gezondheid']
	},
	{
		slug: 'kbw',
		...OPEN,
		requiredIndication: 'BW-indicatie', // [001 §5.4.5]
		clientParticipation: 'De cliënt, als die dat wil.',
		ruleBasis: RULE_BASIS.kbw,
		outputTemplate: 'plaatsing',
		subjectKind: 'persoon',
		followupMonths: 12,
		retentionMonths: 180, // Wmo: 15 jaar
		name: 'Ketenoverleg Beschermd Wonen',
		purpose: 'Plaatsingsoverleg: de juiste zorg organiseren voor inwoners met een BW-indicatie die beschermd wonen of beschermd thuis nodig hebben.', // [001 §5.4.5]
		leefgebieden: ['Wonen', 'Zorg', 'Dagbesteding', 'Financiën', 'Netwerk']
	},
	{
		slug: 't150',
		...OPEN,
		caseloadCap: 150, // [001 §5.4.6]
		clientParticipation: 'Niet aan tafel; de casemanager bespreekt het plan met de persoon.',
		ruleBasis: RULE_BASIS.t150,
		outputTemplate: 'plan_van_aanpak',
		subjectKind: 'persoon',
		followupMonths: 24,
		retentionMonths: 60,
		name: 'Top 150',
		purpose: 'De 150 meest complexe en risicovolle veiligheidscasussen: situatie volledig in kaart, SMART-doelen per leefgebied, straf en zorg gecombineerd in één integraal plan van aanpak.', // [001 §5.4.6]
		leefgebieden: ['Wonen', 'Financiën', 'Dagbesteding', 'Gezondheid', 'Justitie', 'Sociaal netwerk']
	},
	{
		slug: 'topx',
		...OPEN,
		// "Op dit moment worden er 30 casussen … besproken" is a count, not a cap [001 §5.4.7]
		clientParticipation: TOPX_PARTICIPATION, // [001 §5.4.7]
		ruleBasis: RULE_BASIS.topx,
		outputTemplate: 'algemeen',
		subjectKind: 'persoon',
		followupMonths: 36, // langdurig gevolgd en gemonitord
		retentionMonths: 60,
		name: 'Top X Plus',
		purpose: 'Personen met ernstige psychiatrische problemen en maatschappelijke onveiligheid, binnen de Wet verplichte GGZ en het strafrecht; langdurig gevolgd en gemonitord.', // [001 §5.4.7]
		leefgebieden: ['Psychiatrie', 'Veiligheid', 'Wonen', 'Justitie', 'Netwerk']
	},
	{
		slug: 'tws',
		...OPEN,
		maxAge: 22, // jeugdhulp kan worden verlengd tot de jongere uiterlijk 23 jaar is [001 §3.3.3]
		clientParticipation: 'De jongere zelf, en wie de jongere meeneemt.',
		ruleBasis: RULE_BASIS.tws,
		outputTemplate: 'leefthemas',
		subjectKind: 'jeugdige',
		followupMonths: 12,
		retentionMonths: 180,
		name: 'Tussen Wal en Schip',
		purpose: 'Jongeren die uitstromen uit jeugdhulp met verblijf begeleiden naar een zelfredzaam bestaan, met afspraken per leefthema en de keuze Jeugdwet of Wmo.', // [001 §5.4.8]
		leefgebieden: ['Support', 'Wonen', 'Inkomen', 'Onderwijs & werk', 'Zorg & Welzijn']
	}
];
