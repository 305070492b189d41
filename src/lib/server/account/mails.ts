import { absoluteLink, type NotificationMail } from '../mail/index';
import type { LinkPurpose } from './links';

/**
 * The e-mails with a link to set a password, in plain Dutch. They name nobody and carry no
 * case content: the link, how long it works, and what to do if it was not expected.
 */
const until = new Intl.DateTimeFormat('nl-NL', {
	weekday: 'long',
	day: 'numeric',
	month: 'long',
	hour: '2-digit',
	minute: '2-digit',
	timeZone: 'Europe/Amsterdam'
});

/** Pure: "7 dagen", "1 uur", "30 minuten". */
export function validityText(ms: number): string {
	const minutes = Math.round(ms / 60_000);
	if (minutes >= 24 * 60 && minutes % (24 * 60) === 0) {
		const days = minutes / (24 * 60);
		return `${days} ${days === 1 ? 'dag' : 'dagen'}`;
	}
	if (minutes >= 60 && minutes % 60 === 0) return `${minutes / 60} uur`;
	return `${Math.max(1, minutes)} ${minutes === 1 ? 'minuut' : 'minuten'}`;
}

const escapeHtml = (s: string) =>
	s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

const TEXTS: Record<LinkPurpose, { subject: string; intro: string[]; action: string; after: string; notExpected: string }> = {
	invite: {
		subject: 'Casustafel: uitnodiging voor uw account',
		intro: [
			'U bent uitgenodigd voor Casustafel, de werkplek voor multidisciplinaire casusoverleggen.',
			'Uw beheerder heeft een account voor u aangemaakt met dit e-mailadres.'
		],
		action: 'Kies uw eigen wachtwoord',
		after: 'Daarna logt u in met dit e-mailadres en uw wachtwoord.',
		notExpected: 'Verwachtte u deze uitnodiging niet? Dan kunt u dit bericht negeren.'
	},
	reset: {
		subject: 'Casustafel: nieuw wachtwoord kiezen',
		intro: ['Er is gevraagd om een nieuw wachtwoord voor uw account bij Casustafel.'],
		action: 'Kies een nieuw wachtwoord',
		after: 'Daarna bent u op andere apparaten uitgelogd en logt u in met het nieuwe wachtwoord.',
		notExpected: 'Hebt u dit niet gevraagd? Dan kunt u dit bericht negeren: uw wachtwoord blijft dan hetzelfde.'
	}
};

/** Subject and body of an invitation or reset e-mail. */
export function composeLinkMail(
	input: { purpose: LinkPurpose; path: string; validMs: number; expiresAt: Date },
	publicUrl: string
): NotificationMail {
	const t = TEXTS[input.purpose];
	const url = absoluteLink(input.path, publicUrl);
	const validity = `De link werkt één keer en is ${validityText(input.validMs)} geldig, tot ${until.format(input.expiresAt)}.`;
	const text = [...t.intro, '', `${t.action} via deze link:`, url, '', validity, t.after, '', t.notExpected].join('\n');
	const html = [
		'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>' + escapeHtml(t.subject) + '</title></head>',
		'<body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a;">',
		...t.intro.map((line) => `<p>${escapeHtml(line)}</p>`),
		`<p><a href="${escapeHtml(url)}">${escapeHtml(t.action)}</a><br><span style="color: #555;">${escapeHtml(url)}</span></p>`,
		`<p>${escapeHtml(validity)} ${escapeHtml(t.after)}</p>`,
		`<p style="color: #555;">${escapeHtml(t.notExpected)}</p>`,
		'</body></html>'
	].join('\n');
	return { subject: t.subject, text, html };
}
