import { json } from '@sveltejs/kit';
import { viewCase } from '$lib/server/cases/service';
import { AppError, httpStatus, notFound } from '$lib/server/errors';
import { requestMeta } from '$lib/server/http';
import type { RequestHandler } from './$types';

/**
 * JSON read of a case for programs. Unauthenticated: 401; no access or no such case: the
 * same 404 with the same body.
 */
export const GET: RequestHandler = async (event) => {
	const user = event.locals.user;
	if (!user) {
		return json({ ok: false, code: 'UNAUTHENTICATED', message: 'Log eerst in.' }, { status: 401 });
	}
	const actor = { userId: user.id, organisationId: user.organisationId, isAdmin: user.isAdmin };
	try {
		if (!/^[1-9][0-9]{0,15}$/.test(event.params.id)) throw notFound();
		const view = await viewCase(event.locals.ctx, actor, Number(event.params.id), requestMeta(event));
		const c = view.case;
		return json({
			ok: true,
			data: {
				id: c.id,
				code: c.code,
				title: c.title,
				status: c.status,
				table: { id: c.tableId, name: c.tableName },
				access: view.access
					.filter((a) => !a.withdrawn_at)
					.map((a) => ({ organisationId: a.organisation_id, organisation: a.organisationName, since: a.granted_at }))
			}
		});
	} catch (e) {
		if (e instanceof AppError) {
			return json({ ok: false, code: e.code, message: e.userMessage }, { status: httpStatus[e.code] });
		}
		throw e;
	}
};
