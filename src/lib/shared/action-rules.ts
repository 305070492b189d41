import type { TableRole } from './roles';

/**
 * Who may delete an action of a case, besides being allowed to edit the case at all: the
 * organisation of its actiehouder (the organisation the case document names next to the
 * actiehouder), and the voorzitter of the table. An action that nobody holds yet may be deleted
 * by every writer. One rule for both sides: the policy's 'action.delete' (server, the document
 * hub's check) and the delete button of the actions table (browser).
 */
export function mayDeleteActionOf(
	deleter: { tableRole: TableRole | null; organisationId: number },
	actionOrganisationId: number | null
): boolean {
	return deleter.tableRole === 'voorzitter' || actionOrganisationId === null || actionOrganisationId === deleter.organisationId;
}

/** The organisation id an action's `organisationId` value stands for: a number, or nobody. */
export function actionOrganisationOf(value: unknown): number | null {
	return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
