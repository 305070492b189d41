import { requireAdminActor } from './beheer.server';
import type { LayoutServerLoad } from './$types';

/** Every beheer page: log in first, and a 404 for anybody who is not a beheerder. */
export const load: LayoutServerLoad = async (event) => {
	await requireAdminActor(event);
	return {};
};
