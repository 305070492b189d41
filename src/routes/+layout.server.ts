import { unreadCount } from '$lib/server/notifications/index';
import { chairsAnyTable } from '$lib/server/tables/service';
import type { LayoutServerLoad } from './$types';

/** Only what the navigation needs; never case data. */
export const load: LayoutServerLoad = async ({ locals, depends, url }) => {
	// on the second login step the person is not in yet: no menu, no bell, no live connection
	const user = url.pathname === '/login/tweede-factor' ? null : locals.user;
	// the bell's count: reloaded when a notice arrives live or one is marked read
	depends('app:meldingen');
	return {
		user: user
			? {
					name: user.name,
					organisationName: user.organisationName,
					isAdmin: user.isAdmin,
					chairsATable: await chairsAnyTable(locals.ctx, user.id)
				}
			: null,
		unreadNotices: user ? await unreadCount(locals.ctx.db, user.id) : 0
	};
};
