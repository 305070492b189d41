/**
 * The table types of DOMAIN.md §1, as configuration. Sources in brackets refer to the seed
 * documents in shared/seeds (e.g. [001 §5.4.6]). A region edits or adds types in beheer.
 */
export interface TableTypeSeed {
	slug: string;
	name: string;
	purpose: string;
	leefgebieden: string[];
}

const GENERAL_LEEFGEBIEDEN = ['Gezin', 'School en werk', 'Vrienden en vrije tijd', 'Gezondheid', 'Wonen', 'Financiën', 'Veiligheid'];

export const TABLE_TYPES: TableTypeSeed[] = [
	{
		slug: 'rtiv',
		name: 'Regionaal Team Integrale Vroeghulp',
		purpose: 'Multidisciplinair bespreken van kinderen van 0 tot 7 jaar met ontwikkelings- en gedragsproblemen waarbij de situatie complex en/of onduidelijk is.', // [001 §5.4.1]
		leefgebieden: ['Ontwikkeling', 'Gedrag', 'Gezondheid', 'Gezin', 'Kinderopvang en school']
	},
	{
		slug: 'oph',
		name: 'Overleg Passende Hulp',
		purpose: 'Consultatie en advies door experts van zorgaanbieders bij complexe casuïstiek waarin een uithuisplaatsing dreigt: wat is passende hulp voor het kind en het gezin.', // [001 §5.3.2]
		leefgebieden: GENERAL_LEEFGEBIEDEN
	},
	{
		slug: 'mda',
		name: 'MDA++',
		purpose: 'Goede afspraken maken met het systeem bij een patroon van terugkerend geweld en problemen op meerdere leefgebieden; drie acties om het geweld te doorbreken.', // [001 §5.4.3]
		leefgebieden: ['Veiligheid', 'Gezin en relaties', 'Wonen', 'Financiën', 'Gezondheid', 'Werk en dagbesteding']
	},
	{
		slug: 'jbt',
		name: 'Jeugdbeschermingstafel',
		purpose: 'Ouders en hulpverleners bespreken samen de zorgen over de ontwikkeling en veiligheid van het kind en wat er moet gebeuren om die weg te nemen.', // [001 §5.4.4]
		leefgebieden: ['Veiligheid', 'Ontwikkeling', 'Opvoeding', 'School', 'Gezondheid']
	},
	{
		slug: 'kbw',
		name: 'Ketenoverleg Beschermd Wonen',
		purpose: 'Plaatsingsoverleg: de juiste zorg organiseren voor inwoners met een BW-indicatie die beschermd wonen of beschermd thuis nodig hebben.', // [001 §5.4.5]
		leefgebieden: ['Wonen', 'Zorg', 'Dagbesteding', 'Financiën', 'Netwerk']
	},
	{
		slug: 't150',
		name: 'Top 150',
		purpose: 'De 150 meest complexe en risicovolle veiligheidscasussen: situatie volledig in kaart, SMART-doelen per leefgebied, straf en zorg gecombineerd in één integraal plan van aanpak.', // [001 §5.4.6]
		leefgebieden: ['Wonen', 'Financiën', 'Dagbesteding', 'Gezondheid', 'Justitie', 'Sociaal netwerk']
	},
	{
		slug: 'topx',
		name: 'Top X Plus',
		purpose: 'Personen met ernstige psychiatrische problemen en maatschappelijke onveiligheid, binnen de Wet verplichte GGZ en het strafrecht; langdurig gevolgd en gemonitord.', // [001 §5.4.7]
		leefgebieden: ['Psychiatrie', 'Veiligheid', 'Wonen', 'Justitie', 'Netwerk']
	},
	{
		slug: 'tws',
		name: 'Tussen Wal en Schip',
		purpose: 'Jongeren die uitstromen uit jeugdhulp met verblijf begeleiden naar een zelfredzaam bestaan, met afspraken per leefthema en de keuze Jeugdwet of Wmo.', // [001 §5.4.8]
		leefgebieden: ['Support', 'Wonen', 'Inkomen', 'Onderwijs & werk', 'Zorg & Welzijn']
	}
];
