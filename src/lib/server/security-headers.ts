/**
 * The security headers every response carries: pages, form answers, feeds, files under
 * `/_app/`, socket.io's polling answers and the server's own error answers alike. One list,
 * used by server/index.ts (every response of the process, before anything else runs) and by
 * hooks.server.ts (so `npm run dev`, which has no server/index.ts, sends them on pages too).
 *
 * The Content-Security-Policy of pages comes from SvelteKit (svelte.config.js, with a nonce
 * per page); it is not part of this list, so a PDF or a feed is not held to a page's policy.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'same-origin',
	'x-frame-options': 'DENY',
	'permissions-policy': 'camera=(), microphone=(), geolocation=()',
	'cross-origin-opener-policy': 'same-origin',
	'cross-origin-resource-policy': 'same-origin'
});

/** Sets the headers on a Node response before it is written; what the handler sets later wins. */
export function setSecurityHeaders(res: { setHeader(name: string, value: string): unknown }): void {
	for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}

/** The same headers on a Fetch API `Headers`, for SvelteKit's responses. */
export function applySecurityHeaders(headers: Headers): void {
	for (const [name, value] of Object.entries(SECURITY_HEADERS)) headers.set(name, value);
}

/** The raw header lines for an answer written straight to a socket (a request Node could not parse). */
export function securityHeaderLines(): string {
	return Object.entries(SECURITY_HEADERS)
		.map(([name, value]) => `${name}: ${value}\r\n`)
		.join('');
}
