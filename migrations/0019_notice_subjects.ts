import type { Kysely } from 'kysely';

// Frozen in time: never import app code here, never edit after release.
// A notification says in the app which action or which aanmelding it is about (the e-mail stays
// without content): the row keeps the action's id in its case document and the request's id,
// and the page looks them up, through the policy, when the notice is read. Older rows get them
// from their dedupe key (`action:<case>:<action>:…`, `request:<id>:…`).

const ACTION_KEY = /^action:\d+:([^:]+):/;
const REQUEST_KEY = /^request:(\d+):/;

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('notifications').addColumn('action_id', 'text').execute();
	await db.schema.alterTable('notifications').addColumn('request_id', 'integer').execute();
	const rows: { id: number; kind: string; dedupe_key: string }[] = await db
		.selectFrom('notifications')
		.select(['id', 'kind', 'dedupe_key'])
		.where((eb) => eb.or([eb('kind', 'like', 'action.%'), eb('kind', '=', 'request.outcome')]))
		.execute();
	for (const row of rows) {
		const action = ACTION_KEY.exec(row.dedupe_key)?.[1];
		const request = REQUEST_KEY.exec(row.dedupe_key)?.[1];
		if (row.kind.startsWith('action.') && action) {
			await db.updateTable('notifications').set({ action_id: action }).where('id', '=', row.id).execute();
		} else if (row.kind === 'request.outcome' && request) {
			await db.updateTable('notifications').set({ request_id: Number(request) }).where('id', '=', row.id).execute();
		}
	}
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.alterTable('notifications').dropColumn('request_id').execute();
	await db.schema.alterTable('notifications').dropColumn('action_id').execute();
}
