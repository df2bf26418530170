import { Grid } from 'antd';

const PHONE_QUERY = '(max-width: 767.98px)';

/** Phone layout (below antd's `md`, 768 px), known on the very first render.
 *
 * The shell's useIsMobile reports "desktop" until antd has measured, which for the calendar
 * means FullCalendar is created with the week grid and keeps it (`initialView` is read once).
 * Before the measurement arrives, ask the media query synchronously instead. */
export function usePhoneLayout(): boolean {
  const screens = Grid.useBreakpoint();
  if (screens.md !== undefined) return !screens.md;
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia(PHONE_QUERY).matches;
}
