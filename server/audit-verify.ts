import { openDatabase } from '../src/lib/server/db/index';
import { verifyAuditChain } from '../src/lib/server/audit/chain';

/**
 * `npm run audit:verify`: recomputes the audit log's hash chain of the database in
 * DATABASE_URL. Exit 0 when intact; exit 1 naming the first broken row.
 */
const url = process.env.DATABASE_URL ?? 'data/casustafel.sqlite';
const db = openDatabase(url);
try {
	const result = await verifyAuditChain(db);
	if (result.ok) {
		console.log(`audit log intact: ${result.rows} rows, chain verified`);
	} else {
		console.error(`audit log BROKEN at row ${result.firstBrokenId}: ${result.reason}`);
		process.exitCode = 1;
	}
} catch (error) {
	console.error(`audit log could not be verified: ${String(error)}`);
	process.exitCode = 2;
} finally {
	await db.destroy();
}
