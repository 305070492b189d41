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
}

function int(value: string | undefined, fallback: number): number {
	const n = Number(value);
	return Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback;
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
		sessionAbsoluteHours: int(env.SESSION_ABSOLUTE_HOURS, 12)
	};
}
