import { parseArgs } from 'node:util';
import { createContext } from '../src/lib/server/context';
import { hashPassword, passwordProblem } from '../src/lib/server/auth/password';
import { recordAudit } from '../src/lib/server/audit/index';

/**
 * Creates the first beheerder for a real deployment (with SEED_DEMO=false):
 *   npm run create-admin -- --email a@b.nl --name "Naam" --organisation "Gemeente X"
 * The password is read from ADMIN_PASSWORD, so it never lands in shell history.
 */
const { values } = parseArgs({
	options: {
		email: { type: 'string' },
		name: { type: 'string' },
		organisation: { type: 'string' },
		'organisation-type': { type: 'string', default: 'gemeente' }
	}
});
const password = process.env.ADMIN_PASSWORD ?? '';
if (!values.email || !values.name || !values.organisation) {
	console.error('Gebruik: ADMIN_PASSWORD=... npm run create-admin -- --email E --name N --organisation O');
	process.exit(2);
}
const problem = passwordProblem(password);
if (problem) {
	console.error(`ADMIN_PASSWORD: ${problem}`);
	process.exit(2);
}

const ctx = await createContext({ config: { seedDemo: false } });
const now = ctx.now().toISOString();
const email = values.email.trim().toLowerCase();
if (await ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()) {
	console.error(`Er bestaat al een gebruiker met e-mailadres ${email}.`);
	process.exit(1);
}
let org = await ctx.db.selectFrom('organisations').select('id').where('name', '=', values.organisation).executeTakeFirst();
org ??= await ctx.db
	.insertInto('organisations')
	.values({ name: values.organisation, type: values['organisation-type'] ?? 'gemeente', created_at: now })
	.returning('id')
	.executeTakeFirstOrThrow();
const user = await ctx.db
	.insertInto('users')
	.values({ name: values.name, email, organisation_id: org.id, password_hash: await hashPassword(password), is_admin: 1, created_at: now })
	.returning('id')
	.executeTakeFirstOrThrow();
await recordAudit(ctx.db, { at: ctx.now(), userId: null, organisationId: null, action: 'user.create', detail: { targetUserId: user.id, via: 'create-admin' } });
console.log(`Beheerder ${email} aangemaakt.`);
await ctx.db.destroy();
