// Where to go after signing in: only a path on this site. "//evil.example", "/\evil",
// absolute URLs and the auth pages themselves fall back to the home page.
export function safeNextPath(value: string | null | undefined, fallback = '/'): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  if (/[\u0000-\u001f\u007f]/.test(value)) return fallback;
  try {
    const base = 'http://optiscope.invalid';
    const url = new URL(value, base);
    if (url.origin !== base) return fallback;
    if (url.pathname.startsWith('/auth/') || url.pathname === '/sign-in') return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return fallback;
  }
}
