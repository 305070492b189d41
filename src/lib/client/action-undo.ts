import * as Y from 'yjs';
import { actionsOf, readActions, removeAction } from '../shared/documents';

/**
 * Deleting actions of a case document so that the deletion can be undone ("Ongedaan maken"):
 * a Yjs UndoManager on the actions that tracks only this client's own deletions (its own origin,
 * never the provider's), so undoing brings back what this person deleted and never reverts
 * what someone else did meanwhile. The restored action keeps its id and values.
 */
export class ActionDeletions {
	/** the origin of this client's deletions; nothing else carries it */
	private readonly origin = { kind: 'own action deletion' } as const;
	private readonly manager: Y.UndoManager;
	/** the text of the last deletion that can still be undone */
	lastDeleted: string | null = null;

	constructor(private readonly doc: Y.Doc) {
		this.manager = new Y.UndoManager(actionsOf(doc), { trackedOrigins: new Set([this.origin]), captureTimeout: 0 });
	}

	/** Deletes the action; returns its text, or null when it is not (any more) in the document. */
	remove(id: string): string | null {
		const action = readActions(this.doc).find((a) => a.id === id);
		if (!action) return null;
		this.doc.transact(() => removeAction(this.doc, id), this.origin);
		// each deletion its own step: undo brings back the last one only
		this.manager.stopCapturing();
		this.lastDeleted = action.text;
		return action.text;
	}

	/** Brings back the last deletion of this client; false when there is none. */
	undo(): boolean {
		const undone = this.manager.undo() !== null;
		if (undone) this.lastDeleted = null;
		return undone;
	}

	destroy(): void {
		this.manager.destroy();
	}
}
