import { actionsExportResponse } from '$lib/server/actions/export-http';
import type { RequestHandler } from './$types';

/** The table's open actions (of the cases the reader may view) as an Excel workbook; audited. */
export const GET: RequestHandler = (event) => actionsExportResponse(event, 'tafel', 'xlsx');
