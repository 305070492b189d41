import { actionsExportResponse } from '$lib/server/actions/export-http';
import type { RequestHandler } from './$types';

/** Mijn acties as an Excel workbook, with the page's filters; audited. */
export const GET: RequestHandler = (event) => actionsExportResponse(event, 'mijn', 'xlsx');
