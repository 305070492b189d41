import { fail, type RequestEvent } from '@sveltejs/kit';
import { requireAdmin } from '$lib/server/admin/service';
import { fieldErrors, loadOrError, requireActor, toFormFailure } from '$lib/server/http';
import type { Actor } from '$lib/server/policy/index';
import { requireSecondFactor } from '$lib/server/auth/second-factor';

/**
 * Shared by the beheer routes (SvelteKit ignores files without a + in routes/). Every beheer
 * load and action starts with `requireAdminActor`, so anybody who is not a beheerder gets the
 * same 404 as a page that does not exist, before any input is read.
 */
export async function requireAdminActor(event: Pick<RequestEvent, 'locals' | 'url'>): Promise<Actor> {
	const actor = requireActor(event);
	await loadOrError(() => requireAdmin(event.locals.ctx, actor));
	// beheerders work with a second factor (TOTP); without it they are sent to set it up
	await requireSecondFactor(event);
	return actor;
}

/** What was typed, as strings, to fill the form again; passwords are never echoed back. */
export function formValues(data: FormData, omit: readonly string[] = ['password']): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of data) {
		if (typeof value === 'string' && !omit.includes(key)) out[key] = value;
	}
	return out;
}

/**
 * A zod failure as a form failure. `action` says which form it belongs to, so a page with
 * several forms shows the message and field errors next to the right one.
 */
export function invalid<A extends string>(
	action: A,
	issues: { path: PropertyKey[]; message: string }[],
	values: Record<string, string>,
	message = 'Controleer de invoer. Wat er mis is, staat bij het veld.'
) {
	return fail(400, { action, code: 'INVALID_INPUT', message, fields: fieldErrors(issues), values });
}

/**
 * An AppError from a service as a form failure, tagged with its form like `invalid`. For a row
 * action (block, remove, ...) a NOT_FOUND means the row is gone; `notFoundMessage` says so.
 */
export function failure<A extends string>(
	action: A,
	e: unknown,
	values: Record<string, string>,
	notFoundMessage?: string
) {
	const f = toFormFailure(e, values);
	const message = f.data.code === 'NOT_FOUND' && notFoundMessage ? notFoundMessage : f.data.message;
	return fail(f.status, { action, code: f.data.code as string, message, fields: f.data.fields, values });
}
