import { notFound } from './errors';
import { toHttpError } from './http';

/** A route id must be a positive integer; anything else is "not found", like a missing row. */
export function parseId(raw: string): number {
	if (!/^[1-9][0-9]{0,15}$/.test(raw)) return toHttpError(notFound());
	return Number(raw);
}
