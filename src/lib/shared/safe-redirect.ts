/**
 * Only a path on this site may be a post-login target. Parsing against a placeholder origin
 * catches every trick browsers normalise away ("//host", "/\host", "/<TAB>/host", control
 * characters): if the result leaves the placeholder origin, it is refused.
 */
export function safeReturnPath(value: string | null | undefined): string {
	if (!value || !value.startsWith('/') || /[\u0000-\u001f\u007f\\]/.test(value)) return '/';
	try {
		const base = 'http://casustafel.invalid';
		const url = new URL(value, base);
		if (url.origin !== base) return '/';
		return url.pathname + url.search + url.hash;
	} catch {
		return '/';
	}
}
