import { actionsExportResponse } from '$lib/server/actions/export-http';
import type { RequestHandler } from './$types';

/** The table's open actions (of the cases the reader may view) as CSV for Excel; audited. */
export const GET: RequestHandler = (event) => actionsExportResponse(event, 'tafel', 'csv');
