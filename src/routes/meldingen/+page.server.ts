import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { markAllRead, markRead, myNotices } from '$lib/server/notifications/index';
import { AppError } from '$lib/server/errors';
import { requireActor, toFormFailure } from '$lib/server/http';
import type { Actions, PageServerLoad } from './$types';

/**
 * Meldingen: my own notifications, newest first. Only ever the logged-in user's rows: there is
 * nobody else's to see, and marking someone else's as read is NOT_FOUND.
 */
export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	event.depends('app:meldingen');
	return { notices: await myNotices(event.locals.ctx.db, actor) };
};

const ReadForm = z.object({ id: z.coerce.number().int().positive() });

export const actions: Actions = {
	gelezen: async (event) => {
		const actor = requireActor(event);
		const parsed = ReadForm.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { code: 'INVALID_INPUT', message: 'Deze melding bestaat niet (meer).' });
		try {
			await markRead(event.locals.ctx, actor.userId, parsed.data.id);
		} catch (e) {
			if (e instanceof AppError && e.code === 'NOT_FOUND') return fail(404, { code: e.code, message: 'Deze melding bestaat niet (meer).' });
			return toFormFailure(e);
		}
		return { success: 'De melding is gemarkeerd als gelezen.' };
	},
	allesGelezen: async (event) => {
		const actor = requireActor(event);
		const n = await markAllRead(event.locals.ctx, actor.userId);
		return { success: n === 1 ? '1 melding is gemarkeerd als gelezen.' : `${n} meldingen zijn gemarkeerd als gelezen.` };
	}
};
