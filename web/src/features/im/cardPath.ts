/** Card links are in-app paths (`/approvals/12`); anything else is shown without a link. */
export function safeCardPath(link: string): string | null {
  return /^\/(?!\/)[^\s\\]*$/.test(link) ? link : null;
}

