/**
 * Mijn acties at 100,000 actions: the real `myActions` (src/lib/server/actions/service.ts, what
 * the /acties page's load calls) on a migrated SQLite file with the demo region, to which the
 * bench adds a region in use: 2,000 users in 40 organisations, 5,000 cases at 20 tables with
 * access for 2–4 organisations each, a casusregisseur for most cases (and ended assignments),
 * and 100,000 rows in `action_rows` (what the projection writes from the case documents; the
 * bench inserts them directly). One casemanager holds 40 open actions (and 60 done or dropped)
 * and directs 15 cases; an ordinary participant holds about the average.
 *
 * Every SQL statement of one call is captured (a Kysely plugin), counted, and
 * explained (EXPLAIN QUERY PLAN with the same parameters).
 */
import { performance } from 'node:perf_hooks';
import type Database from 'better-sqlite3';
import type { KyselyPlugin } from 'kysely';
import { DEFAULT_FILTERS, SCOPE_FILTERS, STATUS_FILTERS, caseFacts, myActions, type ActionFilters, type MyAction, type MyActions } from '../../src/lib/server/actions/service';
import type { AppContext } from '../../src/lib/server/context';
import { sqliteHandle } from '../../src/lib/server/db/index';
import { loadFacts, type Actor } from '../../src/lib/server/policy/index';
import { rng, round } from '../sync/stats';
import { dist, tempContext, type Dist } from './common';

export interface ActionsSeed {
	users: number;
	organisations: number;
	tables: number;
	cases: number;
	actions: number;
	regieAssignments: number;
	seedSeconds: number;
}

export interface Scenario {
	name: string;
	actor: string;
	filters: Partial<ActionFilters>;
	/** rows the page shows, and every action the actor follows */
	shown: number;
	followed: number;
	queriesPerCall: number;
	time: Dist;
	/** CPU time of the process per call (user + system): less sensitive to other work on the machine */
	cpu: Dist;
}

export interface ActionsResult {
	seed: ActionsSeed;
	scenarios: Scenario[];
	/** caseFacts (one query for many cases) compared with the policy's loadFacts, case by case */
	factsCheck: { cases: number; equal: boolean };
	/**
	 * Every filter combination against the unfiltered list filtered here: the same rows in the
	 * same groups and order, the same table and case lists and overdue count; and the unfiltered
	 * list's lists and count against its own rows.
	 */
	filtersCheck: { combinations: number; equal: boolean; mismatches: string[] };
	/** the distinct statements of one default call, with their plans */
	plans: { sql: string; calls: number; plan: string[] }[];
}

const NOW = new Date('2026-11-20T09:00:00Z');
const STATUSES: [string, number][] = [
	['open', 0.35],
	['bezig', 0.15],
	['gedaan', 0.4],
	['vervallen', 0.1]
];

function seedRegion(sqlite: Database.Database, o: { users: number; cases: number; actions: number; seed: number }) {
	const random = rng(o.seed);
	const int = (n: number) => Math.floor(random() * n);
	const at = NOW.toISOString();
	const day = (offset: number) => new Date(NOW.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
	const status = () => {
		let r = random();
		for (const [s, p] of STATUSES) if ((r -= p) < 0) return s;
		return 'open';
	};
	const types = (sqlite.prepare('SELECT id FROM table_types ORDER BY id').all() as { id: number }[]).map((r) => r.id);
	const chair = (sqlite.prepare("SELECT id FROM users WHERE email = 'voorzitter@casustafel.example'").get() as { id: number }).id;
	const insOrg = sqlite.prepare('INSERT INTO organisations (name, type, created_at) VALUES (?, ?, ?)');
	const insUser = sqlite.prepare(
		"INSERT INTO users (name, email, organisation_id, password_hash, is_admin, created_at) VALUES (?, ?, ?, 'not-a-login', 0, ?)"
	);
	const insTable = sqlite.prepare('INSERT INTO case_tables (table_type_id, name, code_prefix, created_at) VALUES (?, ?, ?, ?)');
	const insMember = sqlite.prepare('INSERT OR IGNORE INTO memberships (case_table_id, user_id, role, created_at) VALUES (?, ?, ?, ?)');
	const insCase = sqlite.prepare(
		`INSERT INTO cases (case_table_id, code, title, subject_kind, subject_name, subject_birthdate, status, created_at, legal_frame)
		 VALUES (?, ?, 'Benchcasus', 'persoon', 'Benchpersoon', NULL, ?, ?, 'vrijwillig')`
	);
	const insAccess = sqlite.prepare('INSERT INTO case_access (case_id, organisation_id, granted_by, granted_at) VALUES (?, ?, ?, ?)');
	const insRegie = sqlite.prepare(
		'INSERT INTO regie_assignments (case_id, kind, user_id, assigned_at, ended_at, decided_by, meeting_id) VALUES (?, ?, ?, ?, ?, ?, NULL)'
	);
	const insAction = sqlite.prepare(
		`INSERT INTO action_rows (case_id, action_id, position, text, actiehouder_id, organisation_id, deadline, status, leefgebied, note, projected_at)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	);

	return sqlite.transaction(() => {
		const orgs: number[] = [];
		const orgTypes = ['gemeente', 'zorgaanbieder', 'politie', 'veilig_thuis', 'onderwijs', 'woningcorporatie', 'jeugdbescherming'];
		for (let i = 0; i < 40; i++) orgs.push(Number(insOrg.run(`Benchorganisatie ${i + 1}`, orgTypes[i % orgTypes.length], at).lastInsertRowid));
		const usersOf = new Map<number, number[]>(orgs.map((id) => [id, []]));
		const orgOf = new Map<number, number>();
		const users: number[] = [];
		for (let i = 0; i < o.users; i++) {
			const org = orgs[i % orgs.length]!;
			const id = Number(insUser.run(`Benchgebruiker ${i + 1}`, `bench${i + 1}@casustafel.example`, org, at).lastInsertRowid);
			users.push(id);
			usersOf.get(org)!.push(id);
			orgOf.set(id, org);
		}
		const tables: number[] = [];
		for (let i = 0; i < 20; i++) {
			const t = Number(insTable.run(types[i % types.length], `Benchtafel ${i + 1}`, `B${String(i + 1).padStart(2, '0')}`, at).lastInsertRowid);
			tables.push(t);
			insMember.run(t, users[i]!, 'voorzitter', at);
			insMember.run(t, users[i + 20]!, 'secretaris', at);
		}
		// every user takes part in one to three tables
		for (const u of users) for (let k = 0, n = 1 + int(3); k < n; k++) insMember.run(tables[int(tables.length)], u, 'deelnemer', at);

		const cases: { id: number; table: number; orgs: number[] }[] = [];
		let regieRows = 0;
		for (let i = 0; i < o.cases; i++) {
			const table = tables[i % tables.length]!;
			const id = Number(insCase.run(table, `BENCH-${String(i + 1).padStart(5, '0')}`, random() < 0.3 ? 'afgesloten' : 'monitoring', at).lastInsertRowid);
			const access = new Set<number>();
			for (let k = 0, n = 2 + int(3); k < n; k++) access.add(orgs[int(orgs.length)]!);
			for (const org of access) insAccess.run(id, org, chair, at);
			cases.push({ id, table, orgs: [...access] });
			if (random() < 0.8) {
				const org = [...access][0]!;
				const members = usersOf.get(org)!;
				if (random() < 0.3) {
					insRegie.run(id, 'casusregisseur', members[int(members.length)], day(-400), day(-200), chair);
					regieRows += 1;
				}
				insRegie.run(id, 'casusregisseur', members[int(members.length)], day(-200), null, chair);
				regieRows += 1;
			}
		}

		// the casemanager: Sociaal Team, a participant at three tables; 40 open actions and 60
		// done or dropped, at cases where their organisation has access; directs 15 cases
		const team = (sqlite.prepare("SELECT id FROM organisations WHERE name = 'Sociaal Team Voorbeeld'").get() as { id: number }).id;
		const manager = Number(insUser.run('Bench Casemanager', 'casemanager@casustafel.example', team, at).lastInsertRowid);
		const managerTables = tables.slice(0, 3);
		for (const t of managerTables) insMember.run(t, manager, 'deelnemer', at);
		const managerCases = cases.filter((c) => managerTables.includes(c.table)).slice(0, 40);
		for (const c of managerCases) if (!c.orgs.includes(team)) {
			insAccess.run(c.id, team, chair, at);
			c.orgs.push(team);
		}
		sqlite.prepare("UPDATE regie_assignments SET ended_at = ? WHERE ended_at IS NULL AND kind = 'casusregisseur' AND case_id IN (" + managerCases.slice(0, 15).map((c) => c.id).join(',') + ')').run(day(-100));
		for (const c of managerCases.slice(0, 15)) {
			insRegie.run(c.id, 'casusregisseur', manager, day(-100), null, chair);
			regieRows += 1;
		}

		let actions = 0;
		const perCase = Math.floor(o.actions / o.cases);
		const managerHolds: { caseIdx: number; open: boolean }[] = [];
		for (let k = 0; k < 100; k++) managerHolds.push({ caseIdx: k % managerCases.length, open: k < 40 });
		for (const c of cases) {
			for (let a = 0; a < perCase && actions < o.actions; a++) {
				const org = c.orgs[int(c.orgs.length)]!;
				const members = usersOf.get(org) ?? [users[int(users.length)]!];
				const holder = members.length ? members[int(members.length)]! : null;
				insAction.run(
					c.id,
					`a${c.id}x${a}`,
					a,
					'Benchactie: contact opnemen over de voortgang',
					holder,
					holder ? org : null,
					random() < 0.1 ? '' : day(int(120) - 60),
					status(),
					['Wonen', 'Financiën', 'Veiligheid', 'Gezondheid'][a % 4],
					'',
					at
				);
				actions += 1;
			}
		}
		// hand 100 of the rows at the casemanager's cases to the casemanager
		const setHolder = sqlite.prepare('UPDATE action_rows SET actiehouder_id = ?, organisation_id = ?, status = ? WHERE case_id = ? AND action_id = ?');
		managerHolds.forEach((h, k) => {
			const c = managerCases[h.caseIdx]!;
			setHolder.run(manager, team, h.open ? (k % 4 === 0 ? 'bezig' : 'open') : k % 5 === 0 ? 'vervallen' : 'gedaan', c.id, `a${c.id}x${Math.floor(k / managerCases.length)}`);
		});
		const participant = users[137]!;
		return { manager, team, participant, participantOrg: orgOf.get(participant)!, regieRows, actions, orgs: orgs.length, tables: tables.length };
	})();
}

/**
 * Runs `fn` with a context whose Kysely instance records the SQL and parameters of every query
 * (a plugin that compiles each query node as the executor will; nothing else changes).
 */
async function capture(ctx: AppContext, fn: (ctx: AppContext) => Promise<unknown>) {
	const seen: { sql: string; params: readonly unknown[] }[] = [];
	const executor = ctx.db.getExecutor();
	const plugin: KyselyPlugin = {
		transformQuery(args) {
			const compiled = executor.compileQuery(args.node, args.queryId);
			seen.push({ sql: compiled.sql, params: compiled.parameters });
			return args.node;
		},
		transformResult: async (args) => args.result
	};
	await fn({ ...ctx, db: ctx.db.withPlugin(plugin) });
	return seen;
}

async function checkFilters(ctx: AppContext, actors: Actor[]): Promise<ActionsResult['filtersCheck']> {
	const mismatches: string[] = [];
	let combinations = 0;
	const dutch = new Intl.Collator('nl', { numeric: true });
	for (const actor of actors) {
		const all: MyActions = await myActions(ctx, actor, { tableId: null, caseId: null, status: 'alle', scope: 'alle' });
		const rows: MyAction[] = all.groups.flatMap((g) => g.rows);
		// the lists and the count, from the rows themselves
		const tables = [...new Map(rows.map((a) => [a.tableId, a.tableName]))].map(([id, name]) => ({ id, name })).sort((a, b) => dutch.compare(a.name, b.name));
		const cases = [...new Map(rows.map((a) => [a.caseId, a.caseCode]))].map(([id, code]) => ({ id, code })).sort((a, b) => dutch.compare(a.code, b.code));
		const overdue = rows.filter((a) => a.overdue).length;
		if (JSON.stringify([tables, cases, overdue]) !== JSON.stringify([all.tables, all.cases, all.overdueTotal])) mismatches.push(`user ${actor.userId}: lists or overdue count`);
		const regie = new Set(
			(await ctx.db.selectFrom('regie_assignments').select('case_id').where('user_id', '=', actor.userId).where('ended_at', 'is', null).execute()).map((r) => r.case_id)
		);
		for (const status of STATUS_FILTERS) {
			for (const scope of SCOPE_FILTERS) {
				for (const tableId of [null, all.tables[0]?.id ?? null, all.tables.at(-1)?.id ?? null]) {
					for (const caseId of [null, all.cases[0]?.id ?? null]) {
						const filters: ActionFilters = { status, scope, tableId, caseId };
						const got = await myActions(ctx, actor, filters);
						const passes = (a: MyAction) =>
							(scope === 'alle' || (scope === 'mijn' ? a.mine : regie.has(a.caseId))) &&
							(tableId === null || a.tableId === tableId) &&
							(caseId === null || a.caseId === caseId) &&
							(status === 'alle' || (status === 'lopend' ? a.status === 'open' || a.status === 'bezig' : a.status === status));
						const want = { ...all, filters, groups: all.groups.map((g) => ({ ...g, rows: g.rows.filter(passes) })), total: rows.filter(passes).length };
						combinations += 1;
						if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`user ${actor.userId}: ${JSON.stringify(filters)}`);
					}
				}
			}
		}
	}
	return { combinations, equal: mismatches.length === 0, mismatches: mismatches.slice(0, 10) };
}

export async function runActions(o: { iterations: number; warmup: number; seed: number }): Promise<ActionsResult> {
	const temp = await tempContext('actions', () => NOW);
	try {
		const ctx: AppContext = temp.ctx;
		const sqlite = sqliteHandle(ctx.db);
		const t0 = performance.now();
		const seeded = seedRegion(sqlite, { users: 2000, cases: 5000, actions: 100_000, seed: o.seed });
		sqlite.pragma('optimize');
		const count = (table: string) => (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
		const seed: ActionsSeed = {
			users: count('users'),
			organisations: count('organisations'),
			tables: count('case_tables'),
			cases: count('cases'),
			actions: count('action_rows'),
			regieAssignments: count('regie_assignments'),
			seedSeconds: round((performance.now() - t0) / 1000, 1)
		};
		const manager: Actor = { userId: seeded.manager, organisationId: seeded.team, isAdmin: false };
		const participant: Actor = { userId: seeded.participant, organisationId: seeded.participantOrg, isAdmin: false };
		const scenarios: [string, string, Actor, Partial<ActionFilters>][] = [
			['casemanager, default filters (open and in progress, mine and my cases)', 'casemanager', manager, {}],
			["casemanager, 'mijn' (only my own actions)", 'casemanager', manager, { scope: 'mijn' }],
			["casemanager, 'regie', all statuses", 'casemanager', manager, { scope: 'regie', status: 'alle' }],
			['participant (average load), default filters', 'participant', participant, {}]
		];
		const out: Scenario[] = [];
		for (const [name, who, actor, f] of scenarios) {
			const filters = { ...DEFAULT_FILTERS, ...f };
			const samples: number[] = [];
			const cpu: number[] = [];
			let result = await myActions(ctx, actor, filters);
			for (let i = 0; i < o.warmup; i++) await myActions(ctx, actor, filters);
			// interleave nothing else: each call as the page load makes it
			for (let i = 0; i < o.iterations; i++) {
				const c0 = process.cpuUsage();
				const a = performance.now();
				result = await myActions(ctx, actor, filters);
				samples.push(performance.now() - a);
				const c = process.cpuUsage(c0);
				cpu.push((c.user + c.system) / 1000);
			}
			const statements = await capture(ctx, (c) => myActions(c, actor, filters));
			const followed = (await myActions(ctx, actor, { ...DEFAULT_FILTERS, status: 'alle' })).total;
			out.push({ name, actor: who, filters: f, shown: result.total, followed, queriesPerCall: statements.length, time: dist(samples), cpu: dist(cpu) });
		}
		// the plans of the default call
		const statements = await capture(ctx, (c) => myActions(c, manager, DEFAULT_FILTERS));
		const plans = new Map<string, { sql: string; calls: number; plan: string[] }>();
		for (const s of statements) {
			const known = plans.get(s.sql);
			if (known) {
				known.calls += 1;
				continue;
			}
			const plan = (sqlite.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...s.params) as { detail: string }[]).map((r) => r.detail);
			plans.set(s.sql, { sql: s.sql, calls: 1, plan });
		}
		// the bulk facts Mijn acties uses must say what the policy's own loadFacts says
		let checked = 0;
		let equal = true;
		for (const actor of [manager, participant]) {
			const ids = (sqlite.prepare('SELECT DISTINCT case_id FROM action_rows WHERE actiehouder_id = ? UNION SELECT case_id FROM regie_assignments WHERE user_id = ?').all(actor.userId, actor.userId) as { case_id: number }[]).map((r) => r.case_id);
			ids.push(999_999); // no such case
			const bulk = await caseFacts(ctx.db, actor, ids);
			for (const id of ids) {
				const one = await loadFacts(ctx.db, actor, { kind: 'case', caseId: id });
				if (JSON.stringify(one) !== JSON.stringify(bulk.get(id) ?? null)) equal = false;
				checked += 1;
			}
		}
		const filtersCheck = await checkFilters(ctx, [manager, participant]);
		return { seed, scenarios: out, filtersCheck, factsCheck: { cases: checked, equal }, plans: [...plans.values()] };
	} finally {
		await temp.close();
	}
}
