import type { Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// Who sees the subject's name and birthdate, per table type (issue 13 item 3): a JSON array of
// roles at the table. Everyone else who may see a case sees its code and the initials. Default:
// the voorzitter, the secretaris and the case's regisseurs. The Jeugdbeschermingstafel also lets
// its deelnemers with access see them: parents sit at that table and everyone at it gets all
// papers (DOMAIN.md §8).

const DEFAULT = '["voorzitter","secretaris","procesregisseur","casusregisseur"]';
const WITH_DEELNEMERS = '["voorzitter","secretaris","procesregisseur","casusregisseur","deelnemer"]';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.alterTable('table_types')
		.addColumn('identity_roles', 'text', (c) => c.notNull().defaultTo(DEFAULT))
		.execute();
	await db
		.updateTable('table_types')
		.set({ identity_roles: WITH_DEELNEMERS })
		.where('slug', '=', 'jbt')
		.execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('table_types').dropColumn('identity_roles').execute();
}
