import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import type { Executor } from '../db/index';

/** The prev_hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields a row's hash covers, as stored. */
export interface ChainedFields {
	id: number;
	at: string;
	user_id: number | null;
	organisation_id: number | null;
	action: string;
	case_id: number | null;
	meeting_id: number | null;
	detail: string | null;
	ip: string | null;
	role: string | null;
}

/**
 * Hex SHA-256 over a canonical serialisation: a JSON array of the fields in a fixed order,
 * absent values as null, then the previous row's hash. Migration 0006 has a frozen copy.
 */
export function auditRowHash(row: ChainedFields, prevHash: string): string {
	const canonical = JSON.stringify([
		Number(row.id),
		row.at,
		row.user_id ?? null,
		row.organisation_id ?? null,
		row.action,
		row.case_id ?? null,
		row.meeting_id ?? null,
		row.detail ?? null,
		row.ip ?? null,
		row.role ?? null,
		prevHash
	]);
	return encodeHexLowerCase(sha256(new TextEncoder().encode(canonical)));
}

export type ChainResult = { ok: true; rows: number } | { ok: false; firstBrokenId: number; reason: string };

/**
 * Walks the whole log in id order and recomputes every hash. The first row whose stored
 * prev_hash is not its predecessor's hash, or whose hash does not match its content, is named.
 * A deleted row shows as the next row's prev_hash not matching.
 */
export async function verifyAuditChain(db: Executor, batch = 2000): Promise<ChainResult> {
	let prev = GENESIS_HASH;
	let after = 0;
	let rows = 0;
	for (;;) {
		const page = await db
			.selectFrom('audit_log')
			.select(['id', 'at', 'user_id', 'organisation_id', 'action', 'case_id', 'meeting_id', 'detail', 'ip', 'role', 'prev_hash', 'hash'])
			.where('id', '>', after)
			.orderBy('id')
			.limit(batch)
			.execute();
		if (page.length === 0) return { ok: true, rows };
		for (const row of page) {
			if (!row.hash || !row.prev_hash) return { ok: false, firstBrokenId: row.id, reason: 'row has no hash' };
			if (row.prev_hash !== prev) {
				return { ok: false, firstBrokenId: row.id, reason: 'prev_hash is not the hash of the row before it (a row was removed or changed)' };
			}
			if (auditRowHash(row, prev) !== row.hash) {
				return { ok: false, firstBrokenId: row.id, reason: 'content does not match its hash (the row was changed)' };
			}
			prev = row.hash;
			after = row.id;
			rows += 1;
		}
	}
}
