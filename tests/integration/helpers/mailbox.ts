import net, { type AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 for the tests (npm `smtp-server`): it asks for a user name
 * and password, accepts every message and keeps it, raw and decoded, so a test can read what a
 * recipient would get.
 */
export interface ReceivedMail {
	/** envelope recipients */
	to: string[];
	from: string;
	/** the message as it went over the wire */
	raw: string;
	/** headers by lower-case name, as sent (encoded words are decoded in `subject`) */
	headers: Record<string, string>;
	subject: string;
	/** the decoded text/plain and text/html parts ('' when absent) */
	text: string;
	html: string;
	/** the other parts (attachments, and text/calendar invitations), decoded as UTF-8 */
	attachments: { filename: string | null; contentType: string; content: string }[];
}

export interface Mailbox {
	/** smtp://user:pass@127.0.0.1:port */
	url: string;
	port: number;
	received: ReceivedMail[];
	/** mails to one address */
	to(address: string): ReceivedMail[];
	close(): Promise<void>;
}

export const SMTP_USER = 'casustafel';
export const SMTP_PASS = 'geheim-wachtwoord';

/** Starts the server, on a free port or the one given (to bring a "down" server back). */
export async function startMailbox(port = 0): Promise<Mailbox> {
	const received: ReceivedMail[] = [];
	const server = new SMTPServer({
		// plain SMTP on localhost: no certificate to trust, so no STARTTLS; AUTH still required
		disabledCommands: ['STARTTLS'],
		allowInsecureAuth: true,
		authOptional: false,
		logger: false,
		onAuth(auth, _session, callback) {
			if (auth.username === SMTP_USER && auth.password === SMTP_PASS) callback(null, { user: auth.username });
			else callback(new Error('Invalid username or password'));
		},
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (c: Buffer) => chunks.push(c));
			stream.on('end', () => {
				const raw = Buffer.concat(chunks).toString('utf8');
				const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
				void parseMail(raw).then(
					(parsed) => {
						received.push({ to: session.envelope.rcptTo.map((r) => r.address), from, raw, ...parsed });
						callback();
					},
					(err: Error) => callback(err)
				);
			});
		}
	});
	await new Promise<void>((resolve, reject) => {
		server.server.once('error', reject);
		server.listen(port, '127.0.0.1', () => resolve());
	});
	const actualPort = (server.server.address() as AddressInfo).port;
	return {
		url: `smtp://${SMTP_USER}:${SMTP_PASS}@127.0.0.1:${actualPort}`,
		port: actualPort,
		received,
		to: (address) => received.filter((m) => m.to.includes(address)),
		close: () => new Promise<void>((resolve) => server.close(() => resolve()))
	};
}

/** A port on which nothing listens (it was free a moment ago): an SMTP server that is down. */
export async function closedPort(): Promise<number> {
	const probe = net.createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
	const { port } = probe.address() as AddressInfo;
	await new Promise<void>((resolve) => probe.close(() => resolve()));
	return port;
}

/** What a recipient's mail program would show: decoded with mailparser, as nodemailer's authors do. */
export async function parseMail(raw: string): Promise<{ headers: Record<string, string>; subject: string; text: string; html: string; attachments: ReceivedMail['attachments'] }> {
	const mail = await simpleParser(raw);
	const headers: Record<string, string> = {};
	for (const line of mail.headerLines) headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
	const attachments = mail.attachments.map((a) => ({ filename: a.filename ?? null, contentType: a.contentType, content: a.content.toString('utf8') }));
	return { headers, subject: mail.subject ?? '', text: mail.text ?? '', html: typeof mail.html === 'string' ? mail.html : '', attachments };
}
