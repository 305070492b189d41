import type { AppContext } from '$lib/server/context';
import type { Session, SessionUser } from '$lib/server/auth/session';

declare global {
	namespace App {
		interface Error {
			message: string;
			code?: string;
			id?: string;
		}
		interface Locals {
			ctx: AppContext;
			user: SessionUser | null;
			session: Session | null;
		}
	}
}

export {};
