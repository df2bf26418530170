import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Checkbox, Col, Form, Input, Modal, Radio, Row, Select, Switch } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import { PeopleMultiSelect } from '../im/PeopleMultiSelect';
import { calendarApi, calendarKeys, type OccurrenceRef } from './api';
import { DepartmentSelect } from './DepartmentSelect';
import { buildRrule, COMMON_ZONES, type Repeat, weeklyDays } from './time';
import type { CalendarRead, EventCreate, EventRead, Scope } from './types';
import { useRooms } from './useCalendar';

export interface EventDraft {
  start?: string; // wall time in tz, "2026-03-30T09:00:00"
  end?: string;
  allDay?: boolean;
  tz: string;
  attendeeIds?: number[];
  event?: EventRead; // editing this event
  ref?: OccurrenceRef;
}

interface Values {
  title: string;
  calendar_id?: number;
  all_day: boolean;
  start: string;
  end: string;
  tz: string;
  repeat: Repeat;
  days: number[];
  until?: string;
  location?: string;
  room_id?: number | null;
  attendee_ids: number[];
  department_ids: number[];
  reminders: number[];
  online_url?: string;
  description?: string;
  scope: Scope;
}

const REMINDERS = [0, 5, 15, 30, 60, 1440];

function toInput(wall: string | undefined, allDay: boolean): string {
  if (!wall) return '';
  return allDay ? wall.slice(0, 10) : wall.slice(0, 16);
}

function fromInput(value: string, allDay: boolean): string {
  return allDay ? `${value}T00:00:00` : `${value}:00`.slice(0, 19);
}

function plusHour(wall: string): string {
  const [date, time] = wall.split('T');
  const [h, m] = time.split(':').map(Number);
  if (h >= 23) return `${date}T23:59:00`;
  return `${date}T${String(h + 1).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`;
}

function repeatOf(rrule: string | null | undefined): Repeat {
  if (!rrule) return 'none';
  if (rrule.includes('FREQ=DAILY')) return 'daily';
  if (rrule.includes('BYDAY=MO,TU,WE,TH,FR') && rrule.includes('FREQ=WEEKLY')) return 'weekdays';
  if (rrule.includes('FREQ=WEEKLY')) return 'weekly';
  if (rrule.includes('FREQ=MONTHLY') && rrule.includes('BYDAY')) return 'monthly_weekday';
  if (rrule.includes('FREQ=MONTHLY')) return 'monthly_date';
  return 'yearly';
}

function nextHalfHour(): string {
  const d = new Date();
  d.setMinutes(d.getMinutes() < 30 ? 30 : 60, 0, 0);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:00`;
}

/** Create or edit an event: time in its own zone, repetition, room, attendees, reminders. */
export function EventFormModal({
  draft,
  calendars,
  onClose,
}: {
  draft: EventDraft;
  calendars: CalendarRead[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const rooms = useRooms();
  const event = draft.event;
  const editable = calendars.filter((c) => c.level === 'edit' || c.level === 'manage');
  const recurring = Boolean(event?.rrule || event?.parent_id);

  const initial = useMemo<Values>(() => {
    const allDay = event?.all_day ?? draft.allDay ?? false;
    const start = event?.start ?? draft.start ?? nextHalfHour();
    const end = event?.end ?? draft.end ?? plusHour(start);
    return {
      title: event?.title ?? '',
      calendar_id: event?.calendar_id ?? editable.find((c) => c.is_default)?.id,
      all_day: allDay,
      start: toInput(start, allDay),
      end: toInput(end, allDay),
      tz: event?.tz ?? draft.tz,
      repeat: repeatOf(event?.rrule),
      days: weeklyDays(event?.rrule) ?? [],
      location: event?.location ?? '',
      room_id: event?.room?.id ?? null,
      attendee_ids: event ? event.attendees.map((a) => a.person_id).filter((id) => id !== event.organizer?.id) : (draft.attendeeIds ?? []),
      department_ids: event?.department_ids ?? [],
      reminders: event?.reminders ?? [15],
      online_url: event?.online_url ?? '',
      description: event?.description ?? '',
      scope: draft.ref?.scope ?? 'all',
    };
    // The draft is fixed for the modal's life.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const save = useMutation({
    mutationFn: (v: Values) => {
      const start = fromInput(v.start, v.all_day);
      const end = fromInput(v.end, v.all_day);
      const rrule = buildRrule(v.repeat, start, { days: v.days, until: v.until || null });
      const body: EventCreate = {
        title: v.title,
        calendar_id: v.calendar_id,
        all_day: v.all_day,
        start,
        end,
        tz: v.tz,
        rrule,
        location: v.location ?? '',
        room_id: v.room_id ?? null,
        attendee_ids: v.attendee_ids ?? [],
        department_ids: v.department_ids ?? [],
        reminders: v.reminders ?? [],
        online_url: v.online_url ?? '',
        description: v.description ?? '',
      };
      if (!event) return calendarApi.createEvent(body);
      const scope = recurring ? v.scope : 'all';
      const { calendar_id: _ignored, ...rest } = body;
      void _ignored;
      return calendarApi.updateEvent(
        event.id,
        { ...rest, rrule: scope === 'this' ? undefined : rrule, clear_rrule: scope !== 'this' && !rrule, clear_room: !v.room_id },
        { scope, occurrence: draft.ref?.occurrence },
      );
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: calendarKeys.all });
      void message.success(event ? t('calendar.saved') : t('calendar.created'));
      onClose();
    },
    onError: (error) => {
      if (!isApiError(error)) return void message.error(t('calendar.failed'));
      const fields = error.formFields().map((f) => ({ ...f, name: f.name === 'rrule' ? 'repeat' : f.name }));
      if (fields.length) form.setFields(fields as never);
      else void message.error(error.message);
    },
  });

  const allDay = Form.useWatch('all_day', form) ?? initial.all_day;
  const repeat = Form.useWatch('repeat', form) ?? initial.repeat;
  const scope = Form.useWatch('scope', form) ?? initial.scope;
  const zones = Array.from(new Set([initial.tz, ...COMMON_ZONES]));
  const required = [{ required: true, message: t('calendar.form.required') }];
  const weekdays = [1, 2, 3, 4, 5, 6, 0].map((d) => ({ value: d, label: t(`calendar.weekday.${d}`) }));

  return (
    <Modal
      open
      title={event ? t('calendar.editEvent') : t('calendar.newEvent')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('calendar.form.save')}
      confirmLoading={save.isPending}
      width={640}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={initial} onFinish={(v) => save.mutate(v)} data-testid="event-form">
        {event && recurring && (
          <Form.Item name="scope" label={t('calendar.scope.label')}>
            <Radio.Group
              options={[
                { value: 'this', label: t('calendar.scope.this') },
                { value: 'following', label: t('calendar.scope.following') },
                { value: 'all', label: t('calendar.scope.all') },
              ]}
            />
          </Form.Item>
        )}
        <Form.Item name="title" label={t('calendar.form.title')} rules={required}>
          <Input maxLength={200} autoFocus data-testid="event-title" />
        </Form.Item>
        {!event && editable.length > 1 && (
          <Form.Item name="calendar_id" label={t('calendar.form.calendar')}>
            <Select options={editable.map((c) => ({ value: c.id, label: c.name }))} data-testid="event-calendar" />
          </Form.Item>
        )}
        <Row gutter={12}>
          <Col xs={24} sm={12}>
            <Form.Item name="start" label={t('calendar.form.start')} rules={required}>
              <Input type={allDay ? 'date' : 'datetime-local'} data-testid="event-start" />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="end" label={t('calendar.form.end')} rules={required}>
              <Input type={allDay ? 'date' : 'datetime-local'} data-testid="event-end" />
            </Form.Item>
          </Col>
        </Row>
        <Row gutter={12}>
          <Col xs={12} sm={8}>
            <Form.Item name="all_day" label={t('calendar.form.allDay')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Col>
          <Col xs={24} sm={16}>
            <Form.Item name="tz" label={t('calendar.form.tz')}>
              <Select showSearch options={zones.map((z) => ({ value: z, label: z }))} data-testid="event-tz" />
            </Form.Item>
          </Col>
        </Row>
        {scope !== 'this' && (
          <>
            <Form.Item name="repeat" label={t('calendar.form.repeat')}>
              <Select
                data-testid="event-repeat"
                options={(['none', 'daily', 'weekdays', 'weekly', 'monthly_date', 'monthly_weekday', 'yearly'] as Repeat[]).map((r) => ({
                  value: r,
                  label: t(`calendar.repeat.${r}`),
                }))}
              />
            </Form.Item>
            {repeat === 'weekly' && (
              <Form.Item name="days" label={t('calendar.form.days')}>
                <Checkbox.Group options={weekdays} data-testid="event-days" />
              </Form.Item>
            )}
            {repeat !== 'none' && (
              <Form.Item name="until" label={t('calendar.form.until')}>
                <Input type="date" />
              </Form.Item>
            )}
          </>
        )}
        <Form.Item name="room_id" label={t('calendar.form.room')}>
          <Select
            allowClear
            data-testid="event-room"
            options={(rooms.data ?? [])
              .filter((r) => r.active)
              .map((r) => ({ value: r.id, label: t('calendar.roomLabel', { name: r.name, capacity: r.capacity }) }))}
          />
        </Form.Item>
        <Form.Item name="location" label={t('calendar.form.location')}>
          <Input maxLength={200} />
        </Form.Item>
        {scope !== 'this' && (
          <>
            <Form.Item name="attendee_ids" label={t('calendar.form.attendees')}>
              <PeopleMultiSelect />
            </Form.Item>
            <Form.Item name="department_ids" label={t('calendar.form.departments')}>
              <DepartmentSelect />
            </Form.Item>
          </>
        )}
        <Form.Item name="reminders" label={t('calendar.form.reminders')}>
          <Select mode="multiple" options={REMINDERS.map((m) => ({ value: m, label: t('calendar.reminder', { count: m }) }))} />
        </Form.Item>
        <Form.Item name="online_url" label={t('calendar.form.onlineUrl')}>
          <Input maxLength={500} />
        </Form.Item>
        <Form.Item name="description" label={t('calendar.form.description')}>
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
