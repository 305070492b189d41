import { fail } from '@sveltejs/kit';
import { AppError, httpStatus } from '$lib/server/errors';
import type { TableTypeFormValues } from './labels';

/** The table-type form as typed, to validate and, on failure, to show again unchanged. */
export function readTableTypeForm(data: FormData): TableTypeFormValues {
	const text = (key: string) => {
		const v = data.get(key);
		return typeof v === 'string' ? v : '';
	};
	return {
		name: text('name'),
		purpose: text('purpose'),
		submitterOrgTypes: data.getAll('submitterOrgTypes').filter((v): v is string => typeof v === 'string'),
		minAge: text('minAge'),
		maxAge: text('maxAge'),
		requiredIndication: text('requiredIndication'),
		caseloadCap: text('caseloadCap'),
		clientParticipation: text('clientParticipation'),
		childMinAge: text('childMinAge'),
		outputTemplate: text('outputTemplate'),
		subjectKind: text('subjectKind'),
		leefgebieden: text('leefgebieden'),
		followupMonths: text('followupMonths'),
		retentionMonths: text('retentionMonths'),
		ruleBasis: text('ruleBasis'),
		identityRoles: data.getAll('identityRoles').filter((v): v is string => typeof v === 'string')
	};
}

/** A service error as a form failure that keeps everything typed and names the bad fields. */
export function tableTypeFailure(e: unknown, values: TableTypeFormValues) {
	if (!(e instanceof AppError)) throw e;
	return fail(httpStatus[e.code], {
		code: e.code as string,
		message: e.userMessage,
		fields: e.fields as Record<string, string>,
		values
	});
}
