import type { AppContext } from '../context';
import { createMailer, type Mailer } from '../mail/index';
import { onNotice } from './index';
import { scanReminders, startReminders, type ReminderScanner } from './reminders';

/**
 * The server's notification machinery beside the live push that server/realtime.ts registers:
 * e-mail for every new notification (when SMTP_URL is set) and the reminder scan. Start it
 * right after `attachRealtime`, before anything awaits, so the rebuild of the projection at
 * start-up is seen too.
 */
export interface NotificationService {
	mailer: Mailer | null;
	reminders: ReminderScanner;
	close(): Promise<void>;
}

export function startNotifications(ctx: AppContext, options: { publicUrl: () => string }): NotificationService {
	const mailer = createMailer(ctx, { publicUrl: () => ctx.config.publicUrl ?? options.publicUrl() });
	if (mailer) onNotice(ctx, (notice) => mailer.enqueue(notice.id));

	// After a fresh start the action rows appear only as the documents are projected: remind
	// for each case as it arrives, not only at the next timed scan.
	ctx.realtime?.projector.onActionsChanged(async (change) => {
		if (change.rebuild) await scanReminders(ctx, { caseId: change.caseId });
	});
	const reminders = startReminders(ctx, async () => {
		await mailer?.retryUnsent();
	});
	return {
		mailer,
		reminders,
		async close() {
			await reminders.stop();
			await mailer?.close();
		}
	};
}
