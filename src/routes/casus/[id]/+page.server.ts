import { z } from 'zod';
import { grantCaseAccess, viewCase, withdrawCaseAccess } from '$lib/server/cases/service';
import {
	ESCALATION_TARGETS,
	caseFollowUp,
	closeCase,
	raiseEscalation,
	resolveEscalation,
	setPhase
} from '$lib/server/cases/lifecycle';
import { fieldErrors, loadOrError, requestMeta, requireActor, toFormFailure } from '$lib/server/http';
import { parseId } from '$lib/server/ids';
import { fail, type RequestEvent } from '@sveltejs/kit';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const caseId = parseId(event.params.id);
	const { ctx } = event.locals;
	const view = await loadOrError(() => viewCase(ctx, actor, caseId, requestMeta(event)));
	const followUp = await loadOrError(() => caseFollowUp(ctx, actor, caseId));
	return { ...view, followUp, escalationTargets: [...ESCALATION_TARGETS] };
};

const AccessForm = z.object({
	organisationId: z.coerce.number({ error: 'Kies een organisatie.' }).int().positive('Kies een organisatie.')
});

/** Which form a result belongs to, so the page shows it next to that form. */
type FormName = 'grant' | 'withdraw' | 'phase' | 'close' | 'escalate' | 'resolve';

/** What was typed, as strings, to fill the form again. */
async function formValues(event: RequestEvent): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const [key, value] of await event.request.formData()) {
		if (typeof value === 'string') out[key] = value;
	}
	return out;
}

function failure(action: FormName, e: unknown, values: Record<string, string>) {
	const f = toFormFailure(e, values);
	return fail(f.status, { ...f.data, action, values });
}

/**
 * Every action authenticates, reads the form and hands it to a service that authorizes
 * through the policy before it looks at the input; failures keep what was typed.
 */
export const actions: Actions = {
	grant: async (event) => {
		const actor = requireActor(event);
		const caseId = parseId(event.params.id);
		const form = await formValues(event);
		const parsed = AccessForm.safeParse(form);
		if (!parsed.success) {
			return fail(400, { action: 'grant' as FormName, code: 'INVALID_INPUT', message: 'Kies een organisatie.', fields: fieldErrors(parsed.error.issues), values: form });
		}
		try {
			await grantCaseAccess(event.locals.ctx, actor, caseId, parsed.data.organisationId, requestMeta(event));
		} catch (e) {
			return failure('grant', e, form);
		}
		return { action: 'grant' as FormName, success: 'Toegang verleend.' };
	},
	withdraw: async (event) => {
		const actor = requireActor(event);
		const caseId = parseId(event.params.id);
		const form = await formValues(event);
		const parsed = AccessForm.safeParse(form);
		if (!parsed.success) {
			return fail(400, { action: 'withdraw' as FormName, code: 'INVALID_INPUT', message: 'Kies een organisatie.', fields: fieldErrors(parsed.error.issues), values: form });
		}
		try {
			await withdrawCaseAccess(event.locals.ctx, actor, caseId, parsed.data.organisationId, requestMeta(event));
		} catch (e) {
			return failure('withdraw', e, form);
		}
		return { action: 'withdraw' as FormName, success: 'Toegang ingetrokken.' };
	},
	phase: async (event) => {
		const actor = requireActor(event);
		const caseId = parseId(event.params.id);
		const form = await formValues(event);
		try {
			await setPhase(event.locals.ctx, actor, caseId, {
				phase: form.phase ?? '',
				reviewDate: form.reviewDate,
				followupUntil: form.followupUntil
			});
		} catch (e) {
			return failure('phase', e, form);
		}
		const success = form.phase === 'monitoring' ? 'De casus staat nu in monitoring.' : 'De casus staat nu in uitvoering.';
		return { action: 'phase' as FormName, success };
	},
	close: async (event) => {
		const actor = requireActor(event);
		const caseId = parseId(event.params.id);
		const form = await formValues(event);
		try {
			await closeCase(event.locals.ctx, actor, caseId, {
				outcome: form.outcome ?? '',
				nazorg: form.nazorg,
				earlyReason: form.earlyReason
			});
		} catch (e) {
			return failure('close', e, form);
		}
		return { action: 'close' as FormName, success: 'De casus is afgesloten.' };
	},
	escalate: async (event) => {
		const actor = requireActor(event);
		const caseId = parseId(event.params.id);
		const form = await formValues(event);
		try {
			await raiseEscalation(event.locals.ctx, actor, caseId, {
				reason: form.reason ?? '',
				escalatedTo: form.escalatedTo ?? ''
			});
		} catch (e) {
			return failure('escalate', e, form);
		}
		return { action: 'escalate' as FormName, success: 'De escalatie is vastgelegd.' };
	},
	resolve: async (event) => {
		const actor = requireActor(event);
		const caseId = parseId(event.params.id);
		const form = await formValues(event);
		const escalationId = /^[1-9][0-9]{0,15}$/.test(form.escalationId ?? '') ? Number(form.escalationId) : 0;
		try {
			await resolveEscalation(event.locals.ctx, actor, escalationId, { outcome: form.outcome ?? '', caseId });
		} catch (e) {
			return failure('resolve', e, form);
		}
		return { action: 'resolve' as FormName, success: 'De uitkomst van de escalatie is vastgelegd.' };
	}
};
