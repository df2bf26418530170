import { ImportOutlined, LinkOutlined, PlusOutlined, ScheduleOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Checkbox, Divider, Form, Input, Modal, Space, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import { PeopleMultiSelect } from '../im/PeopleMultiSelect';
import { calendarApi, calendarKeys } from './api';
import { DepartmentSelect } from './DepartmentSelect';
import type { CalendarRead, ImportReport } from './types';

/** My calendars (show/hide), shared and subscribed ones, and what one does with them. */
export function CalendarSidebar({
  calendars,
  onNewEvent,
  onAssistant,
}: {
  calendars: CalendarRead[];
  onNewEvent: () => void;
  onAssistant: () => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { message, modal } = AntApp.useApp();
  const [creating, setCreating] = useState(false);
  const [subscribing, setSubscribing] = useState(false);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: calendarKeys.all });
  const toggle = useMutation({
    mutationFn: ({ id, visible }: { id: number; visible: boolean }) => calendarApi.setMine(id, { visible }),
    onSuccess: refresh,
  });
  const editable = calendars.filter((c) => c.level === 'edit' || c.level === 'manage');
  const mine = calendars.find((c) => c.is_default);

  const importFile = async (file: File, calendarId: number) => {
    try {
      let report: ImportReport = await calendarApi.importIcs(calendarId, file, false);
      if (!report.committed) {
        const confirmed = await modal.confirm({
          title: t('calendar.import.problems', { count: report.problems.length }),
          content: (
            <div>
              <ul>
                {report.problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
              <Typography.Text>{t('calendar.import.importRest', { count: report.events.length })}</Typography.Text>
            </div>
          ),
          okText: t('calendar.import.confirm'),
        });
        if (!confirmed) return;
        report = await calendarApi.importIcs(calendarId, file, true);
      }
      void message.success(t('calendar.import.done', { count: report.imported }));
      refresh();
    } catch (error) {
      void message.error(isApiError(error) ? (error.fields[0]?.message ?? error.message) : t('calendar.failed'));
    }
  };

  const showFeed = async (calendar: CalendarRead) => {
    const { url } = await calendarApi.rotateFeed(calendar.id);
    const full = `${window.location.origin}${url}`;
    refresh();
    modal.info({
      title: t('calendar.feed.title'),
      content: (
        <div>
          <Typography.Paragraph>{t('calendar.feed.hint')}</Typography.Paragraph>
          <Typography.Paragraph copyable code data-testid="feed-url">
            {full.replace(/^https?:/, 'webcal:')}
          </Typography.Paragraph>
        </div>
      ),
    });
  };

  return (
    <div data-testid="calendar-sidebar">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Button type="primary" block icon={<PlusOutlined />} onClick={onNewEvent}>
          {t('calendar.newEvent')}
        </Button>
        <Button block icon={<ScheduleOutlined />} onClick={onAssistant}>
          {t('calendar.assistant.open')}
        </Button>
      </Space>
      <Divider titlePlacement="start" plain>
        {t('calendar.myCalendars')}
      </Divider>
      {calendars.map((c) => (
        <div key={c.id} className="cal-calendar-row" data-testid={`calendar-row-${c.id}`}>
          <Checkbox checked={c.visible} onChange={(e) => toggle.mutate({ id: c.id, visible: e.target.checked })}>
            <span className="cal-swatch" style={{ background: c.color, display: 'inline-block', marginRight: 6 }} />
            {c.name}
          </Checkbox>
          {c.owner_id !== mine?.owner_id && <Tag>{c.owner_name}</Tag>}
          {c.level === 'freebusy' && <Tag>{t('calendar.level.freebusy')}</Tag>}
          {c.level === 'manage' && (
            <Button size="small" type="text" icon={<LinkOutlined />} aria-label={t('calendar.feed.title')} onClick={() => void showFeed(c)} />
          )}
          {c.level !== 'manage' && c.shares === null && c.org_level !== null && c.level === 'freebusy' && (
            <Button size="small" type="link" onClick={() => void calendarApi.unsubscribe(c.id).then(refresh)}>
              {t('calendar.unsubscribe')}
            </Button>
          )}
        </div>
      ))}
      <Space direction="vertical" style={{ width: '100%', marginTop: 12 }}>
        <Button block onClick={() => setCreating(true)}>
          {t('calendar.newCalendar')}
        </Button>
        <Button block onClick={() => setSubscribing(true)}>
          {t('calendar.subscribe')}
        </Button>
        {editable.length > 0 && (
          <Upload
            accept=".ics,text/calendar"
            showUploadList={false}
            beforeUpload={(file) => {
              void importFile(file, mine?.id ?? editable[0].id);
              return false;
            }}
          >
            <Button block icon={<ImportOutlined />}>
              {t('calendar.import.button')}
            </Button>
          </Upload>
        )}
        {mine && (
          <Button block href={`/api/calendar/calendars/${mine.id}/export.ics`}>
            {t('calendar.export')}
          </Button>
        )}
      </Space>
      {creating && <NewCalendarModal onClose={() => setCreating(false)} onDone={refresh} />}
      {subscribing && <SubscribeModal onClose={() => setSubscribing(false)} onDone={refresh} />}
    </div>
  );
}

function NewCalendarModal({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const save = useMutation({
    mutationFn: (v: { name: string; readers?: number[]; editors?: number[]; departments?: number[] }) =>
      calendarApi.createCalendar({
        name: v.name,
        shares: [
          ...(v.readers ?? []).map((id) => ({ person_id: id, level: 'read' as const })),
          ...(v.editors ?? []).map((id) => ({ person_id: id, level: 'edit' as const })),
          ...(v.departments ?? []).map((id) => ({ department_id: id, level: 'read' as const })),
        ],
      }),
    onSuccess: () => {
      onDone();
      onClose();
    },
    onError: (error) => {
      if (isApiError(error)) form.setFields(error.formFields());
    },
  });
  return (
    <Modal open title={t('calendar.newCalendar')} onCancel={onClose} onOk={() => form.submit()} confirmLoading={save.isPending}>
      <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
        <Form.Item name="name" label={t('calendar.form.calendarName')} rules={[{ required: true, message: t('calendar.form.required') }]}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="departments" label={t('calendar.form.shareDepartments')}>
          <DepartmentSelect />
        </Form.Item>
        <Form.Item name="readers" label={t('calendar.form.shareReaders')}>
          <PeopleMultiSelect />
        </Form.Item>
        <Form.Item name="editors" label={t('calendar.form.shareEditors')}>
          <PeopleMultiSelect />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function SubscribeModal({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [people, setPeople] = useState<number[]>([]);
  const save = useMutation({
    mutationFn: async () => {
      for (const id of people) await calendarApi.subscribe(id);
    },
    onSuccess: () => {
      onDone();
      onClose();
    },
    onError: (error) => void message.error(isApiError(error) ? error.message : t('calendar.failed')),
  });
  return (
    <Modal open title={t('calendar.subscribe')} onCancel={onClose} onOk={() => save.mutate()} confirmLoading={save.isPending}>
      <Typography.Paragraph type="secondary">{t('calendar.subscribeHint')}</Typography.Paragraph>
      <PeopleMultiSelect value={people} onChange={setPeople} />
    </Modal>
  );
}
