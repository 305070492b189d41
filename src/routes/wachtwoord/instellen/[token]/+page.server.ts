import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { checkLink, setPasswordWithLink } from '$lib/server/account/reset';
import { AppError } from '$lib/server/errors';
import { clearSessionCookie, clientAddress, fieldErrors, toFormFailure } from '$lib/server/http';
import type { Actions, PageServerLoad } from './$types';

/**
 * The token is in the path. The app's Referrer-Policy (same-origin) keeps it from other sites;
 * "no-referrer" here would make browsers send `Origin: null` with the form, which the CSRF
 * check rightly refuses.
 */
export const load: PageServerLoad = async ({ locals, params }) => {
	try {
		const link = await checkLink(locals.ctx, params.token);
		return { link, problem: null };
	} catch (e) {
		if (e instanceof AppError) return { link: null, problem: { code: e.code, message: e.userMessage } };
		throw e;
	}
};

const repeatMessage = 'Vul hetzelfde wachtwoord twee keer in.';
const SetForm = z
	.object({
		password: z.string({ error: 'Kies een wachtwoord van minstens 12 tekens.' }),
		repeat: z.string({ error: repeatMessage })
	})
	.refine((f) => f.password === f.repeat, { path: ['repeat'], message: 'De twee wachtwoorden zijn niet gelijk. Vul hetzelfde wachtwoord twee keer in.' });

export const actions: Actions = {
	default: async (event) => {
		const form = Object.fromEntries(await event.request.formData());
		const parsed = SetForm.safeParse(form);
		if (!parsed.success) {
			return fail(400, { code: 'INVALID_INPUT', message: 'Kies een ander wachtwoord. Wat er mis is, staat bij het veld.', fields: fieldErrors(parsed.error.issues), values: {} });
		}
		try {
			await setPasswordWithLink(event.locals.ctx, { token: event.params.token, password: parsed.data.password, ip: clientAddress(event) });
		} catch (e) {
			return toFormFailure(e);
		}
		// every session of the account ended; this browser logs in afresh too
		clearSessionCookie(event.cookies);
		redirect(303, '/login?wachtwoord=ingesteld');
	}
};
