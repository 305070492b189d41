import { z } from 'zod';
import { removeMembership, setMembership, tableMembers } from '$lib/server/admin/service';
import { loadOrError, requestMeta } from '$lib/server/http';
import { parseId } from '$lib/server/ids';
import { TABLE_ROLES } from '$lib/shared/roles';
import { failure, formValues, invalid, requireAdminActor } from '../../beheer.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = await requireAdminActor(event);
	const tableId = parseId(event.params.id);
	return loadOrError(() => tableMembers(event.locals.ctx, actor, tableId));
};

const UserId = z.coerce.number({ error: 'Kies een persoon.' }).int().positive('Kies een persoon.');
const Role = z.enum(TABLE_ROLES, { error: 'Kies een rol.' });

const MemberForm = z.object({ userId: UserId, role: Role });
const RemoveForm = z.object({ userId: UserId });

export const actions: Actions = {
	addMember: async (event) => {
		const actor = await requireAdminActor(event);
		const tableId = parseId(event.params.id);
		const values = formValues(await event.request.formData());
		const parsed = MemberForm.safeParse(values);
		if (!parsed.success) return invalid('addMember', parsed.error.issues, values);
		try {
			await setMembership(event.locals.ctx, actor, { tableId, ...parsed.data }, requestMeta(event));
		} catch (e) {
			return failure('addMember', e, values);
		}
		return { action: 'addMember', success: 'Het lid is toegevoegd.', userId: parsed.data.userId, role: parsed.data.role };
	},

	changeRole: async (event) => {
		const actor = await requireAdminActor(event);
		const tableId = parseId(event.params.id);
		const values = formValues(await event.request.formData());
		const parsed = MemberForm.safeParse(values);
		if (!parsed.success) return invalid('changeRole', parsed.error.issues, values, 'De rol is niet gewijzigd. Kies een rol.');
		try {
			await setMembership(event.locals.ctx, actor, { tableId, ...parsed.data }, requestMeta(event));
		} catch (e) {
			return failure('changeRole', e, values);
		}
		return { action: 'changeRole', success: 'De rol is gewijzigd.', userId: parsed.data.userId, role: parsed.data.role };
	},

	removeMember: async (event) => {
		const actor = await requireAdminActor(event);
		const tableId = parseId(event.params.id);
		const values = formValues(await event.request.formData());
		const parsed = RemoveForm.safeParse(values);
		if (!parsed.success) return invalid('removeMember', parsed.error.issues, values, 'Dit lid bestaat niet (meer).');
		try {
			await removeMembership(event.locals.ctx, actor, { tableId, userId: parsed.data.userId }, requestMeta(event));
		} catch (e) {
			return failure('removeMember', e, values, 'Deze persoon is geen lid (meer) van deze tafel.');
		}
		return { action: 'removeMember', success: 'Het lid is van deze tafel verwijderd.', userId: parsed.data.userId };
	}
};
