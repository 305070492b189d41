import { dateInNetherlands, isCalendarDate } from '../../shared/format';
import type { AppContext } from '../context';
import { mayHoldAction } from '../policy/index';
import { notify } from './index';

/**
 * Reminders for actiehouders: an open or ongoing action whose deadline is near (within
 * `reminderDaysBefore` Dutch calendar days) or has passed. A plain query over the projected
 * action rows, run every `reminderIntervalMinutes` and once at start; each reminder is sent once
 * per action, kind, deadline and person (moving the deadline earns a new reminder).
 */

/** The calendar date in the Netherlands, YYYY-MM-DD. */
export const dutchDay = dateInNetherlands;

/** Whole days from `from` to `to`, both YYYY-MM-DD. */
export function daysBetween(from: string, to: string): number {
	return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export function addDays(day: string, days: number): string {
	const d = new Date(`${day}T00:00:00Z`);
	d.setUTCDate(d.getUTCDate() + days);
	return d.toISOString().slice(0, 10);
}

function whenInWords(days: number): string {
	if (days === 0) return 'vandaag';
	if (days === 1) return 'morgen';
	return `over ${days} dagen`;
}

export interface ScanResult {
	/** notifications sent in this scan (not the ones sent before) */
	sent: number;
}

/** One pass over the actions (of one case, or all); safe to run as often as one likes. */
export async function scanReminders(ctx: AppContext, options: { caseId?: number } = {}): Promise<ScanResult> {
	const today = dutchDay(ctx.now());
	const horizon = addDays(today, ctx.config.reminderDaysBefore);
	let query = ctx.db
		.selectFrom('action_rows as a')
		.innerJoin('cases as c', 'c.id', 'a.case_id')
		.innerJoin('users as u', 'u.id', 'a.actiehouder_id')
		.select(['a.case_id', 'a.action_id', 'a.actiehouder_id', 'a.deadline', 'c.code'])
		.where('a.status', 'in', ['open', 'bezig'])
		.where('a.deadline', '!=', '')
		.where('a.deadline', '<=', horizon)
		.where('u.disabled_at', 'is', null)
		.where('c.status', '!=', 'afgesloten');
	if (options.caseId !== undefined) query = query.where('a.case_id', '=', options.caseId);
	const rows = await query.orderBy('a.deadline').execute();
	let sent = 0;
	for (const r of rows) {
		if (r.actiehouder_id === null || !isCalendarDate(r.deadline)) continue;
		// the policy's actiehouder rule: someone a writer named without access is not reminded
		if (!(await mayHoldAction(ctx.db, r.actiehouder_id, r.case_id))) continue;
		const days = daysBetween(today, r.deadline);
		const overdue = days < 0;
		const notice = await notify(ctx, {
			userId: r.actiehouder_id,
			kind: overdue ? 'action.overdue' : 'action.deadline_near',
			dedupeKey: `action:${r.case_id}:${r.action_id}:${overdue ? 'overdue' : 'deadline_near'}:${r.deadline}`,
			caseId: r.case_id,
			actionId: r.action_id,
			text: overdue
				? `De deadline van uw actie bij ${r.code} is verstreken.`
				: `De deadline van uw actie bij ${r.code} is ${whenInWords(days)}.`,
			link: '/acties'
		});
		if (notice) sent++;
	}
	return { sent };
}

export interface ReminderScanner {
	/** runs a scan now (also what the timer does); resolves when it is done */
	scan(): Promise<ScanResult>;
	stop(): Promise<void>;
}

/**
 * Scans once now and then every interval; `afterEach` runs after every timed scan (the mailer's
 * retry of unsent e-mails). Scans never overlap.
 */
export function startReminders(ctx: AppContext, afterEach?: () => Promise<void>): ReminderScanner {
	let running: Promise<ScanResult> = Promise.resolve({ sent: 0 });
	let stopped = false;
	const scan = () => {
		running = running
			.catch(() => ({ sent: 0 }))
			.then(async () => {
				if (stopped) return { sent: 0 };
				try {
					return await scanReminders(ctx);
				} catch (err) {
					ctx.log.error({ err }, 'reminder scan failed');
					return { sent: 0 };
				}
			});
		return running;
	};
	const tick = () => {
		void scan().then(async () => {
			if (stopped || !afterEach) return;
			await afterEach().catch((err) => ctx.log.error({ err }, 'after the reminder scan'));
		});
	};
	const timer = setInterval(tick, Math.max(1_000, ctx.config.reminderIntervalMinutes * 60_000));
	timer.unref();
	tick();
	return {
		scan,
		async stop() {
			stopped = true;
			clearInterval(timer);
			await running.catch(() => undefined);
		}
	};
}
