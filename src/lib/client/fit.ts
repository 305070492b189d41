import type { Action } from 'svelte/action';

/**
 * Shrinks the type of a box that scrolls by itself until its content fits, down to `minScale`
 * of its own size: the shared screen's actions stay readable in full on a 1280×720 projector.
 * Below that the box scrolls (it is focusable for that). Fits again when the box changes size
 * or its content changes (an action added live in the meeting). A box that does not scroll by
 * itself (a narrow window, where the page scrolls) keeps its size.
 */
export const fitText: Action<HTMLElement, { minScale: number }> = (node, initial) => {
	let minScale = initial.minScale;
	let frame = 0;
	const fit = () => {
		frame = 0;
		node.style.fontSize = '';
		if (getComputedStyle(node).overflowY === 'visible') return;
		const base = parseFloat(getComputedStyle(node).fontSize);
		let size = base;
		while (node.scrollHeight > node.clientHeight + 1 && size * 0.95 >= base * minScale) {
			size *= 0.95;
			node.style.fontSize = `${size.toFixed(2)}px`;
		}
	};
	const schedule = () => {
		if (!frame) frame = requestAnimationFrame(fit);
	};
	const resize = new ResizeObserver(schedule);
	resize.observe(node);
	// our own style change is an attribute, not observed: no loop
	const mutations = new MutationObserver(schedule);
	mutations.observe(node, { childList: true, subtree: true, characterData: true });
	schedule();
	return {
		update(next) {
			minScale = next.minScale;
			schedule();
		},
		destroy() {
			if (frame) cancelAnimationFrame(frame);
			resize.disconnect();
			mutations.disconnect();
		}
	};
};
