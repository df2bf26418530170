/** Wall-clock helpers: the API speaks local times in an IANA zone ("2026-03-30T09:00:00" + tz). */

function parts(date: Date, timeZone: string): Record<string, string> {
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const out: Record<string, string> = {};
  for (const p of fmt.formatToParts(date)) out[p.type] = p.value;
  return out;
}

/** The wall time of an instant in `timeZone`, as the API wants it (no offset). */
export function wallTime(date: Date, timeZone: string): string {
  const p = parts(date, timeZone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`;
}

/** "2026-03-30 15:00" of an instant in `timeZone`. */
export function shortTime(date: Date | string, timeZone: string): string {
  const p = parts(typeof date === 'string' ? new Date(date) : date, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** "15:00" of an instant in `timeZone`. */
export function clock(date: Date | string, timeZone: string): string {
  const p = parts(typeof date === 'string' ? new Date(date) : date, timeZone);
  return `${p.hour}:${p.minute}`;
}

export type Repeat = 'none' | 'daily' | 'weekdays' | 'weekly' | 'monthly_date' | 'monthly_weekday' | 'yearly';
const DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

/**
 * An RRULE for the form's choices; `start` is the wall time of the first occurrence.
 * `days` are the weekly rule's weekdays (0 = Sunday); `until` a date (YYYY-MM-DD), inclusive.
 */
export function buildRrule(
  repeat: Repeat,
  start: string,
  options: { days?: number[]; interval?: number; count?: number | null; until?: string | null } = {},
): string | null {
  if (repeat === 'none') return null;
  const [y, m, d] = start.slice(0, 10).split('-').map(Number);
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  const rule: string[] = [];
  if (repeat === 'daily') rule.push('FREQ=DAILY');
  if (repeat === 'weekdays') rule.push('FREQ=WEEKLY', 'BYDAY=MO,TU,WE,TH,FR');
  if (repeat === 'weekly') {
    // The first occurrence is always one of the days (as in Google Calendar and Outlook).
    const days = [...new Set([weekday, ...(options.days ?? [])])].sort();
    rule.push('FREQ=WEEKLY', `BYDAY=${days.map((x) => DAYS[x]).join(',')}`);
  }
  if (repeat === 'monthly_date') rule.push('FREQ=MONTHLY', `BYMONTHDAY=${d}`);
  if (repeat === 'monthly_weekday') {
    const nth = Math.ceil(d / 7);
    rule.push('FREQ=MONTHLY', `BYDAY=${nth > 4 ? -1 : nth}${DAYS[weekday]}`);
  }
  if (repeat === 'yearly') rule.push('FREQ=YEARLY');
  if (options.interval && options.interval > 1) rule.push(`INTERVAL=${options.interval}`);
  if (options.count) rule.push(`COUNT=${options.count}`);
  else if (options.until) rule.push(`UNTIL=${options.until.replaceAll('-', '')}`);
  return rule.join(';');
}

/** Days of a weekly rule (0 = Sunday), or null when the rule is not a plain weekly one. */
export function weeklyDays(rrule: string | null | undefined): number[] | null {
  if (!rrule || !rrule.includes('FREQ=WEEKLY')) return null;
  const by = /BYDAY=([A-Z,]+)/.exec(rrule);
  if (!by) return null;
  return by[1].split(',').map((x) => DAYS.indexOf(x)).filter((x) => x >= 0);
}

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Shanghai';
}

export const COMMON_ZONES = [
  'Asia/Shanghai',
  'Asia/Hong_Kong',
  'Asia/Tokyo',
  'Asia/Singapore',
  'Europe/Warsaw',
  'Europe/Berlin',
  'Europe/London',
  'America/New_York',
  'America/Los_Angeles',
  'UTC',
];

type Translate = (key: string, options?: Record<string, unknown>) => string;

/**
 * A rule in words ("每周一、周四，共 10 次"), for the rules the form makes and the common imported
 * ones; null for anything else, which the caller shows as the RRULE itself.
 */
export function describeRule(rrule: string, t: Translate): string | null {
  const p = Object.fromEntries(rrule.split(';').map((kv) => kv.split('=') as [string, string]));
  const interval = Number(p.INTERVAL ?? '1');
  const known = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'COUNT', 'UNTIL', 'WKST']);
  if (Object.keys(p).some((k) => !known.has(k)) || !(interval >= 1)) return null;
  const day = (code: string) => {
    const i = DAYS.indexOf(code);
    return i < 0 ? null : t(`calendar.weekday.${i}`);
  };
  let text: string | null = null;
  if (p.FREQ === 'DAILY' && !p.BYDAY) text = interval > 1 ? t('calendar.rule.everyDays', { count: interval }) : t('calendar.rule.daily');
  if (p.FREQ === 'WEEKLY') {
    // Listed from Monday, as the calendar's weeks are.
    const codes = (p.BYDAY ?? '').split(',').filter(Boolean);
    const names = [1, 2, 3, 4, 5, 6, 0].filter((i) => codes.includes(DAYS[i])).map((i) => t(`calendar.weekday.${i}`));
    if (names.length === codes.length && names.length > 0) {
      const days = names.join(t('calendar.rule.sep'));
      text = interval > 1 ? t('calendar.rule.everyWeeks', { count: interval, days }) : t('calendar.rule.weekly', { days });
    }
  }
  if (p.FREQ === 'MONTHLY' && interval === 1) {
    const nth = /^(-1|[1-4])([A-Z]{2})$/.exec(p.BYDAY ?? '');
    if (p.BYMONTHDAY && !p.BYDAY && /^\d+$/.test(p.BYMONTHDAY)) text = t('calendar.rule.monthlyDate', { day: p.BYMONTHDAY });
    else if (nth && day(nth[2]) && !p.BYMONTHDAY) {
      text =
        nth[1] === '-1'
          ? t('calendar.rule.monthlyLast', { day: day(nth[2]) })
          : t('calendar.rule.monthlyNth', { nth: t(`calendar.rule.ordinal.${nth[1]}`), day: day(nth[2]) });
    }
  }
  if (p.FREQ === 'YEARLY' && interval === 1 && !p.BYDAY && !p.BYMONTHDAY) text = t('calendar.rule.yearly');
  if (text === null) return null;
  if (p.COUNT) text += t('calendar.rule.times', { count: Number(p.COUNT) });
  else if (p.UNTIL && /^\d{8}/.test(p.UNTIL)) {
    text += t('calendar.rule.until', { date: `${p.UNTIL.slice(0, 4)}-${p.UNTIL.slice(4, 6)}-${p.UNTIL.slice(6, 8)}` });
  }
  return text;
}
