import { getTableForMember } from '$lib/server/tables/service';
import { tableCaseload } from '$lib/server/requests/service';
import { cancelMeeting, scheduleMeetings, updateMeeting } from '$lib/server/meetings/schedule';
import { can } from '$lib/server/policy/index';
import { meetingResponses, sendAfmelding, withdrawAfmelding } from '$lib/server/meetings/afmelding';
import { fail } from '@sveltejs/kit';
import { AppError, httpStatus } from '$lib/server/errors';
import { loadOrError, requestMeta, requireActor } from '$lib/server/http';
import { parseId } from '$lib/server/ids';
import { amsterdamParts } from '$lib/shared/amsterdam';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = requireActor(event);
	const tableId = parseId(event.params.id);
	const ctx = event.locals.ctx;
	return loadOrError(async () => {
		const table = await getTableForMember(ctx, actor, tableId);
		const canSchedule = await can(ctx.db, actor, 'meeting.schedule', { kind: 'table', tableId });
		const planned = table.meetings.filter((m) => m.status === 'gepland').map((m) => m.id);
		return {
			...table,
			// the Dutch wall-clock date and times, for the list and the edit forms
			meetings: table.meetings.map((m) => ({
				...m,
				date: amsterdamParts(m.starts_at).date,
				startTime: amsterdamParts(m.starts_at).time,
				endTime: m.ends_at ? amsterdamParts(m.ends_at).time : ''
			})),
			canSchedule,
			responses: await meetingResponses(ctx, actor, tableId, planned),
			today: amsterdamParts(ctx.now()).date,
			caseload: await tableCaseload(ctx, actor, tableId)
		};
	});
};

const text = (data: FormData, key: string) => {
	const v = data.get(key);
	return typeof v === 'string' ? v : '';
};

const meetingValues = (data: FormData) => ({
	date: text(data, 'date'),
	startTime: text(data, 'startTime'),
	endTime: text(data, 'endTime'),
	location: text(data, 'location'),
	onlineUrl: text(data, 'onlineUrl')
});

/** An AppError as a form failure that keeps what was typed, names the fields and carries the stable code. */
function failed(e: unknown, action: 'schedule' | 'update' | 'cancel' | 'afmelden' | 'aanwezig', values: Record<string, string>, meetingId: number | null = null) {
	if (e instanceof AppError) {
		return fail(httpStatus[e.code], { action, meetingId, code: e.code, message: e.userMessage, fields: e.fields as Record<string, string>, values });
	}
	throw e;
}

/** A meeting id from the form; anything else is the same NOT_FOUND as a meeting that does not exist. */
const meetingIdOf = (data: FormData) => parseId(text(data, 'meetingId'));

const reasonOf = (data: FormData) => ({ reason: text(data, 'reason') });

/**
 * A form action on one meeting of the table: the meeting id and the typed values from the form,
 * the service call (which asks the policy), its Dutch success message, or the failure that keeps
 * what was typed.
 */
function onMeeting<V extends Record<string, string>, A extends 'update' | 'cancel' | 'afmelden' | 'aanwezig'>(
	action: A,
	valuesOf: (data: FormData) => V,
	run: (event: RequestEvent, meetingId: number, values: V) => Promise<string>
) {
	return async (event: RequestEvent) => {
		requireActor(event);
		parseId(event.params.id);
		const data = await event.request.formData();
		const meetingId = meetingIdOf(data);
		const values = valuesOf(data);
		try {
			return { action, meetingId, success: await run(event, meetingId, values) };
		} catch (e) {
			return failed(e, action, values, meetingId);
		}
	};
}

/**
 * Planning the table's meetings: every action goes through the service, which asks the policy
 * ('meeting.schedule') first, so a non-chair gets the 404 of a table that does not exist.
 */
export const actions: Actions = {
	schedule: async (event) => {
		const actor = requireActor(event);
		const tableId = parseId(event.params.id);
		const data = await event.request.formData();
		const values = {
			...meetingValues(data),
			repeat: text(data, 'repeat') || 'none',
			interval: text(data, 'interval') || '1',
			ends: text(data, 'ends') || 'count',
			count: text(data, 'count'),
			until: text(data, 'until'),
			exceptions: text(data, 'exceptions')
		};
		try {
			const result = await scheduleMeetings(event.locals.ctx, actor, tableId, values, requestMeta(event));
			const n = result.meetingIds.length;
			return {
				action: 'schedule' as const,
				success: n === 1 ? 'Het overleg is gepland. De leden krijgen een uitnodiging.' : `${n} overleggen zijn gepland (${result.rule}). De leden krijgen een uitnodiging.`
			};
		} catch (e) {
			return failed(e, 'schedule', values);
		}
	},
	update: onMeeting('update', meetingValues, async (event, meetingId, values) =>
		(await updateMeeting(event.locals.ctx, requireActor(event), parseId(event.params.id), meetingId, values, requestMeta(event)))
			? 'Het overleg is gewijzigd. De leden krijgen bericht.'
			: 'Er was niets gewijzigd.'
	),
	cancel: onMeeting('cancel', reasonOf, async (event, meetingId, values) => {
		await cancelMeeting(event.locals.ctx, requireActor(event), parseId(event.params.id), meetingId, values, requestMeta(event));
		return 'Het overleg is afgezegd. De leden krijgen bericht.';
	}),
	afmelden: onMeeting('afmelden', reasonOf, async (event, meetingId, values) => {
		await sendAfmelding(event.locals.ctx, requireActor(event), parseId(event.params.id), meetingId, values, requestMeta(event));
		return 'U bent afgemeld. De voorzitter en de secretaris zien het.';
	}),
	aanwezig: onMeeting('aanwezig', () => ({}), async (event, meetingId) => {
		await withdrawAfmelding(event.locals.ctx, requireActor(event), parseId(event.params.id), meetingId, requestMeta(event));
		return 'Uw afmelding is ingetrokken: u komt.';
	})
};
