/**
 * Stable error codes for programs, Dutch messages for people. Every transport maps an AppError
 * once: SvelteKit `error()`/`fail()`, later a socket.io ack code or a document close code.
 */
export type ErrorCode =
	| 'UNAUTHENTICATED'
	| 'NOT_FOUND'
	| 'INVALID_INPUT'
	| 'THROTTLED'
	| 'CONFLICT'
	| 'ACCOUNT_DISABLED'
	/** a form body that cannot be read (request-body.ts) */
	| 'MALFORMED_BODY'
	/** a body over BODY_SIZE_LIMIT */
	| 'PAYLOAD_TOO_LARGE'
	/** a link to set a password that is past its time (account/links.ts) */
	| 'LINK_EXPIRED'
	/** a link to set a password that was used already */
	| 'LINK_USED'
	/** a link to set a password that never existed (or was replaced by a newer one) */
	| 'LINK_INVALID';

export class AppError extends Error {
	constructor(
		readonly code: ErrorCode,
		readonly userMessage: string,
		readonly fields: Record<string, string> = {}
	) {
		super(`${code}: ${userMessage}`);
	}
}

/** "Forbidden" and "does not exist" are the same answer, so probing reveals nothing. */
export const notFound = () =>
	new AppError('NOT_FOUND', 'Deze pagina bestaat niet of u hebt er geen toegang toe.');

export const invalidInput = (fields: Record<string, string>, message = 'Controleer de invoer.') =>
	new AppError('INVALID_INPUT', message, fields);

export const conflict = (message: string, fields: Record<string, string> = {}) =>
	new AppError('CONFLICT', message, fields);

export const httpStatus: Record<ErrorCode, number> = {
	UNAUTHENTICATED: 401,
	NOT_FOUND: 404,
	INVALID_INPUT: 400,
	THROTTLED: 429,
	CONFLICT: 409,
	ACCOUNT_DISABLED: 403,
	MALFORMED_BODY: 400,
	PAYLOAD_TOO_LARGE: 413,
	LINK_EXPIRED: 410,
	LINK_USED: 410,
	LINK_INVALID: 404
};
