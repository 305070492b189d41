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
	'case.access.grant': 'Toegang verleend',
	'case.access.withdraw': 'Toegang ingetrokken',
	'user.create': 'Gebruiker aangemaakt',
	'user.disable': 'Gebruiker geblokkeerd',
	'user.enable': 'Gebruiker gedeblokkeerd',
	'user.password_reset': 'Wachtwoord opnieuw ingesteld',
	'organisation.create': 'Organisatie aangemaakt',
	'table.create': 'Overlegtafel aangemaakt',
	'membership.add': 'Lid toegevoegd',
	'membership.change': 'Rol van lid gewijzigd',
	'membership.remove': 'Lid verwijderd',
	'tabletype.update': 'Tafeltype gewijzigd',
	'tabletype.create': 'Tafeltype aangemaakt',
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
	'meeting.attendance': 'Aanwezigheid vastgelegd',
	'meeting.verslag.view': 'Verslag bekeken',
	'meeting.verslag.export': 'Verslag geëxporteerd',
	'action.update': 'Actie bijgewerkt',
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
