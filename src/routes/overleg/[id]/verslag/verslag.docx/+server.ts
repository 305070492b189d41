import { verslagResponse } from '$lib/server/verslag/http';
import type { RequestHandler } from './$types';

/** The verslag as Word document, with only the cases the reader may view; audited. */
export const GET: RequestHandler = (event) => verslagResponse(event, 'docx');
