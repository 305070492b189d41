import net, { type AddressInfo } from 'node:net';
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
	/** headers, unfolded, by lower-case name; encoded words decoded */
	headers: Record<string, string>;
	subject: string;
	/** the decoded text/plain and text/html parts ('' when absent) */
	text: string;
	html: string;
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
				received.push({ to: session.envelope.rcptTo.map((r) => r.address), from, raw, ...parseMail(raw) });
				callback();
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

// ---- a small MIME reader: enough for what nodemailer writes ----

function decodeQuotedPrintable(s: string): string {
	const soft = s.replace(/=\r?\n/g, '');
	const bytes: number[] = [];
	for (let i = 0; i < soft.length; i++) {
		const ch = soft[i]!;
		const hex = soft.slice(i + 1, i + 3);
		if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
			bytes.push(parseInt(hex, 16));
			i += 2;
		} else {
			bytes.push(...Buffer.from(ch, 'utf8'));
		}
	}
	return Buffer.from(bytes).toString('utf8');
}

function decodeBody(body: string, encoding: string): string {
	switch (encoding.toLowerCase()) {
		case 'quoted-printable':
			return decodeQuotedPrintable(body);
		case 'base64':
			return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
		default:
			return body;
	}
}

/** =?UTF-8?Q?...?= and =?UTF-8?B?...?= in headers */
function decodeWords(value: string): string {
	return value
		.replace(/\?=\s+=\?/g, '?==?')
		.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, kind: string, text: string) =>
			kind.toUpperCase() === 'B'
				? Buffer.from(text, 'base64').toString('utf8')
				: decodeQuotedPrintable(text.replace(/_/g, ' '))
		);
}

function splitHead(entity: string): { headers: Record<string, string>; body: string } {
	const match = /\r?\n\r?\n/.exec(entity);
	const head = match ? entity.slice(0, match.index) : entity;
	const body = match ? entity.slice(match.index + match[0].length) : '';
	const headers: Record<string, string> = {};
	for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
		const colon = line.indexOf(':');
		if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
	}
	return { headers, body };
}

export function parseMail(raw: string): { headers: Record<string, string>; subject: string; text: string; html: string } {
	const { headers, body } = splitHead(raw);
	const parts: { type: string; content: string }[] = [];
	const collect = (h: Record<string, string>, b: string) => {
		const type = (h['content-type'] ?? 'text/plain').toLowerCase();
		const boundary = /boundary="?([^";]+)"?/i.exec(h['content-type'] ?? '')?.[1];
		if (type.startsWith('multipart/') && boundary) {
			const pieces = b.split(`--${boundary}`).slice(1);
			for (const piece of pieces) {
				if (piece.startsWith('--')) break;
				const inner = splitHead(piece.replace(/^\r?\n/, ''));
				collect(inner.headers, inner.body);
			}
		} else {
			parts.push({ type, content: decodeBody(b, h['content-transfer-encoding'] ?? '7bit') });
		}
	};
	collect(headers, body);
	return {
		headers,
		subject: headers.subject ?? '',
		text: parts.find((p) => p.type.startsWith('text/plain'))?.content ?? '',
		html: parts.find((p) => p.type.startsWith('text/html'))?.content ?? ''
	};
}
