import { redirect } from '@sveltejs/kit';
import { logout } from '$lib/server/auth/login';
import { clearSessionCookie, clientAddress } from '$lib/server/http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async () => redirect(303, '/');

export const actions: Actions = {
	default: async (event) => {
		const { locals } = event;
		if (locals.session && locals.user) {
			await logout(locals.ctx, locals.session.id, locals.user, clientAddress(event));
		}
		clearSessionCookie(event.cookies);
		redirect(303, '/login?verlopen');
	}
};
