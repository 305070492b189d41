import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { endOtherSessions, endSession, mySessions } from '$lib/server/account/service';
import { createFeed, myFeed, revokeFeed } from '$lib/server/calendar/index';
import { clearSessionCookie, requestMeta, requireActor, toFormFailure } from '$lib/server/http';
import type { Actions, PageServerLoad } from './$types';
import { totpActions, totpSection } from './tweede-factor.server';

export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const current = event.locals.session!.id;
	const sessions = await mySessions(event.locals.ctx, actor);
	return {
		sessions: sessions
			.map((s) => ({ ...s, current: s.id === current }))
			.sort((a, b) => Number(b.current) - Number(a.current)),
		calendarFeed: await myFeed(event.locals.ctx, actor),
		totp: await totpSection(event),
		user: {
			name: event.locals.user!.name,
			email: event.locals.user!.email,
			organisationName: event.locals.user!.organisationName
		}
	};
};

const EndForm = z.object({ sessionId: z.string().regex(/^[0-9a-f]{64}$/) });

export const actions: Actions = {
	...totpActions,

	endSession: async (event) => {
		const actor = requireActor(event);
		const parsed = EndForm.safeParse(Object.fromEntries(await event.request.formData()));
		if (!parsed.success) return fail(400, { code: 'INVALID_INPUT', message: 'Deze sessie bestaat niet (meer).' });
		try {
			await endSession(event.locals.ctx, actor, parsed.data.sessionId, requestMeta(event));
		} catch (e) {
			return toFormFailure(e);
		}
		if (parsed.data.sessionId === event.locals.session?.id) {
			clearSessionCookie(event.cookies);
			redirect(303, '/login?verlopen');
		}
		return { success: 'De sessie is beëindigd.' };
	},

	/** Every session but this one ends, with its live and document connections. */
	endOtherSessions: async (event) => {
		const actor = requireActor(event);
		const ended = await endOtherSessions(event.locals.ctx, actor, event.locals.session!.id, requestMeta(event));
		return { success: ended === 1 ? 'De andere sessie is beëindigd.' : `De ${ended} andere sessies zijn beëindigd.` };
	},

	/** A new personal calendar link; the old one stops working. The secret is shown only now. */
	calendarCreate: async (event) => {
		const actor = requireActor(event);
		const token = await createFeed(event.locals.ctx, actor, requestMeta(event));
		return { calendar: { created: true, url: new URL(`/kalender/${token}.ics`, event.url.origin).toString() } };
	},

	calendarRevoke: async (event) => {
		const actor = requireActor(event);
		const revoked = await revokeFeed(event.locals.ctx, actor, requestMeta(event));
		return {
			calendar: {
				revoked: true,
				message: revoked ? 'De kalenderlink is ingetrokken. Uw agenda-app krijgt geen nieuwe gegevens meer.' : 'U had geen kalenderlink.'
			}
		};
	}
};
