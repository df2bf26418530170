import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { browserZone, describeLocalTime, localTime } from '../../lib/localTime';

/** Their wall-clock time now, refreshed each minute, and how far it is from mine. */
export function LocalTimeText({ zone }: { zone: string }) {
  const { t, i18n } = useTranslation();
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    // Tick on the minute boundary so the clock never shows a stale minute for long.
    let interval: ReturnType<typeof setInterval> | undefined;
    const first = setTimeout(
      () => {
        setNow(new Date());
        interval = setInterval(() => setNow(new Date()), 60_000);
      },
      60_000 - (Date.now() % 60_000),
    );
    return () => {
      clearTimeout(first);
      if (interval) clearInterval(interval);
    };
  }, []);
  return <span data-testid="local-time">{describeLocalTime(t, localTime(zone, now, browserZone(), i18n.language))}</span>;
}
