import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { login } from '$lib/server/auth/login';
import { clientAddress, fieldErrors, setSessionCookie, toFormFailure } from '$lib/server/http';
import { safeReturnPath } from '$lib/shared/safe-redirect';
import { secondFactorPending, stepUrl } from '$lib/server/auth/second-factor';
import { fail } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, safeReturnPath(url.searchParams.get('terug')));
	return { expired: url.searchParams.has('verlopen'), passwordSet: url.searchParams.get('wachtwoord') === 'ingesteld' };
};

const LoginForm = z.object({
	email: z.string().trim().min(1, 'Vul uw e-mailadres in.').max(254, 'Dit e-mailadres is te lang.'),
	password: z.string().min(1, 'Vul uw wachtwoord in.').max(256, 'Dit wachtwoord is te lang.')
});

export const actions: Actions = {
	default: async (event) => {
		const form = Object.fromEntries(await event.request.formData());
		const values = { email: String(form.email ?? '') };
		const parsed = LoginForm.safeParse(form);
		if (!parsed.success) {
			return fail(400, {
				code: 'INVALID_INPUT',
				message: 'Vul uw e-mailadres en wachtwoord in.',
				fields: fieldErrors(parsed.error.issues),
				values
			});
		}
		const ctx = event.locals.ctx;
		let result;
		try {
			result = await login(ctx, {
				email: parsed.data.email,
				password: parsed.data.password,
				ip: clientAddress(event),
				userAgent: event.request.headers.get('user-agent')
			});
		} catch (e) {
			return toFormFailure(e, values);
		}
		setSessionCookie(event.cookies, result.token, result.session, event.url.protocol === 'https:');
		const back = safeReturnPath(event.url.searchParams.get('terug'));
		// with TOTP on, the password is the first of two steps
		if (await secondFactorPending(ctx.db, result.session.id)) redirect(303, stepUrl(back));
		redirect(303, back);
	}
};
