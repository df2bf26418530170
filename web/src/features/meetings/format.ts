/** Times in the meeting's own zone: the door, the screen and the poster all read the same clock. */
export function meetingTime(iso: string, zone: string, lang: string, withDate = true): string {
  const options: Intl.DateTimeFormatOptions = withDate
    ? { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }
    : { hour: '2-digit', minute: '2-digit', hour12: false };
  try {
    return new Intl.DateTimeFormat(lang, { ...options, timeZone: zone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(lang, options).format(new Date(iso));
  }
}

export function meetingSpan(start: string, end: string, zone: string, lang: string): string {
  return `${meetingTime(start, zone, lang)} – ${meetingTime(end, zone, lang, false)}`;
}
