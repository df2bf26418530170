import { describe, expect, it } from 'vitest';
import { createI18n } from '../i18n';
import { cityName, describeLocalTime, describeWorkingHours, localTime, zoneOffsetMinutes } from './localTime';

// 2025-01-15 07:04 UTC: Shanghai 15:04 (+8), Warsaw 08:04 (+1), Kolkata 12:34 (+5:30).
const WINTER = new Date(Date.UTC(2025, 0, 15, 7, 4, 30));
// 2025-07-15: Warsaw is on summer time (+2).
const SUMMER = new Date(Date.UTC(2025, 6, 15, 7, 4, 0));

describe('zone offsets', () => {
  it('follows daylight saving time', () => {
    expect(zoneOffsetMinutes('Asia/Shanghai', WINTER)).toBe(480);
    expect(zoneOffsetMinutes('Europe/Warsaw', WINTER)).toBe(60);
    expect(zoneOffsetMinutes('Europe/Warsaw', SUMMER)).toBe(120);
    expect(zoneOffsetMinutes('America/New_York', WINTER)).toBe(-300);
    expect(zoneOffsetMinutes('Asia/Kolkata', WINTER)).toBe(330);
  });

  it('names cities in the reader’s language', () => {
    expect(cityName('Europe/Warsaw', 'zh-CN')).toBe('华沙');
    expect(cityName('Europe/Warsaw', 'en-US')).toBe('Warsaw');
    expect(cityName('America/Sao_Paulo', 'en-US')).toBe('Sao Paulo');
    expect(cityName('Antarctica/Troll', 'zh-CN')).toBe('Troll');
  });
});

describe('describeLocalTime', () => {
  const zh = createI18n('zh-CN');
  const en = createI18n('en-US');

  it('says how far behind a colleague is, in Chinese and English', () => {
    const zhInfo = localTime('Europe/Warsaw', WINTER, 'Asia/Shanghai', 'zh-CN');
    expect(zhInfo).toEqual({ city: '华沙', time: '08:04', diffMinutes: -420 });
    expect(describeLocalTime(zh.t, zhInfo)).toBe('华沙 08:04（比你晚 7 小时）');
    const enInfo = localTime('Europe/Warsaw', WINTER, 'Asia/Shanghai', 'en-US');
    expect(describeLocalTime(en.t, enInfo)).toBe('Warsaw 08:04 (7 hours behind you)');
  });

  it('handles ahead, one hour, half hours and the same zone', () => {
    expect(describeLocalTime(en.t, localTime('Asia/Shanghai', WINTER, 'Europe/Warsaw', 'en-US'))).toBe(
      'Shanghai 15:04 (7 hours ahead of you)',
    );
    expect(describeLocalTime(en.t, localTime('Asia/Tokyo', WINTER, 'Asia/Shanghai', 'en-US'))).toBe(
      'Tokyo 16:04 (1 hour ahead of you)',
    );
    expect(describeLocalTime(zh.t, localTime('Asia/Kolkata', WINTER, 'Asia/Shanghai', 'zh-CN'))).toBe(
      '加尔各答 12:34（比你晚 2 小时 30 分钟）',
    );
    expect(describeLocalTime(zh.t, localTime('Asia/Shanghai', WINTER, 'Asia/Shanghai', 'zh-CN'))).toBe(
      '上海 15:04（与你时间相同）',
    );
  });

  it('falls back to UTC for an unknown zone instead of throwing', () => {
    expect(localTime('Mars/Olympus', WINTER, 'UTC', 'en-US')).toEqual({ city: 'UTC', time: '07:04', diffMinutes: 0 });
  });
});

describe('describeWorkingHours', () => {
  it('shows a weekday range and the hours', () => {
    const en = createI18n('en-US');
    const zh = createI18n('zh-CN');
    const hours = { start: '09:00', end: '18:00', days: [1, 2, 3, 4, 5] };
    expect(describeWorkingHours(en.t, hours, 'en-US')).toBe('Mon–Fri 09:00–18:00');
    expect(describeWorkingHours(zh.t, hours, 'zh-CN')).toBe('周一至周五 09:00–18:00');
    expect(describeWorkingHours(en.t, { ...hours, days: [1, 3] }, 'en-US')).toBe('Mon, Wed 09:00–18:00');
  });
});
