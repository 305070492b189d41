import { createTransport } from 'nodemailer';
import type { AppContext } from '../context';
import { mayReceiveNotice } from '../policy/index';
import type { NoticeKind } from '../notifications/index';
import { invitationIcs } from '../meetings/invitations';

/**
 * Notification e-mail over SMTP (SMTP_URL, MAIL_FROM). A mail carries what the notification
 * says (the case code and what happened, never a name or case content) and an absolute link;
 * nothing else from the database goes into it, not even the recipient's name.
 *
 * Sending never holds up the request that caused the notice: `enqueue` returns at once and one
 * worker sends in the background. A mail that fails stays unsent (notifications.email_sent_at
 * stays empty) and `retryUnsent` picks it up again, a few times, for a day.
 */

export interface NotificationMail {
	subject: string;
	text: string;
	html: string;
}

const SUBJECTS: Record<NoticeKind, (code: string | null) => string> = {
	'action.assigned': (code) => (code ? `nieuwe actie bij ${code}` : 'nieuwe actie'),
	'action.deadline_near': (code) => (code ? `deadline nadert bij ${code}` : 'deadline nadert'),
	'action.overdue': (code) => (code ? `deadline verstreken bij ${code}` : 'deadline verstreken'),
	'regie.assigned': (code) => (code ? `regie bij ${code}` : 'regie toegewezen'),
	'request.outcome': () => 'nieuws over uw aanmelding',
	'meeting.invited': () => 'uitnodiging voor een overleg',
	'meeting.changed': () => 'overleg gewijzigd',
	'meeting.cancelled': () => 'overleg afgezegd'
};

const escapeHtml = (s: string) =>
	s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** The absolute link: the notification's path on the public address. */
export function absoluteLink(link: string, publicUrl: string): string {
	const base = publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`;
	return new URL(link.replace(/^\/+/, ''), base).href;
}

/** Subject and body of a notification's e-mail: its text and link, and nothing more. */
export function composeNotificationMail(
	notice: { kind: string; text: string; link: string; caseCode: string | null },
	publicUrl: string
): NotificationMail {
	const subjectOf = SUBJECTS[notice.kind as NoticeKind] ?? (() => 'nieuwe melding');
	const url = absoluteLink(notice.link, publicUrl);
	const subject = `Casustafel: ${subjectOf(notice.caseCode)}`;
	const privacy =
		'Dit bericht noemt bewust geen namen en geen inhoud van de casus. Log in op Casustafel om meer te zien.';
	const text = [
		notice.text,
		'',
		`Bekijk het in Casustafel: ${url}`,
		'',
		privacy,
		'',
		'U krijgt dit bericht omdat u een account hebt bij Casustafel. Uw meldingen staan ook in de app onder Meldingen.'
	].join('\n');
	const html = [
		'<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>' + escapeHtml(subject) + '</title></head>',
		'<body style="font-family: sans-serif; line-height: 1.5; color: #1a1a1a;">',
		`<p style="font-size: 1.1em;">${escapeHtml(notice.text)}</p>`,
		`<p><a href="${escapeHtml(url)}">Bekijk het in Casustafel</a><br><span style="color: #555;">${escapeHtml(url)}</span></p>`,
		`<p style="color: #555;">${escapeHtml(privacy)}</p>`,
		'</body></html>'
	].join('\n');
	return { subject, text, html };
}

/** The host and port of an SMTP URL, for the log: never the user name or password. */
export function describeSmtpUrl(smtpUrl: string): string {
	try {
		const u = new URL(smtpUrl);
		return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}`;
	} catch {
		return '(ongeldige SMTP_URL)';
	}
}

/**
 * A mail that is not a notification: an invitation or a password-reset link. It lives only in
 * memory (its link is a secret that is never stored), and its text is made at sending time,
 * when the public address is known.
 */
export interface DirectMail {
	to: string;
	compose(publicUrl: string): NotificationMail;
}

export interface Mailer {
	/** Sends the notification's e-mail soon, in the background; returns at once. */
	enqueue(notificationId: number): void;
	/** Sends a direct mail soon, in the background; tried a few times, then dropped (logged). */
	send(mail: DirectMail): void;
	/** Queues every unsent notification e-mail of the last day again (after a failure). */
	retryUnsent(): Promise<void>;
	/** Resolves when nothing is queued or being sent. */
	idle(): Promise<void>;
	close(): Promise<void>;
}

const MAX_ATTEMPTS = 5;
const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * The mailer, or null when SMTP_URL is not set (logged once). `publicUrl` is asked at sending
 * time: the server knows its own address only once it listens.
 */
export function createMailer(ctx: AppContext, options: { publicUrl: () => string }): Mailer | null {
	const { config, log } = ctx;
	if (!config.smtpUrl) {
		log.info('e-mail is off: SMTP_URL is not set, notifications are shown in the app only');
		return null;
	}
	const transport = createTransport({
		url: config.smtpUrl,
		connectionTimeout: 15_000,
		greetingTimeout: 15_000,
		socketTimeout: 30_000
	});
	log.info({ smtp: describeSmtpUrl(config.smtpUrl), from: config.mailFrom }, 'e-mail notifications are on');
	transport.verify().then(
		() => log.info('the SMTP server answers'),
		(err: Error & { code?: string }) =>
			log.warn({ smtp: describeSmtpUrl(config.smtpUrl!), code: err.code, message: err.message }, 'the SMTP server does not answer yet; e-mails wait and are retried')
	);

	const pending = new Set<number>();
	const direct: { mail: DirectMail; attempt: number }[] = [];
	const retrying = new Set<ReturnType<typeof setTimeout>>();
	const attempts = new Map<number, number>();
	let draining: Promise<void> | null = null;
	let closed = false;

	async function sendOne(id: number): Promise<void> {
		const row = await ctx.db
			.selectFrom('notifications as n')
			.innerJoin('users as u', 'u.id', 'n.user_id')
			.leftJoin('cases as c', 'c.id', 'n.case_id')
			.select(['n.id', 'n.kind', 'n.text', 'n.link', 'n.user_id', 'n.case_id', 'n.meeting_id', 'u.email', 'u.disabled_at', 'c.code'])
			.where('n.id', '=', id)
			.where('n.email_sent_at', 'is', null)
			.executeTakeFirst();
		if (!row || row.disabled_at !== null) return;
		// asked again when it goes out: an actiehouder who lost access (or never had it) gets no mail
		if (!(await mayReceiveNotice(ctx.db, { userId: row.user_id, kind: row.kind, caseId: row.case_id, meetingId: row.meeting_id }))) {
			log.info({ notification: id }, 'notification e-mail not sent: the recipient may not hold actions of the case, or left the table');
			return;
		}
		const mail = composeNotificationMail({ kind: row.kind, text: row.text, link: row.link, caseCode: row.code }, options.publicUrl());
		// a meeting notice carries the invitation (or its cancellation) for the calendar app
		const invitation =
			row.kind.startsWith('meeting.') && row.meeting_id !== null
				? await invitationIcs(ctx, { kind: row.kind, meetingId: row.meeting_id, recipient: row.email }, options.publicUrl())
				: null;
		try {
			// the bare address: a display name would put the recipient's name in the message
			await transport.sendMail({
				from: config.mailFrom,
				to: row.email,
				...mail,
				...(invitation ? { icalEvent: { method: invitation.method, filename: 'uitnodiging.ics', content: invitation.content } } : {})
			});
		} catch (e) {
			const err = e as Error & { code?: string; responseCode?: number };
			const attempt = (attempts.get(id) ?? 0) + 1;
			attempts.set(id, attempt);
			log.warn({ notification: id, attempt, code: err.code, responseCode: err.responseCode, message: err.message }, 'notification e-mail not sent; it is retried later');
			return;
		}
		attempts.delete(id);
		await ctx.db.updateTable('notifications').set({ email_sent_at: ctx.now().toISOString() }).where('id', '=', id).execute();
	}

	async function sendDirect(item: { mail: DirectMail; attempt: number }): Promise<void> {
		try {
			await transport.sendMail({ from: config.mailFrom, to: item.mail.to, ...item.mail.compose(options.publicUrl()) });
		} catch (e) {
			const err = e as Error & { code?: string; responseCode?: number };
			const attempt = item.attempt + 1;
			if (attempt >= 3) {
				log.warn({ attempt, code: err.code, responseCode: err.responseCode, message: err.message }, 'account e-mail not sent; dropped (the link can be asked for again)');
				return;
			}
			log.warn({ attempt, code: err.code, responseCode: err.responseCode, message: err.message }, 'account e-mail not sent; it is retried shortly');
			const timer = setTimeout(() => {
				retrying.delete(timer);
				if (closed) return;
				direct.push({ mail: item.mail, attempt });
				kick();
			}, 2_000 * attempt);
			timer.unref();
			retrying.add(timer);
		}
	}

	function kick() {
		if (draining || closed || (pending.size === 0 && direct.length === 0)) return;
		draining = (async () => {
			while (direct.length > 0 && !closed) await sendDirect(direct.shift()!);
			while (pending.size > 0 && !closed) {
				const id = pending.values().next().value as number;
				pending.delete(id);
				try {
					await sendOne(id);
				} catch (err) {
					log.error({ err, notification: id }, 'preparing a notification e-mail failed');
				}
			}
		})().finally(() => {
			draining = null;
			kick();
		});
	}

	return {
		enqueue(id) {
			if (closed) return;
			pending.add(id);
			kick();
		},
		send(mail) {
			if (closed) return;
			direct.push({ mail, attempt: 0 });
			kick();
		},
		async retryUnsent() {
			if (closed) return;
			const since = new Date(ctx.now().getTime() - RETRY_WINDOW_MS).toISOString();
			const rows = await ctx.db
				.selectFrom('notifications')
				.select('id')
				.where('email_sent_at', 'is', null)
				.where('created_at', '>=', since)
				.orderBy('id')
				.execute();
			for (const { id } of rows) if ((attempts.get(id) ?? 0) < MAX_ATTEMPTS) pending.add(id);
			kick();
			await this.idle();
		},
		async idle() {
			while (draining) await draining;
		},
		async close() {
			// what is being sent now may finish (briefly); what waits is sent after the restart
			const current = draining;
			closed = true;
			for (const timer of retrying) clearTimeout(timer);
			if (current) await Promise.race([current, new Promise((r) => setTimeout(r, 5_000).unref())]);
			transport.close();
		}
	};
}
