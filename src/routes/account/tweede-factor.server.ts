import { fail, type RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import {
	confirmEnrolment,
	disableSecondFactor,
	pendingEnrolment,
	regenerateRecoveryCodes,
	startEnrolment,
	totpStatus
} from '$lib/server/auth/second-factor';
import { AppError, httpStatus } from '$lib/server/errors';
import { fieldErrors, requestMeta, requireActor } from '$lib/server/http';

/**
 * The "Tweede factor" section of /account (SvelteKit ignores files without a + in routes/).
 * Answers of its forms sit under `totp`, apart from the other sections' answers.
 */
export async function totpSection(event: Pick<RequestEvent, 'locals' | 'url'>) {
	const actor = requireActor(event);
	const db = event.locals.ctx.db;
	const status = await totpStatus(db, actor.userId);
	const left = event.url.searchParams.get('herstelcodes');
	return {
		...status,
		enrolment: status.pending ? await pendingEnrolment(db, actor.userId) : null,
		/** sent here by a page that needs a second factor (beheer, the audit log) */
		required: event.url.searchParams.get('tweede-factor') === 'nodig',
		/** just logged in with a recovery code: how many are left */
		recoveryCodesAfterUse: left !== null && /^\d+$/.test(left) ? Number(left) : null
	};
}

type TotpAction = 'start' | 'confirm' | 'disable' | 'regenerate';

const CodeForm = z.object({
	code: z.string().trim().min(1, 'Vul de code uit uw app in.').max(32, 'Deze code is te lang.')
});

function failure(action: TotpAction, e: unknown) {
	if (!(e instanceof AppError)) throw e;
	return fail(httpStatus[e.code], { totp: { action, code: e.code as string, message: e.userMessage, fields: e.fields } });
}

async function withCode<T>(event: RequestEvent, action: TotpAction, run: (code: string) => Promise<T>) {
	const parsed = CodeForm.safeParse(Object.fromEntries(await event.request.formData()));
	if (!parsed.success) {
		return {
			ok: false as const,
			result: fail(400, {
				totp: { action, code: 'INVALID_INPUT', message: 'Vul de code uit uw app in.', fields: fieldErrors(parsed.error.issues) }
			})
		};
	}
	try {
		return { ok: true as const, value: await run(parsed.data.code) };
	} catch (e) {
		return { ok: false as const, result: failure(action, e) };
	}
}

export const totpActions = {
	totpStart: async (event: RequestEvent) => {
		const actor = requireActor(event);
		try {
			await startEnrolment(event.locals.ctx, actor.userId);
		} catch (e) {
			return failure('start', e);
		}
		return { totp: { action: 'start' as const, started: true } };
	},

	totpConfirm: async (event: RequestEvent) => {
		const actor = requireActor(event);
		const user = { id: actor.userId, organisationId: actor.organisationId };
		const r = await withCode(event, 'confirm', (code) =>
			confirmEnrolment(event.locals.ctx, user, event.locals.session!.id, code, requestMeta(event))
		);
		if (!r.ok) return r.result;
		return { totp: { action: 'confirm' as const, recoveryCodes: r.value.recoveryCodes } };
	},

	totpDisable: async (event: RequestEvent) => {
		const actor = requireActor(event);
		const user = { id: actor.userId, organisationId: actor.organisationId };
		const r = await withCode(event, 'disable', (code) => disableSecondFactor(event.locals.ctx, user, code, requestMeta(event)));
		if (!r.ok) return r.result;
		return { totp: { action: 'disable' as const, disabled: true } };
	},

	totpRegenerate: async (event: RequestEvent) => {
		const actor = requireActor(event);
		const user = { id: actor.userId, organisationId: actor.organisationId };
		const r = await withCode(event, 'regenerate', (code) => regenerateRecoveryCodes(event.locals.ctx, user, code, requestMeta(event)));
		if (!r.ok) return r.result;
		return { totp: { action: 'regenerate' as const, recoveryCodes: r.value } };
	}
};
