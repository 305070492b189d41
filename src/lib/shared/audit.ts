import { ROLE_LABELS, type TableRole } from './roles';

/** Plain Dutch for every audit action (the codes are in src/lib/server/audit/index.ts). */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
	'login.success': 'Ingelogd',
	'login.failure': 'Inloggen mislukt',
	'login.throttled': 'Inloggen tijdelijk geblokkeerd',
	logout: 'Uitgelogd',
	'session.end': 'Sessie beëindigd',
	'case.view': 'Dossier ingezien',
	'case.document.open': 'Casusdocument geopend',
	'case.document.edit': 'Casusdocument bewerkt',
	'bespreking.document.open': 'Bespreking geopend',
	'bespreking.document.edit': 'Bespreking bewerkt',
	'meeting.document.open': 'Overlegdocument geopend',
	'meeting.document.edit': 'Overlegdocument bewerkt',
	'case.access.grant': 'Toegang verleend',
	'case.access.withdraw': 'Toegang ingetrokken',
	'user.create': 'Gebruiker aangemaakt',
	'user.disable': 'Gebruiker geblokkeerd',
	'user.enable': 'Gebruiker gedeblokkeerd',
	'user.password_reset': 'Wachtwoord opnieuw ingesteld',
	'user.invite': 'Gebruiker uitgenodigd per e-mail',
	'password.reset_request': 'Nieuw wachtwoord aangevraagd',
	'password.reset_throttled': 'Aanvraag nieuw wachtwoord tijdelijk geblokkeerd',
	'password.link_refused': 'Link voor wachtwoord geweigerd',
	'password.set': 'Wachtwoord ingesteld via e-maillink',
	'organisation.create': 'Organisatie aangemaakt',
	'table.create': 'Overlegtafel aangemaakt',
	'membership.add': 'Lid toegevoegd',
	'membership.change': 'Rol van lid gewijzigd',
	'membership.remove': 'Lid verwijderd',
	'tabletype.update': 'Tafeltype gewijzigd',
	'tabletype.create': 'Tafeltype aangemaakt',
	'region.update': 'Regio-instelling gewijzigd',
	'request.submit': 'Aanmelding ingediend',
	'request.update': 'Aanmelding aangevuld',
	'request.accept': 'Aanmelding geaccepteerd',
	'request.decline': 'Aanmelding afgewezen',
	'request.ask_more': 'Meer informatie gevraagd',
	'request.withdraw': 'Aanmelding ingetrokken',
	'case.create': 'Casus aangemaakt',
	'case.regie': 'Regie gewijzigd',
	'case.phase': 'Fase gewijzigd',
	'case.close': 'Casus afgesloten',
	'case.escalate': 'Casus opgeschaald',
	'case.escalation_resolve': 'Opschaling afgehandeld',
	'meeting.item_close': 'Bespreking afgerond',
	'meeting.item_carry': 'Agendapunt doorgeschoven',
	'meeting.attendance': 'Aanwezigheid vastgelegd',
	'meeting.schedule': 'Overleg gepland',
	'meeting.update': 'Overleg gewijzigd',
	'meeting.cancel': 'Overleg afgezegd',
	'meeting.verslag.view': 'Verslag bekeken',
	'meeting.verslag.export': 'Verslag geëxporteerd',
	'action.update': 'Actie bijgewerkt',
	'actions.export': 'Acties geëxporteerd',
	'case.search': 'Casus gevonden bij zoeken',
	'table.decisions.view': 'Besluitenlijst bekeken',
	'table.evaluation': 'Tafelevaluatie opgeslagen',
	'calendar.feed.create': 'Agenda-koppeling gemaakt',
	'calendar.feed.revoke': 'Agenda-koppeling ingetrokken',
	'case.purge': 'Persoonsgegevens verwijderd na bewaartermijn',
	'request.purge': 'Aanmelding verwijderd na bewaartermijn',
	'totp.enable': 'Tweede factor aangezet',
	'totp.disable': 'Tweede factor uitgezet',
	'totp.verify_failure': 'Code tweede factor onjuist',
	'totp.recovery_used': 'Herstelcode gebruikt'
};

export const auditActionLabel = (action: string): string => AUDIT_ACTION_LABELS[action] ?? action;

export const auditRoleLabel = (role: string | null): string =>
	role ? (ROLE_LABELS[role as TableRole] ?? role) : 'Geen rol aan deze tafel';

/** What an audit row says in a sentence, with the case and the meeting it names. */
export function auditDescription(row: { action: string; caseCode: string | null; meetingId: number | null }): string {
	const code = row.caseCode ?? 'onbekende casus';
	const meeting = row.meetingId !== null ? `overleg ${row.meetingId}` : 'onbekend overleg';
	switch (row.action) {
		case 'case.document.open':
			return `Casusdocument ${code} geopend`;
		case 'case.document.edit':
			return `Casusdocument ${code} bewerkt`;
		case 'bespreking.document.open':
			return `Bespreking ${code} in ${meeting} geopend`;
		case 'bespreking.document.edit':
			return `Bespreking ${code} in ${meeting} bewerkt`;
		case 'meeting.document.open':
			return `Agenda en notulen van ${meeting} geopend`;
		case 'meeting.document.edit':
			return `Agenda en notulen van ${meeting} bewerkt`;
		default:
			return auditActionLabel(row.action);
	}
}

/** What the count of an aggregated row stands for: attempts, opens or changes. */
export function auditCountLabel(action: string, count: number): string {
	if (action.endsWith('.document.open')) return count === 1 ? '1 keer geopend in deze sessie' : `${count} keer geopend in deze sessie`;
	if (action.endsWith('.document.edit')) return count === 1 ? '1 wijziging' : `${count} wijzigingen`;
	return count === 1 ? '1 poging' : `${count} pogingen`;
}
