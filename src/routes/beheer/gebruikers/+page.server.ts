import { redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { endAllSessionsOf } from '$lib/server/account/service';
import { adminOverview, setUserDisabled } from '$lib/server/admin/service';
import { inviteUser, resendInvitation, sendResetLink } from '$lib/server/account/invitations';
import { endAllSessions } from '$lib/server/auth/revoke';
import { clearSessionCookie, loadOrError, requestMeta } from '$lib/server/http';
import { failure, formValues, invalid, requireAdminActor } from '../beheer.server';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const actor = await requireAdminActor(event);
	const { users, organisations } = await loadOrError(() => adminOverview(event.locals.ctx, actor));
	return {
		users: users.map((u) => ({
			id: u.id,
			name: u.name,
			email: u.email,
			organisationName: u.organisationName,
			isAdmin: Boolean(u.is_admin),
			disabledAt: u.disabled_at,
			invitedAt: u.invited_at,
			isSelf: u.id === actor.userId
		})),
		organisations: organisations.map((o) => ({ id: o.id, name: o.name }))
	};
};

const GONE = 'Deze gebruiker bestaat niet (meer).';
const UserId = z.coerce.number({ error: GONE }).int().positive(GONE);

const CreateForm = z.object({
	name: z
		.string({ error: 'Vul de naam in.' })
		.trim()
		.min(2, 'Vul de voor- en achternaam in (minstens 2 tekens).')
		.max(120, 'Gebruik voor de naam hoogstens 120 tekens.'),
	email: z
		.string({ error: 'Vul een e-mailadres in.' })
		.trim()
		.min(1, 'Vul een e-mailadres in.')
		.max(254, 'Dit e-mailadres is te lang.')
		.pipe(z.email('Vul een geldig e-mailadres in, zoals naam@organisatie.nl.')),
	organisationId: z.coerce.number({ error: 'Kies een organisatie.' }).int().positive('Kies een organisatie.'),
	isAdmin: z
		.string()
		.optional()
		.transform((v) => v !== undefined)
});

const UserForm = z.object({ userId: UserId });

/** "7 dagen", "48 uur": how long an invitation works, for the beheerder's confirmation. */
function validFor(hours: number): string {
	if (hours % 24 === 0) return hours === 24 ? '1 dag' : `${hours / 24} dagen`;
	return `${hours} uur`;
}

/** Ending your own sessions logs you out: go to the login page instead of a page that fails. */
function loggedOutSelf(event: Parameters<Actions[string]>[0]): never {
	clearSessionCookie(event.cookies);
	redirect(303, '/login?verlopen');
}

export const actions: Actions = {
	create: async (event) => {
		const actor = await requireAdminActor(event);
		const values = formValues(await event.request.formData());
		const parsed = CreateForm.safeParse(values);
		if (!parsed.success) return invalid('create', parsed.error.issues, values);
		let invited;
		try {
			invited = await inviteUser(event.locals.ctx, actor, parsed.data, requestMeta(event));
		} catch (e) {
			return failure('create', e, values);
		}
		return {
			action: 'create',
			success: invited.mailed
				? `${parsed.data.name} is uitgenodigd. Er is een e-mail gestuurd naar ${parsed.data.email.trim().toLowerCase()} met een link om zelf een wachtwoord te kiezen; de link is ${validFor(event.locals.ctx.config.inviteValidHours)} geldig.`
				: `${parsed.data.name} is toegevoegd, maar e-mail staat uit op deze server (SMTP_URL): de uitnodiging is niet verstuurd.`
		};
	},

	/** A new invitation link for a user who has not chosen a password yet. */
	resendInvite: async (event) => {
		const actor = await requireAdminActor(event);
		const values = formValues(await event.request.formData());
		const parsed = UserForm.safeParse(values);
		if (!parsed.success) return invalid('resendInvite', parsed.error.issues, values, GONE);
		let sent;
		try {
			sent = await resendInvitation(event.locals.ctx, actor, parsed.data.userId, requestMeta(event));
		} catch (e) {
			return failure('resendInvite', e, values, GONE);
		}
		return {
			action: 'resendInvite',
			success: sent.mailed ? 'Er is een nieuwe uitnodiging gestuurd; de vorige link werkt niet meer.' : 'E-mail staat uit op deze server (SMTP_URL): de uitnodiging is niet verstuurd.',
			userId: parsed.data.userId
		};
	},

	block: async (event) => {
		const actor = await requireAdminActor(event);
		const values = formValues(await event.request.formData());
		const parsed = UserForm.safeParse(values);
		if (!parsed.success) return invalid('block', parsed.error.issues, values, GONE);
		try {
			await setUserDisabled(event.locals.ctx, actor, parsed.data.userId, true, requestMeta(event));
		} catch (e) {
			return failure('block', e, values, GONE);
		}
		return { action: 'block', success: 'De gebruiker is geblokkeerd en overal uitgelogd.', userId: parsed.data.userId };
	},

	unblock: async (event) => {
		const actor = await requireAdminActor(event);
		const values = formValues(await event.request.formData());
		const parsed = UserForm.safeParse(values);
		if (!parsed.success) return invalid('unblock', parsed.error.issues, values, GONE);
		try {
			await setUserDisabled(event.locals.ctx, actor, parsed.data.userId, false, requestMeta(event));
		} catch (e) {
			return failure('unblock', e, values, GONE);
		}
		return { action: 'unblock', success: 'De gebruiker is gedeblokkeerd en kan weer inloggen.', userId: parsed.data.userId };
	},

	/** A link to choose a new password, mailed to the user; the beheerder never sees a password. */
	sendResetLink: async (event) => {
		const actor = await requireAdminActor(event);
		const values = formValues(await event.request.formData());
		const parsed = UserForm.safeParse(values);
		if (!parsed.success) return invalid('sendResetLink', parsed.error.issues, values, GONE);
		let sent;
		try {
			sent = await sendResetLink(event.locals.ctx, actor, parsed.data.userId, requestMeta(event));
		} catch (e) {
			return failure('sendResetLink', e, values, GONE);
		}
		return {
			action: 'sendResetLink',
			success: sent.mailed ? 'Er is een e-mail gestuurd met een link om een nieuw wachtwoord te kiezen.' : 'E-mail staat uit op deze server (SMTP_URL): de link is niet verstuurd.',
			mailed: sent.mailed,
			userId: parsed.data.userId
		};
	},

	/** Every session of every user ends (ASVS 7.4.5), except the one making the request. */
	endAllSessions: async (event) => {
		const actor = await requireAdminActor(event);
		const values = formValues(await event.request.formData());
		if (values.bevestig !== 'ja') {
			return invalid(
				'endAllSessions',
				[{ path: ['bevestig'], message: 'Vink dit aan om alle sessies te beëindigen.' }],
				values,
				'Vink aan dat iedereen opnieuw moet inloggen, en probeer het opnieuw.'
			);
		}
		let ended: number;
		try {
			ended = await endAllSessions(event.locals.ctx, actor, event.locals.session!.id, requestMeta(event));
		} catch (e) {
			return failure('endAllSessions', e, values);
		}
		return {
			action: 'endAllSessions' as const,
			success:
				ended === 0
					? 'Er was verder niemand ingelogd.'
					: `Iedereen is uitgelogd (${ended === 1 ? 'één sessie' : `${ended} sessies`} beëindigd). Alleen uw eigen sessie loopt nog.`,
			ended
		};
	},

	endSessions: async (event) => {
		const actor = await requireAdminActor(event);
		const values = formValues(await event.request.formData());
		const parsed = UserForm.safeParse(values);
		if (!parsed.success) return invalid('endSessions', parsed.error.issues, values, GONE);
		let ended: number;
		try {
			ended = await endAllSessionsOf(event.locals.ctx, actor, parsed.data.userId, requestMeta(event));
		} catch (e) {
			return failure('endSessions', e, values, GONE);
		}
		if (parsed.data.userId === actor.userId) loggedOutSelf(event);
		return {
			action: 'endSessions',
			success:
				ended === 0
					? 'De gebruiker was nergens ingelogd.'
					: `De gebruiker is overal uitgelogd (${ended === 1 ? 'één sessie' : `${ended} sessies`} beëindigd).`,
			ended,
			userId: parsed.data.userId
		};
	}
};
