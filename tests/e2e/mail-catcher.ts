import http from 'node:http';
import { startMailbox } from '../integration/helpers/mailbox';

/**
 * A real SMTP server for the browser tests, started by Playwright as a web server beside the
 * app: the app sends its e-mail here (SMTP_URL), and the tests read what arrived, decoded, as
 * JSON from http://127.0.0.1:<MAIL_HTTP_PORT>/mails.
 */
const smtpPort = Number(process.env.MAIL_SMTP_PORT);
const httpPort = Number(process.env.MAIL_HTTP_PORT);
const mailbox = await startMailbox(smtpPort);

const server = http.createServer((req, res) => {
	res.setHeader('content-type', 'application/json; charset=utf-8');
	res.end(JSON.stringify(req.url === '/mails' ? mailbox.received.map(({ raw: _raw, ...mail }) => mail) : { ok: true }));
});
server.listen(httpPort, '127.0.0.1');

const stop = () => {
	server.close();
	void mailbox.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
