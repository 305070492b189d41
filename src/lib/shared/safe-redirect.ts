/** Only same-site paths may be a post-login target: "/x", never "//host" or "https://…". */
export function safeReturnPath(value: string | null | undefined): string {
	if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
	return value;
}
