import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createContext, type AppContext } from '../../../src/lib/server/context';
import type { Actor } from '../../../src/lib/server/policy/index';

/**
 * A real, migrated SQLite database in a temporary file with the demo region seeded, and a
 * clock the test moves by hand.
 */
export interface TestContext {
	ctx: AppContext;
	clock: { now: Date; advance(ms: number): void; set(date: Date): void };
	close(): Promise<void>;
}

export async function createTestContext(start = new Date('2026-03-02T09:00:00Z')): Promise<TestContext> {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casustafel-int-'));
	const clock = {
		now: new Date(start),
		advance(ms: number) {
			this.now = new Date(this.now.getTime() + ms);
		},
		set(date: Date) {
			this.now = new Date(date);
		}
	};
	// the demo seed prints its logins for people starting the app; not needed in test output
	const log = console.log;
	console.log = () => {};
	const ctx = await createContext({
		config: {
			databaseUrl: path.join(dir, 'casustafel.sqlite'),
			seedDemo: true,
			logLevel: 'silent',
			sessionIdleMinutes: 30,
			sessionAbsoluteHours: 12
		},
		now: () => new Date(clock.now)
	}).finally(() => {
		console.log = log;
	});
	return {
		ctx,
		clock,
		close: async () => {
			await ctx.db.destroy();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}

/** The policy's view of a demo user, read from the database by e-mail address. */
export async function actorFor(ctx: AppContext, email: string): Promise<Actor> {
	const row = await ctx.db
		.selectFrom('users')
		.select(['id', 'organisation_id', 'is_admin'])
		.where('email', '=', email)
		.executeTakeFirstOrThrow();
	return { userId: row.id, organisationId: row.organisation_id, isAdmin: row.is_admin === 1 };
}

export async function caseIdOf(ctx: AppContext, code: string): Promise<number> {
	const row = await ctx.db.selectFrom('cases').select('id').where('code', '=', code).executeTakeFirstOrThrow();
	return row.id;
}

export async function organisationIdOf(ctx: AppContext, name: string): Promise<number> {
	const row = await ctx.db
		.selectFrom('organisations')
		.select('id')
		.where('name', '=', name)
		.executeTakeFirstOrThrow();
	return row.id;
}

export const email = (local: string) => `${local}@casustafel.example`;
