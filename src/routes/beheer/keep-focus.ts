import { tick } from 'svelte';
import type { SubmitFunction } from '@sveltejs/kit';

/**
 * `use:enhance={keepFocus()}` for the buttons in a table row (block, change role, ...).
 * After a successful action SvelteKit moves focus to the top of the page, as after a page
 * load; in a long table that loses the keyboard user's place. This puts focus back on the
 * button that was pressed (matched by its id) or, when that button is gone or hidden (a
 * removed row), on `fallbackId`: the message that says what happened.
 */
export function keepFocus(fallbackId?: string): SubmitFunction {
	return ({ submitter }) => {
		const id = submitter?.id;
		return async ({ update }) => {
			await update();
			await tick();
			for (const candidate of [id, fallbackId]) {
				const el = candidate ? document.getElementById(candidate) : null;
				el?.focus();
				if (el && document.activeElement === el) return;
			}
		};
	};
}
