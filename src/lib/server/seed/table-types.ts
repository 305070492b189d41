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

const GENERAL_LEEFGEBIEDEN = ['Gezin', 'School en werk', 'Vrienden en vrije tijd', 'Gezondheid', 'Wonen', 'Financiën', 'Veiligheid'];

export const TABLE_TYPES: TableTypeSeed[] = [
	{
		slug: 'rtiv',
		...OPEN,
		minAge: 0,
		maxAge: 7, // [001 §5.4.1] 0 tot 7 jaar
		clientParticipation: 'Ouders.',
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
		maxAge: 17,
		clientParticipation: 'Ouders en het kind, als dat past.',
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
		maxAge: 17,
		clientParticipation: 'Ouders; kinderen ouder dan 12 jaar mogen meedoen.',
		childMinAge: 13, // "ouder dan 12"
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
		minAge: 18,
		requiredIndication: 'BW-indicatie', // [001 §5.4.5]
		clientParticipation: 'De cliënt, als die dat wil.',
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
		minAge: 12,
		caseloadCap: 150, // [001 §5.4.6]
		clientParticipation: 'Niet aan tafel; de casemanager bespreekt het plan met de persoon.',
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
		minAge: 18,
		caseloadCap: 30,
		clientParticipation: 'Partners van de persoon mogen aansluiten.', // [001 §5.4.7]
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
		minAge: 16,
		maxAge: 23, // jeugdhulp kan tot 23 [001 §3.3.3]
		clientParticipation: 'De jongere zelf, en wie de jongere meeneemt.',
		outputTemplate: 'leefthemas',
		subjectKind: 'jeugdige',
		followupMonths: 12,
		retentionMonths: 180,
		name: 'Tussen Wal en Schip',
		purpose: 'Jongeren die uitstromen uit jeugdhulp met verblijf begeleiden naar een zelfredzaam bestaan, met afspraken per leefthema en de keuze Jeugdwet of Wmo.', // [001 §5.4.8]
		leefgebieden: ['Support', 'Wonen', 'Inkomen', 'Onderwijs & werk', 'Zorg & Welzijn']
	}
];
