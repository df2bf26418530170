import { useMutation } from '@tanstack/react-query';
import { Button, Drawer, Empty, Form, Input, Select, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import { useIsMobile } from '../../shell/useIsMobile';
import { PeopleMultiSelect } from '../im/PeopleMultiSelect';
import { calendarApi } from './api';
import type { EventDraft } from './EventFormModal';
import { clock, shortTime, wallTime } from './time';
import type { AssistantRead } from './types';

interface Values {
  people: number[];
  duration: number;
  from: string;
  days: number;
}

function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** 时区助手: times when everyone is free and at work, each shown on its own clock. */
export function AssistantDrawer({
  zone,
  myId,
  onClose,
  onPick,
}: {
  zone: string;
  myId: number;
  onClose: () => void;
  onPick: (draft: Omit<EventDraft, 'tz'>) => void;
}) {
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  const [form] = Form.useForm<Values>();
  const find = useMutation({
    mutationFn: (v: Values) => {
      const start = new Date(`${v.from}T00:00:00Z`);
      const end = new Date(start.getTime() + v.days * 86_400_000);
      return calendarApi.assistant({
        person_ids: [myId, ...v.people.filter((p) => p !== myId)],
        duration_minutes: v.duration,
        start: start.toISOString(),
        end: end.toISOString(),
        limit: 30,
      });
    },
    onError: (error) => {
      if (isApiError(error)) form.setFields(error.formFields().map((f) => ({ ...f, name: f.name === 'person_ids' ? 'people' : f.name })) as never);
    },
  });
  const result: AssistantRead | undefined = find.data;
  const people = form.getFieldValue('people') as number[] | undefined;

  return (
    <Drawer open onClose={onClose} size={isMobile ? '100%' : 520} title={t('calendar.assistant.title')} data-testid="assistant">
      <Form
        form={form}
        layout="vertical"
        initialValues={{ people: [], duration: 60, from: today(), days: 14 }}
        onFinish={(v) => find.mutate(v)}
      >
        <Form.Item name="people" label={t('calendar.assistant.people')} rules={[{ required: true, message: t('calendar.form.required') }]}>
          <PeopleMultiSelect />
        </Form.Item>
        <Space wrap>
          <Form.Item name="duration" label={t('calendar.assistant.duration')}>
            <Select style={{ width: 120 }} options={[30, 60, 90, 120].map((m) => ({ value: m, label: t('calendar.minutes', { count: m }) }))} />
          </Form.Item>
          <Form.Item name="from" label={t('calendar.assistant.from')}>
            <Input type="date" />
          </Form.Item>
          <Form.Item name="days" label={t('calendar.assistant.days')}>
            <Select style={{ width: 100 }} options={[3, 7, 14].map((d) => ({ value: d, label: t('calendar.days', { count: d }) }))} />
          </Form.Item>
        </Space>
        <Button type="primary" htmlType="submit" loading={find.isPending} block data-testid="assistant-find">
          {t('calendar.assistant.find')}
        </Button>
      </Form>
      {result && (
        <div style={{ marginTop: 16 }}>
          <Space wrap style={{ marginBottom: 8 }}>
            {result.people.map((p) => (
              <Tag key={p.person_id}>
                {p.name} · {p.tz} · {String(p.working_hours.start ?? '09:00')}–{String(p.working_hours.end ?? '18:00')}
              </Tag>
            ))}
          </Space>
          {result.slots.length === 0 ? (
            <Empty description={t('calendar.assistant.none')} />
          ) : (
            <div data-testid="assistant-slots">
              <Typography.Text type="secondary">{t('calendar.assistant.yourTime', { zone })}</Typography.Text>
              {result.slots.map((s) => (
                <div
                  key={s.start}
                  className="cal-slot"
                  role="button"
                  tabIndex={0}
                  onClick={() =>
                    onPick({ start: wallTime(new Date(s.start), zone), end: wallTime(new Date(s.end), zone), attendeeIds: (people ?? []).filter((p) => p !== myId) })
                  }
                  onKeyDown={(e) => e.key === 'Enter' && (e.currentTarget as HTMLElement).click()}
                >
                  <Typography.Text strong>
                    {shortTime(s.start, zone)}–{clock(s.end, zone)}
                  </Typography.Text>
                  <div>
                    {s.local.map((l) => (
                      <Tag key={l.person_id} color="blue">
                        {l.name} {l.start.slice(11, 16)}–{l.end.slice(11, 16)} ({l.tz})
                      </Tag>
                    ))}
                  </div>
                </div>
              ))}
            </div>
          )}
        </div>
      )}
    </Drawer>
  );
}
