import { Grid } from 'antd';

/** Phones and narrow tablets: below antd's `md` breakpoint (768 px). */
export function useIsMobile(): boolean {
  const screens = Grid.useBreakpoint();
  // Before the first measurement every breakpoint is undefined; assume a desktop then.
  return screens.md === false;
}
