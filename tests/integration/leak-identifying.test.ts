import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, collectAll, findLeaks, mayIdentify, mayKnow, report, type Received, type World } from './helpers/leak';

/**
 * Identifying data by role (issue 13 item 3), over the same transports as leak.test.ts: a
 * deelnemer or waarnemer whose organisation has access to a case sees its code, initials and
 * content, but not the subject's name or birthdate; those are for the voorzitter and secretaris
 * of the table, the case's regisseurs, and the aanmelder who typed them. Where the database
 * holds a per-table-type setting (table_types.identity_roles, set in beheer), the roles it
 * names instead (the voorzitter always). Users without access are leak.test.ts's business: this
 * file asks only about users who may see the case.
 */
let world: World;
let received: Received[];

beforeAll(async () => {
	world = await buildWorld();
	received = await collectAll(world);
}, 240_000);

afterAll(async () => {
	await world?.stop();
});

describe('identifying data by role', () => {
	it('the name and birthdate of a case reach, of those with access, only the chair, the secretaris, the regisseurs and the aanmelder', () => {
		const leaks = findLeaks(world, received, (user, canary) => canary.identifying && mayKnow(world, user, canary) && !mayIdentify(world, user, canary));
		const text = report('Identificerende gegevens buiten voorzitter, secretaris en regisseurs', leaks);
		if (leaks.length > 0) console.log(text);
		expect(leaks.length, text).toBe(0);
	});
});
