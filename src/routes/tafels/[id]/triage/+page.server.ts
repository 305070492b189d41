import { acceptRequest, askMore, declineRequest, triageQueue } from '$lib/server/requests/service';
import { loadOrError, requestMeta, requireActor } from '$lib/server/http';
import { parseId } from '$lib/server/ids';
import { failWith, positiveId } from '../../../aanmelden/request-form.server';
import type { Actions, PageServerLoad } from './$types';

/**
 * The triage of one table, for its voorzitter and secretaris. Everyone else gets the same 404
 * as a page that does not exist, for the page and for every action (the service authorizes
 * 'request.triage' first).
 */
export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const tableId = parseId(event.params.id);
	return loadOrError(() => triageQueue(event.locals.ctx, actor, tableId));
};

function text(data: FormData, key: string): string {
	const v = data.get(key);
	return typeof v === 'string' ? v : '';
}

/** The request an action is about must belong to this table, or it is "not found". */
async function requestOfTable(event: Parameters<Actions[string]>[0]) {
	const actor = requireActor(event);
	const tableId = parseId(event.params.id);
	const data = await event.request.formData();
	const requestId = positiveId(text(data, 'requestId'));
	return { actor, tableId, data, requestId };
}

export const actions: Actions = {
	accept: async (event) => {
		const { actor, tableId, data, requestId } = await requestOfTable(event);
		const values = {
			requestId: String(requestId),
			meetingId: text(data, 'meetingId'),
			inviteOrgIds: data.getAll('inviteOrgIds').filter((v): v is string => typeof v === 'string'),
			plannedMinutes: text(data, 'plannedMinutes'),
			title: text(data, 'title')
		};
		try {
			const result = await acceptRequest(event.locals.ctx, actor, requestId, values, requestMeta(event), tableId);
			return {
				action: 'accept' as const,
				requestId,
				success: result.meetingId
					? `Geaccepteerd als ${result.caseCode}${result.reopened ? ' (terugkomcasus)' : ''} en op de agenda gezet.${result.onAgenda ? '' : ' Het agendapunt kon niet worden toegevoegd; zet het zelf op de agenda.'}`
					: `Geaccepteerd als ${result.caseCode}${result.reopened ? ' (terugkomcasus)' : ''}. Plan de bespreking nog in.`,
				caseId: result.caseId
			};
		} catch (e) {
			return failWith(e, values, 'accept');
		}
	},
	decline: async (event) => {
		const { actor, tableId, data, requestId } = await requestOfTable(event);
		const values = { requestId: String(requestId), reason: text(data, 'reason') };
		try {
			await declineRequest(event.locals.ctx, actor, requestId, values, requestMeta(event), tableId);
			return { action: 'decline' as const, requestId, success: 'Het verzoek is afgewezen. De aanmelder ziet de reden.' };
		} catch (e) {
			return failWith(e, values, 'decline');
		}
	},
	askMore: async (event) => {
		const { actor, tableId, data, requestId } = await requestOfTable(event);
		const values = { requestId: String(requestId), question: text(data, 'question') };
		try {
			await askMore(event.locals.ctx, actor, requestId, values, requestMeta(event), tableId);
			return { action: 'askMore' as const, requestId, success: 'Uw vraag is naar de aanmelder gestuurd.' };
		} catch (e) {
			return failWith(e, values, 'askMore');
		}
	}
};
