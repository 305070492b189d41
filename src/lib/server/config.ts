import path from 'node:path';

/** Runtime configuration, read once from the environment. Documented in README.md. */
export interface Config {
	port: number;
	host: string;
	origin: string | undefined;
	/** SQLite file path (or `:memory:`); a `postgres://` URL is reserved for several nodes. */
	databaseUrl: string;
	seedDemo: boolean;
	logLevel: string;
	/** Minutes of inactivity after which a session ends. */
	sessionIdleMinutes: number;
	/** Hours after login after which a session ends regardless of activity. */
	sessionAbsoluteHours: number;
	/** Seconds between rechecks of every open live and document connection (session and access). */
	sessionRecheckSeconds: number;
	/** `smtp://user:pass@host:port` (or `smtps://`); unset = no e-mail, only in-app notices. */
	smtpUrl: string | undefined;
	/** The sender of notification e-mails. */
	mailFrom: string;
	/** The public address for links in e-mails; PUBLIC_URL, else ORIGIN, else the listening URL. */
	publicUrl: string | undefined;
	/** Minutes between reminder scans (deadlines near or passed); a fraction is allowed. */
	reminderIntervalMinutes: number;
	/** A deadline is "near" this many days ahead (Dutch calendar days). */
	reminderDaysBefore: number;
	/** Hours an invitation link stays valid (7 days). */
	inviteValidHours: number;
	/** Minutes a password-reset link stays valid (1 hour). */
	resetValidMinutes: number;
}

function int(value: string | undefined, fallback: number): number {
	const n = Number(value);
	return Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback;
}

function positive(value: string | undefined, fallback: number): number {
	const n = Number(value);
	return value !== undefined && value.trim() !== '' && Number.isFinite(n) && n > 0 ? n : fallback;
}

function nonNegativeInt(value: string | undefined, fallback: number): number {
	const n = Number(value);
	return value !== undefined && value.trim() !== '' && Number.isInteger(n) && n >= 0 ? n : fallback;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
	return {
		port: env.PORT === undefined ? 3000 : Number(env.PORT),
		host: env.HOST ?? '0.0.0.0',
		origin: env.ORIGIN,
		databaseUrl: env.DATABASE_URL ?? path.join('data', 'casustafel.sqlite'),
		seedDemo: (env.SEED_DEMO ?? 'true').toLowerCase() !== 'false',
		logLevel: env.LOG_LEVEL ?? 'info',
		sessionIdleMinutes: int(env.SESSION_IDLE_MINUTES, 30),
		sessionAbsoluteHours: int(env.SESSION_ABSOLUTE_HOURS, 12),
		sessionRecheckSeconds: positive(env.SESSION_RECHECK_SECONDS, 60),
		smtpUrl: env.SMTP_URL?.trim() || undefined,
		mailFrom: env.MAIL_FROM?.trim() || 'Casustafel <noreply@casustafel.invalid>',
		publicUrl: env.PUBLIC_URL?.trim() || env.ORIGIN?.trim() || undefined,
		reminderIntervalMinutes: positive(env.REMINDER_INTERVAL_MINUTES, 15),
		reminderDaysBefore: nonNegativeInt(env.REMINDER_DAYS_BEFORE, 2),
		inviteValidHours: positive(env.INVITE_VALID_HOURS, 7 * 24),
		resetValidMinutes: positive(env.RESET_VALID_MINUTES, 60)
	};
}
