import { fail } from '@sveltejs/kit';
import { toFormFailure } from '$lib/server/http';

/**
 * Reading the aanmeldformulier (used by /aanmelden and /aanmelden/[id]); not a route, since it
 * has no + in its name. The service validates; this only collects what was typed, so a failed
 * submit can show every value again, the ticked organisations included.
 */
export interface RequestFormValues {
	tableId: string;
	subjectKind: string;
	subjectName: string;
	birthdate: string;
	hasIndication: boolean;
	reason: string;
	question: string;
	inviteOrgIds: string[];
	legalFrame: string;
	consentNote: string;
}

export function readRequestForm(data: FormData): RequestFormValues {
	const s = (key: string) => {
		const v = data.get(key);
		return typeof v === 'string' ? v : '';
	};
	return {
		tableId: s('tableId'),
		subjectKind: s('subjectKind'),
		subjectName: s('subjectName'),
		birthdate: s('birthdate'),
		hasIndication: data.get('hasIndication') !== null,
		reason: s('reason'),
		question: s('question'),
		inviteOrgIds: data.getAll('inviteOrgIds').filter((v): v is string => typeof v === 'string'),
		legalFrame: s('legalFrame'),
		consentNote: s('consentNote')
	};
}

/** A positive whole number from a form or route value, or 0. */
export function positiveId(raw: string | null | undefined): number {
	return raw && /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : 0;
}

/**
 * An AppError from the service as a form failure (toFormFailure), with the values typed as
 * `V` so the page can put every one back. Anything that is not an AppError is rethrown.
 */
export function failWith<V, A extends string = never>(e: unknown, values: V, action?: A) {
	const f = toFormFailure(e, {});
	return fail(f.status, {
		action: action as A | undefined,
		code: String(f.data.code),
		message: String(f.data.message),
		fields: f.data.fields as Record<string, string>,
		values
	});
}
