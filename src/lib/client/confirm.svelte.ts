/**
 * A question the app's own dialog asks (ConfirmDialog.svelte) instead of the browser's
 * `confirm()`: `await confirmation.ask({...})` is true when the user confirmed, false when they
 * cancelled (button, Escape). A new question answers a pending one with false.
 */
export interface ConfirmRequest {
	title: string;
	message: string;
	/** the button that goes on, naming what it does ("Verwijderen", "Toch openen") */
	confirmLabel: string;
	cancelLabel?: string;
	/** the confirm button in the danger colour: the step cannot simply be taken back */
	danger?: boolean;
}

export class Confirmation {
	request = $state<ConfirmRequest | null>(null);
	private resolve: ((confirmed: boolean) => void) | null = null;

	ask(request: ConfirmRequest): Promise<boolean> {
		this.resolve?.(false);
		this.request = request;
		return new Promise((resolve) => (this.resolve = resolve));
	}

	answer(confirmed: boolean): void {
		const resolve = this.resolve;
		this.resolve = null;
		this.request = null;
		resolve?.(confirmed);
	}
}
