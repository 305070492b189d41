import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { secondFactorPending, verifySecondFactor } from '$lib/server/auth/second-factor';
import { fieldErrors, requestMeta, requireActor, setSessionCookie, toFormFailure } from '$lib/server/http';
import { safeReturnPath } from '$lib/shared/safe-redirect';
import type { Actions, PageServerLoad } from './$types';

/** The second login step: only for a session whose user has TOTP on and has not passed it. */
export const load: PageServerLoad = async (event) => {
	requireActor(event);
	const back = safeReturnPath(event.url.searchParams.get('terug'));
	if (!(await secondFactorPending(event.locals.ctx.db, event.locals.session!.id))) redirect(303, back);
	return {};
};

const CodeForm = z.object({
	code: z.string().trim().min(1, 'Vul de code in.').max(32, 'Deze code is te lang.')
});

export const actions: Actions = {
	default: async (event) => {
		const actor = requireActor(event);
		const back = safeReturnPath(event.url.searchParams.get('terug'));
		if (!(await secondFactorPending(event.locals.ctx.db, event.locals.session!.id))) redirect(303, back);
		const parsed = CodeForm.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) {
			return fail(400, { code: 'INVALID_INPUT', message: 'Vul de code uit uw app in.', fields: fieldErrors(parsed.error.issues) });
		}
		let result: Awaited<ReturnType<typeof verifySecondFactor>>;
		try {
			result = await verifySecondFactor(
				event.locals.ctx,
				{ id: actor.userId, organisationId: actor.organisationId },
				event.locals.session!.id,
				parsed.data.code,
				requestMeta(event)
			);
		} catch (e) {
			return toFormFailure(e);
		}
		// a new token after the second step; the half-authenticated one has ended (ASVS 7.2.4)
		setSessionCookie(event.cookies, result.token, result.session, event.url.protocol === 'https:');
		const { recovery, recoveryCodesLeft: left } = result;
		// after a recovery code, point at what is left so nobody runs out unnoticed
		if (recovery) redirect(303, `/account?herstelcodes=${left}#tweede-factor`);
		redirect(303, back);
	}
};
