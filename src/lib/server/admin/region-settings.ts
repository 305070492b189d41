import type { AppContext } from '../context';
import type { Executor } from '../db/index';
import { recordAudit } from '../audit/index';
import { invalidInput } from '../errors';
import type { Actor } from '../policy/index';
import { requireAdmin } from './service';
import { RELAPSE_MONTHS } from '../../shared/tables';

/**
 * Settings of the region as a whole (migration 0023), each with its default when no beheerder
 * has set it. Read by the services that use them; written only through 'admin.manage'.
 */

export const RELAPSE_MONTHS_RANGE = { min: 1, max: 60 } as const;

/** How far back a new aanmelding is compared with earlier cases for a possible terugval. */
export async function relapseMonths(db: Executor): Promise<number> {
	const row = await db.selectFrom('region_settings').select('value').where('key', '=', 'relapse_months').executeTakeFirst();
	const n = Number(row?.value);
	return Number.isInteger(n) && n >= RELAPSE_MONTHS_RANGE.min && n <= RELAPSE_MONTHS_RANGE.max ? n : RELAPSE_MONTHS;
}

export async function setRelapseMonths(ctx: AppContext, actor: Actor, months: number, meta: { ip?: string | null } = {}): Promise<void> {
	await requireAdmin(ctx, actor);
	const { min, max } = RELAPSE_MONTHS_RANGE;
	if (!Number.isInteger(months) || months < min || months > max) {
		const message = `Kies een periode van ${min} tot en met ${max} maanden.`;
		throw invalidInput({ months: message }, message);
	}
	await ctx.db.transaction().execute(async (trx) => {
		const from = await relapseMonths(trx);
		if (from === months) return;
		const at = ctx.now().toISOString();
		await trx
			.insertInto('region_settings')
			.values({ key: 'relapse_months', value: String(months), updated_at: at, updated_by: actor.userId })
			.onConflict((oc) => oc.column('key').doUpdateSet({ value: String(months), updated_at: at, updated_by: actor.userId }))
			.execute();
		await recordAudit(trx, {
			at: ctx.now(),
			userId: actor.userId,
			organisationId: actor.organisationId,
			action: 'region.update',
			detail: { setting: 'relapseMonths', from, to: months },
			ip: meta.ip ?? null
		});
	});
}
