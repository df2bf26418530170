/** Only same-site paths may be returned to after sign-in ("//evil.example" is another site). */
export function safeNext(next: string | null, fallback = '/org'): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  if (next.startsWith('/login')) return fallback;
  return next;
}
