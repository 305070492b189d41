import pino, { type Logger } from 'pino';
import { readConfig, type Config } from './config';
import { migrateToLatest, openDatabase, type Db } from './db/index';
import { DEMO_PASSWORD, seedDemoRegion } from './seed/demo';
import type { CollabHub } from './collab/hub';
import type { ConnectionScope } from './policy/index';
import type { Projector } from './projection/index';
import type { DirectMail } from './mail/index';

/**
 * Everything process-wide lives in one context that server/index.ts creates. SvelteKit's bundle
 * and the custom server are separate module graphs, so the context is handed over on globalThis
 * under one symbol; nothing else keeps global state.
 */
export interface AppContext {
	config: Config;
	db: Db;
	log: Logger;
	/** The clock, injectable so tests can move time (session expiry, throttling). */
	now: () => Date;
	/** E-mail that is not a notification (invitations, reset links); absent when SMTP_URL is unset. */
	mail?: { send(mail: DirectMail): void };
	/** Live documents and connections, once the server has attached them (server/realtime.ts). */
	realtime?: {
		hub: CollabHub;
		projector: Projector;
		emitToUser(userId: number, event: 'notice' | 'acties:changed', payload: unknown): void;
		revokeSession(sessionId: string): void;
		revokeUser(userId: number): void;
		reauthorize(scope: ConnectionScope): Promise<void>;
		revokeAll(exceptSessionId: string | null): void;
		reauthorizeMeetings(userId: number): Promise<void>;
		/** Decides every open meeting's room again (the shared screen's restriction) after access changed. */
		refreshRooms(): Promise<void>;
		close(): Promise<void>;
	};
}

const KEY = Symbol.for('casustafel.context');
type Holder = { [KEY]?: Promise<AppContext> };

export interface ContextOptions {
	config?: Partial<Config>;
	now?: () => Date;
	log?: Logger;
}

/**
 * What never reaches a log line, at the top level or one level down: secrets, and the names
 * and contact details of people (logs name users by id and cases by id or code).
 */
export const LOG_REDACT = [
	'token', 'password', 'secret', 'cookie', 'authorization', 'name', 'email', 'subjectName', 'subject_name', 'totpSecret', 'recoveryCode',
	'*.token', '*.password', '*.secret', '*.cookie', '*.authorization', '*.name', '*.email', '*.subjectName', '*.subject_name', '*.totpSecret', '*.recoveryCode',
	'req.headers.cookie', 'req.headers.authorization'
];

/** Opens and migrates the database, seeding the demo region when it is new and enabled. */
export async function createContext(options: ContextOptions = {}): Promise<AppContext> {
	const config = { ...readConfig(), ...options.config };
	const log =
		options.log ??
		pino({ level: config.logLevel, redact: LOG_REDACT });
	const db = openDatabase(config.databaseUrl);
	await migrateToLatest(db);
	const ctx: AppContext = { config, db, log, now: options.now ?? (() => new Date()) };
	if (config.seedDemo) {
		const logins = await seedDemoRegion(ctx);
		if (logins) printDemoLogins(logins);
	}
	return ctx;
}

function printDemoLogins(logins: { email: string; role: string }[]) {
	const lines = logins.map((l) => `  ${l.email.padEnd(36)} ${l.role}`);
	const header = `Demo-regio "Regio Voorbeeld" aangemaakt. Wachtwoord voor alle demo-accounts: ${DEMO_PASSWORD}`;
	console.log(['', header, ...lines, ''].join('\n'));
}

export function installContext(ctx: Promise<AppContext>): void {
	(globalThis as Holder)[KEY] = ctx;
}

/** The installed context; in `vite dev` without the custom server it is created on first use. */
export function getContext(): Promise<AppContext> {
	const holder = globalThis as Holder;
	holder[KEY] ??= createContext();
	return holder[KEY];
}
