import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../../src/lib/server/auth/login';
import { sessionIdFromToken, touchSession, validateSessionToken, type SessionPolicy } from '../../src/lib/server/auth/session';
import { connectionInScope, documentCaseIds, parseDocumentName } from '../../src/lib/server/policy/index';
import { DEMO_PASSWORD } from '../../src/lib/server/seed/demo';
import { createTestContext, email, type TestContext } from './helpers/context';

/**
 * What counts as activity, at service level with a clock the test moves: only checks that say
 * so move a session's last activity, and touching never brings a dead session back. And which
 * open documents an access change to a case reaches.
 */
const MINUTE = 60_000;
const POLICY: SessionPolicy = { idleMinutes: 30, absoluteHours: 12 };
let t: TestContext;
let nextIp = 1;

beforeAll(async () => {
	t = await createTestContext();
});
afterAll(async () => {
	await t?.close();
});

async function freshToken(who: string) {
	const { token } = await login(t.ctx, { email: email(who), password: DEMO_PASSWORD, ip: `203.0.113.${nextIp++}`, userAgent: 'vitest' });
	return token;
}
const check = (token: string, touch: boolean) => validateSessionToken(t.ctx.db, token, t.clock.now, POLICY, { touch });

describe('activity', () => {
	it('checks without touch (sockets, rechecks) never move last activity: 30 minutes after the last request the session has ended, however often it was checked', async () => {
		const token = await freshToken('secretaris');
		for (let i = 0; i < 29; i++) {
			t.clock.advance(MINUTE);
			expect((await check(token, false)).session, `check ${i + 1}`).not.toBeNull();
		}
		t.clock.advance(MINUTE);
		expect(await check(token, false)).toEqual({ session: null, user: null });
	});

	it("a person's request (touch) keeps it alive, as before", async () => {
		const token = await freshToken('waarnemer');
		for (let i = 0; i < 4; i++) {
			t.clock.advance(25 * MINUTE);
			expect((await check(token, true)).session).not.toBeNull();
		}
	});

	it('touchSession (an edit, a command) renews a live session, at most once a minute, and never brings back an idle one', async () => {
		const token = await freshToken('deelnemer');
		const id = sessionIdFromToken(token);
		const lastSeen = async () =>
			(await t.ctx.db.selectFrom('sessions').select('last_seen_at').where('id', '=', id).executeTakeFirst())?.last_seen_at;
		const loginAt = await lastSeen();
		t.clock.advance(20_000);
		expect(await touchSession(t.ctx.db, id, t.clock.now, POLICY)).toBe(true);
		expect(await lastSeen(), 'within the minute: not written').toBe(loginAt);
		t.clock.advance(20 * MINUTE);
		expect(await touchSession(t.ctx.db, id, t.clock.now, POLICY)).toBe(true);
		expect(await lastSeen()).toBe(t.clock.now.toISOString());
		t.clock.advance(31 * MINUTE);
		const before = await lastSeen();
		expect(await touchSession(t.ctx.db, id, t.clock.now, POLICY)).toBe(false);
		expect(await lastSeen()).toBe(before);
		expect(await check(token, true)).toEqual({ session: null, user: null });
	});
});

describe('documents derived from a case', () => {
	it('every document kind names the cases it follows, and a case scope reaches exactly those', () => {
		const names = ['case:14', 'bespreking:3:14', 'bespreking:3:15', 'meeting:3', 'case:15'];
		expect(names.map((n) => documentCaseIds(parseDocumentName(n)!))).toEqual([[14], [14], [15], [], [15]]);
		const reached = names.filter((docName) => connectionInScope({ caseId: 14 }, { docName, userId: 1 }));
		expect(reached).toEqual(['case:14', 'bespreking:3:14']);
		expect(names.filter((docName) => connectionInScope({ userId: 2 }, { docName, userId: 1 }))).toEqual([]);
		expect(names.filter((docName) => connectionInScope({ all: true }, { docName, userId: 1 }))).toEqual(names);
	});
});
