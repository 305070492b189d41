import type { Logger } from 'pino';

/**
 * Process-wide last resorts (issue 12 item 1). Every client-facing path has its own guard;
 * these catch what a bug lets through.
 *
 * - An unhandled promise rejection is logged at error level with its stack and never ends the
 *   process (Node 15+ would end it). A rejected promise is one failed task (a presence
 *   broadcast, a notice to a socket that has gone): the process state is as it was before, and
 *   ending the process would end every meeting in progress for everyone.
 * - An uncaught exception is logged at fatal level, then the process shuts down in order
 *   (stop accepting, close connections, flush, close the database) and exits with code 1, for
 *   the supervisor (systemd Restart=always) to start a clean one. A synchronous throw that
 *   reached the event loop left whatever it was doing half done (a document half applied, a
 *   transaction open on the one SQLite connection); going on could store or serve wrong data,
 *   which is worse than a restart of a few seconds that the clients reconnect through.
 */
export interface ProcessGuards {
	remove(): void;
}

export function installProcessGuards(log: Logger, shutdown: (reason: string) => Promise<void>): ProcessGuards {
	let rejections = 0;
	const onRejection = (reason: unknown) => {
		rejections += 1;
		log.error(
			{ err: reason instanceof Error ? reason : new Error(String(reason)), kind: 'unhandledRejection', count: rejections },
			'unhandled promise rejection (logged; the process keeps running)'
		);
	};
	let fatal = false;
	const onException = (err: Error, origin: string) => {
		log.fatal({ err, kind: origin }, 'uncaught exception: shutting down for the supervisor to restart');
		if (fatal) return;
		fatal = true;
		// an exit even when the orderly shutdown hangs or throws
		setTimeout(() => process.exit(1), 5_000).unref();
		shutdown('uncaughtException').then(
			() => process.exit(1),
			() => process.exit(1)
		);
	};
	process.on('unhandledRejection', onRejection);
	process.on('uncaughtException', onException);
	return {
		remove() {
			process.off('unhandledRejection', onRejection);
			process.off('uncaughtException', onException);
		}
	};
}
