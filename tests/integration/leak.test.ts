import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, collectAll, COLLECTORS, findCaseNotices, findLeaks, mayKnow, report, type Received, type World } from './helpers/leak';

/**
 * Need to know on every transport (issue 13, first "Done when"). A canary in every field of
 * every case, planted through the product's own paths (helpers/leak.ts); then, for every demo
 * user of every role and organisation, everything that reached that user: every page and its
 * __data.json, CSV, the verslag as HTML, PDF and .docx, every document they can open, every
 * socket.io event while the chair runs the Top 150 agenda, the iCal feed, /meldingen and the
 * e-mails. No canary of a case the user may not see (the chair and secretaris of its table,
 * organisations with access, and whoever sent the aanmelding may) may be in any of it.
 *
 * A leak is printed as: user, transport, URL or event, and the case and field of the canary.
 */
let world: World;
let received: Received[];

beforeAll(async () => {
	const started = Date.now();
	world = await buildWorld();
	const built = Date.now();
	received = await collectAll(world);
	console.log(
		`leak test: ${world.canaries.length} canaries, ${received.length} things received by ${world.users.length} users over ${COLLECTORS.length} collectors; ` +
			`seeding ${((built - started) / 1000).toFixed(1)} s, collecting ${((Date.now() - built) / 1000).toFixed(1)} s`
	);
	console.log(`  ${world.timings.join('\n  ')}`);
	if (world.refused.length > 0) console.log(`the product refused while seeding:\n  ${world.refused.join('\n  ')}`);
}, 240_000);

afterAll(async () => {
	await world?.stop();
});

describe('need to know on every transport', () => {
	it('the harness reached every transport (the collectors are not blind)', () => {
		const transports = new Set(received.map((r) => r.transport));
		for (const t of ['page', '__data.json', 'csv', 'pdf', 'docx', 'api', 'document', 'document history', 'socket.io', 'socket.io ack', 'iCal', 'e-mail']) expect(transports, t).toContain(t);
		// every canary reached at least one user who may see it, so a search that finds nothing means something
		const byLocal = new Map(world.users.map((u) => [u.local, u]));
		const unseen = world.canaries.filter(
			(c) => !c.optional && !received.some((r) => mayKnow(world, byLocal.get(r.user)!, c) && c.variants.some((v) => r.text.includes(v)))
		);
		expect(unseen.map((c) => `${c.token} ${c.field}`)).toEqual([]);
	});

	it('no canary of a case reaches a user whose organisation has no access to it (nor the table chair role)', () => {
		const leaks = [...findLeaks(world, received, (user, canary) => !mayKnow(world, user, canary)), ...findCaseNotices(world, received)];
		const text = report('Lekken van casusinhoud', leaks);
		if (leaks.length > 0) console.log(text);
		expect(leaks.length, text).toBe(0);
	});
});
