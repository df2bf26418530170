import type { TFunction } from 'i18next';
import type { WorkingHours } from '../api/types';

// Chinese names for the zones people in a Chinese organisation meet most; others fall back to
// the English city of the IANA name ("America/Sao_Paulo" → "Sao Paulo").
const ZH_CITY: Record<string, string> = {
  'Asia/Shanghai': '上海',
  'Asia/Chongqing': '重庆',
  'Asia/Urumqi': '乌鲁木齐',
  'Asia/Hong_Kong': '香港',
  'Asia/Macau': '澳门',
  'Asia/Taipei': '台北',
  'Asia/Tokyo': '东京',
  'Asia/Seoul': '首尔',
  'Asia/Singapore': '新加坡',
  'Asia/Bangkok': '曼谷',
  'Asia/Kolkata': '加尔各答',
  'Asia/Dubai': '迪拜',
  'Europe/London': '伦敦',
  'Europe/Paris': '巴黎',
  'Europe/Berlin': '柏林',
  'Europe/Warsaw': '华沙',
  'Europe/Moscow': '莫斯科',
  'Europe/Madrid': '马德里',
  'Europe/Rome': '罗马',
  'America/New_York': '纽约',
  'America/Chicago': '芝加哥',
  'America/Los_Angeles': '洛杉矶',
  'America/Sao_Paulo': '圣保罗',
  'Australia/Sydney': '悉尼',
  'Pacific/Auckland': '奥克兰',
  'Africa/Cairo': '开罗',
  'Africa/Nairobi': '内罗毕',
  UTC: 'UTC',
};

export function cityName(zone: string, lang: string): string {
  if (lang.startsWith('zh') && ZH_CITY[zone]) return ZH_CITY[zone];
  const last = zone.split('/').pop() ?? zone;
  return last.replace(/_/g, ' ');
}

export function isValidZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Minutes east of UTC for `zone` at `date` (Warsaw in winter: 60). */
export function zoneOffsetMinutes(zone: string, date: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(date);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const whole = Math.floor(date.getTime() / 1000) * 1000;
  return Math.round((asUtc - whole) / 60000);
}

export function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export interface LocalTime {
  city: string;
  time: string;
  /** Their offset minus mine, in minutes: negative when they are behind me. */
  diffMinutes: number;
}

export function localTime(zone: string, now: Date, myZone: string, lang: string): LocalTime {
  const safeZone = isValidZone(zone) ? zone : 'UTC';
  const time = new Intl.DateTimeFormat(lang, {
    timeZone: safeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(now);
  const diffMinutes = zoneOffsetMinutes(safeZone, now) - zoneOffsetMinutes(isValidZone(myZone) ? myZone : 'UTC', now);
  return { city: cityName(safeZone, lang), time, diffMinutes };
}

/** "华沙 15:04（比你晚 7 小时）" / "Warsaw 15:04 (7 hours behind you)". */
export function describeLocalTime(t: TFunction, info: LocalTime): string {
  const abs = Math.abs(info.diffMinutes);
  const hours = Math.floor(abs / 60);
  const minutes = abs % 60;
  let relation: string;
  if (abs === 0) {
    relation = t('localTime.same');
  } else {
    const amount =
      minutes === 0
        ? t('localTime.hours', { count: hours })
        : hours === 0
          ? t('localTime.minutes', { count: minutes })
          : t('localTime.hoursMinutes', { hours, minutes });
    relation = info.diffMinutes < 0 ? t('localTime.behind', { amount }) : t('localTime.ahead', { amount });
  }
  return t('localTime.format', { city: info.city, time: info.time, relation });
}

/** "周一至周五 09:00–18:00" / "Mon–Fri 09:00–18:00". Days are ISO numbers, 1 = Monday. */
export function describeWorkingHours(t: TFunction, hours: WorkingHours, lang: string): string {
  const fmt = new Intl.DateTimeFormat(lang, { weekday: 'short', timeZone: 'UTC' });
  // 2024-01-01 was a Monday.
  const dayName = (iso: number) => fmt.format(new Date(Date.UTC(2024, 0, iso)));
  const days = [...new Set(hours.days)].filter((d) => d >= 1 && d <= 7).sort((a, b) => a - b);
  let dayText = '';
  if (days.length > 0) {
    const contiguous = days.every((d, i) => i === 0 || d === days[i - 1] + 1);
    dayText =
      contiguous && days.length > 2
        ? t('localTime.dayRange', { from: dayName(days[0]), to: dayName(days[days.length - 1]) })
        : days.map(dayName).join(t('localTime.daySeparator'));
  }
  return t('localTime.workingHours', { days: dayText, start: hours.start, end: hours.end }).trim();
}
