import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { requestPasswordReset } from '$lib/server/account/reset';
import { clientAddress, fieldErrors, toFormFailure } from '$lib/server/http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => ({ resetMinutes: locals.ctx.config.resetValidMinutes });

const ResetForm = z.object({
	email: z
		.string({ error: 'Vul uw e-mailadres in.' })
		.trim()
		.min(1, 'Vul uw e-mailadres in.')
		.max(254, 'Dit e-mailadres is te lang.')
		.pipe(z.email('Vul een geldig e-mailadres in, zoals naam@organisatie.nl.'))
});

export const actions: Actions = {
	default: async (event) => {
		const form = Object.fromEntries(await event.request.formData());
		const values = { email: String(form.email ?? '') };
		const parsed = ResetForm.safeParse(form);
		if (!parsed.success) {
			return fail(400, { code: 'INVALID_INPUT', message: 'Controleer het e-mailadres.', fields: fieldErrors(parsed.error.issues), values });
		}
		try {
			await requestPasswordReset(event.locals.ctx, { email: parsed.data.email, ip: clientAddress(event) });
		} catch (e) {
			return toFormFailure(e, values);
		}
		// the same answer for every address, known or not
		return { sent: true as const, values };
	}
};
