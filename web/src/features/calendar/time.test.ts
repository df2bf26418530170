import { describe, expect, it } from 'vitest';
import { createI18n } from '../../i18n';
import { buildRrule, clock, describeRule, wallTime, weeklyDays } from './time';

describe('wall times', () => {
  it('reads an instant on each zone’s clock, across Warsaw’s DST change', () => {
    const winter = new Date(Date.UTC(2026, 2, 27, 8, 0));
    const summer = new Date(Date.UTC(2026, 2, 30, 7, 0));
    expect(wallTime(winter, 'Europe/Warsaw')).toBe('2026-03-27T09:00:00');
    expect(wallTime(summer, 'Europe/Warsaw')).toBe('2026-03-30T09:00:00');
    expect(clock(summer, 'Asia/Shanghai')).toBe('15:00');
  });
});

describe('buildRrule', () => {
  it('builds the twice-weekly dispatch meeting and other choices', () => {
    expect(buildRrule('weekly', '2026-03-23T09:00:00', { days: [4, 1] })).toBe('FREQ=WEEKLY;BYDAY=MO,TH');
    expect(buildRrule('weekly', '2026-03-23T09:00:00')).toBe('FREQ=WEEKLY;BYDAY=MO');
    expect(buildRrule('weekly', '2026-03-23T09:00:00', { days: [4] })).toBe('FREQ=WEEKLY;BYDAY=MO,TH');
    expect(buildRrule('monthly_weekday', '2026-03-10T09:00:00')).toBe('FREQ=MONTHLY;BYDAY=2TU');
    expect(buildRrule('monthly_weekday', '2026-03-31T09:00:00')).toBe('FREQ=MONTHLY;BYDAY=-1TU');
    expect(buildRrule('daily', '2026-03-10T09:00:00', { count: 5 })).toBe('FREQ=DAILY;COUNT=5');
    expect(buildRrule('yearly', '2026-03-10T09:00:00', { until: '2030-01-01' })).toBe('FREQ=YEARLY;UNTIL=20300101');
    expect(buildRrule('none', '2026-03-10T09:00:00')).toBeNull();
    expect(weeklyDays('FREQ=WEEKLY;BYDAY=MO,TH')).toEqual([1, 4]);
  });
});

describe('describeRule', () => {
  it('puts the form’s rules in words in both languages, and leaves unusual ones alone', () => {
    const zh = createI18n('zh-CN').t;
    const en = createI18n('en-US').t;
    expect(describeRule('FREQ=WEEKLY;BYDAY=TH,MO', zh)).toBe('每周一、周四');
    expect(describeRule('FREQ=WEEKLY;BYDAY=MO,TH;COUNT=10', en)).toBe('Weekly on Mon, Thu, 10 times');
    expect(describeRule('FREQ=MONTHLY;BYDAY=2TU', zh)).toBe('每月第二个周二');
    expect(describeRule('FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20261231', en)).toBe('Monthly on the last Fri, until 2026-12-31');
    expect(describeRule('FREQ=DAILY;INTERVAL=3', en)).toBe('Every 3 days');
    expect(describeRule('FREQ=YEARLY', zh)).toBe('每年');
    expect(describeRule('FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO,TU,WE,TH,FR', zh)).toBeNull();
  });
});
