import { isApiError } from '../../api/client';

/** The most specific message an error carries: a field's, else the error's own. */
export function errorText(e: unknown): string {
  if (isApiError(e)) return e.fields[0]?.message ?? e.message;
  return e instanceof Error ? e.message : String(e);
}
