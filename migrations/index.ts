import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_foundation';

/** Static list so the migrations bundle and run the same under tsx, Vite and Vitest. */
const migrations: Record<string, Migration> = {
	'0001_foundation': m0001
};

export const migrationProvider: MigrationProvider = {
	async getMigrations() {
		return migrations;
	}
};
