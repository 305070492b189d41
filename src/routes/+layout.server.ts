import type { LayoutServerLoad } from './$types';

/** Only what the navigation needs; never case data. */
export const load: LayoutServerLoad = async ({ locals }) => {
	const user = locals.user;
	return {
		user: user
			? { name: user.name, organisationName: user.organisationName, isAdmin: user.isAdmin }
			: null
	};
};
