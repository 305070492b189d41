/**
 * The one function that turns a user-given return path (`?terug=…`) into a redirect target.
 * Only a plain path on this site passes; anything else becomes the home page.
 *
 * Refused, in the value as given and after percent-decoding it up to three times (so %2f,
 * %5c and double encodings like %252f count as what they decode to):
 * - anything that does not start with a single "/" ("//host", "/\host", "https:", "javascript:");
 * - backslashes and control characters anywhere (browsers drop or rewrite them: "/\t/host");
 * - "//" anywhere in the path, and dot segments ("/./", "/../"): a path like "/..//host"
 *   normalises to "//host", which a browser reads as another site;
 * - a path that cannot be decoded.
 * Last, the result is resolved against a placeholder origin and must stay on it, and the
 * string handed out must itself resolve to the same URL (no normalisation left for the browser).
 */
const BASE = 'http://casustafel.invalid';
const MAX_DECODES = 3;
// C0 and C1 control characters, DEL, and the Unicode line and paragraph separators
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const DOT_SEGMENT = /(^|\/)\.{1,2}(\/|$)/;

/** The value and its percent-decodings, until nothing changes; null when a layer does not decode. */
function layers(value: string): string[] | null {
	const out = [value];
	for (let i = 0; i <= MAX_DECODES; i++) {
		const next = decodeURIComponentSafe(out[out.length - 1]!);
		if (next === null) return null;
		if (next === out[out.length - 1]) return out;
		out.push(next);
	}
	// still changing after three decodings: nobody writes a path like that
	return null;
}

function decodeURIComponentSafe(value: string): string | null {
	try {
		return decodeURIComponent(value);
	} catch {
		return null;
	}
}

function pathIsPlain(path: string): boolean {
	const decoded = layers(path);
	if (!decoded) return false;
	return decoded.every((p) => p.startsWith('/') && !p.includes('//') && !p.includes('\\') && !CONTROL.test(p) && !DOT_SEGMENT.test(p));
}

/** The query and fragment may carry encoded text; only refuse what a browser would drop or rewrite. */
function restIsPlain(rest: string): boolean {
	if (rest.includes('\\') || CONTROL.test(rest)) return false;
	const once = decodeURIComponentSafe(rest.replaceAll('+', ' '));
	return once === null || (!once.includes('\\') && !CONTROL.test(once));
}

export function safeReturnPath(value: string | null | undefined): string {
	if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return '/';
	const cut = value.search(/[?#]/);
	const path = cut === -1 ? value : value.slice(0, cut);
	const rest = cut === -1 ? '' : value.slice(cut);
	if (!pathIsPlain(path) || !restIsPlain(rest)) return '/';
	try {
		const url = new URL(value, BASE);
		if (url.origin !== BASE) return '/';
		const target = url.pathname + url.search + url.hash;
		if (!target.startsWith('/') || target.startsWith('//') || target.startsWith('/\\')) return '/';
		// the target as the browser will read it must be the same URL, on the same site
		const again = new URL(target, BASE);
		if (again.origin !== BASE || again.href !== url.href) return '/';
		return target;
	} catch {
		return '/';
	}
}
