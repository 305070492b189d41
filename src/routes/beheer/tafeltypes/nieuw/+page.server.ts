import { redirect } from '@sveltejs/kit';
import { createTableType } from '$lib/server/admin/table-types';
import { requestMeta } from '$lib/server/http';
import { requireAdminActor } from '../../beheer.server';
import { readTableTypeForm, tableTypeFailure } from '../form.server';
import type { TableTypeFormValues } from '../labels';
import { DEFAULT_IDENTITY_ROLES } from '$lib/shared/tables';
import type { Actions, PageServerLoad } from './$types';

/** An empty type: no rules, the general template, five years' retention, the default on who sees names. */
const EMPTY: TableTypeFormValues = {
	name: '',
	purpose: '',
	submitterOrgTypes: [],
	minAge: '',
	maxAge: '',
	requiredIndication: '',
	caseloadCap: '',
	clientParticipation: '',
	childMinAge: '',
	outputTemplate: 'algemeen',
	subjectKind: 'jeugdige',
	leefgebieden: '',
	followupMonths: '',
	retentionMonths: '60',
	identityRoles: [...DEFAULT_IDENTITY_ROLES],
	ruleBasis: ''
};

export const load: PageServerLoad = async (event) => {
	await requireAdminActor(event);
	return { values: EMPTY };
};

export const actions: Actions = {
	default: async (event) => {
		const actor = await requireAdminActor(event);
		const values = readTableTypeForm(await event.request.formData());
		let id: number;
		try {
			({ id } = await createTableType(event.locals.ctx, actor, values, requestMeta(event)));
		} catch (e) {
			return tableTypeFailure(e, values);
		}
		redirect(303, `/beheer/tafeltypes/${id}?toegevoegd`);
	}
};
