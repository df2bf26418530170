import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, DatePicker, Form, Input, InputNumber, Modal, Radio, Select, Switch } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { showFormErrors } from '../../api/formErrors';
import { DepartmentSelect } from '../calendar/DepartmentSelect';
import { meetingsApi, meetingsKeys } from './api';
import { PeopleSelect } from './PeopleSelect';
import type { MeetingCreate, MeetingRead } from './types';

interface Values {
  kind: 'in_person' | 'video';
  title: string;
  location?: string;
  span: [Dayjs, Dayjs];
  person_ids?: number[];
  department_ids?: number[];
  host_ids?: number[];
  allow_walk_ins: boolean;
  rotate: boolean;
  rotate_seconds?: number;
  fence: boolean;
  lat?: number;
  lng?: number;
  radius_m?: number;
  fence_mode?: 'refuse' | 'flag';
}

/** A new meeting: what, when, where, who, and the check-in rules. */
export function MeetingFormModal({
  open,
  onClose,
  onCreated,
}: {
  open: boolean;
  onClose: () => void;
  onCreated: (meeting: MeetingRead) => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [locating, setLocating] = useState(false);
  const kind = Form.useWatch('kind', form);
  const rotate = Form.useWatch('rotate', form);
  const fence = Form.useWatch('fence', form);
  const create = useMutation({
    mutationFn: (body: MeetingCreate) => meetingsApi.create(body),
    onSuccess: (meeting) => {
      void queryClient.invalidateQueries({ queryKey: meetingsKeys.list });
      form.resetFields();
      onCreated(meeting);
    },
    onError: (e) => showFormErrors(form, e, (text) => void message.error(text), t('meetings.failed')),
  });
  const submit = (v: Values) => {
    create.mutate({
      kind: v.kind,
      title: v.title,
      location: v.location ?? '',
      tz: Intl.DateTimeFormat().resolvedOptions().timeZone || 'Asia/Shanghai',
      start: v.span[0].toISOString(),
      end: v.span[1].toISOString(),
      person_ids: v.person_ids ?? [],
      department_ids: v.department_ids ?? [],
      host_ids: v.host_ids ?? [],
      allow_walk_ins: v.allow_walk_ins,
      rotate_seconds: v.rotate ? (v.rotate_seconds ?? 30) : 0,
      geofence:
        v.fence && v.lat !== undefined && v.lng !== undefined
          ? { lat: v.lat, lng: v.lng, radius_m: v.radius_m ?? 300, mode: v.fence_mode ?? 'refuse' }
          : null,
    });
  };
  const here = () => {
    if (!navigator.geolocation) return;
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setLocating(false);
        form.setFieldsValue({ lat: Number(p.coords.latitude.toFixed(6)), lng: Number(p.coords.longitude.toFixed(6)) });
      },
      () => setLocating(false),
      { enableHighAccuracy: true, timeout: 10_000 },
    );
  };
  const start = dayjs().add(1, 'hour').startOf('hour');
  return (
    <Modal
      open={open}
      title={t('meetings.new')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('meetings.create')}
      confirmLoading={create.isPending}
      destroyOnHidden
      width={640}
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ kind: 'in_person', allow_walk_ins: true, rotate: false, fence: false, span: [start, start.add(1, 'hour')], rotate_seconds: 30, radius_m: 300, fence_mode: 'refuse' }}
      >
        <Form.Item name="kind" label={t('meetings.kind.label')}>
          <Radio.Group
            options={[
              { value: 'in_person', label: t('meetings.kind.in_person') },
              { value: 'video', label: t('meetings.kind.video') },
            ]}
          />
        </Form.Item>
        <Form.Item name="title" label={t('meetings.field.title')} rules={[{ required: true, message: t('meetings.field.titleRequired') }]}>
          <Input maxLength={200} data-testid="meeting-title" />
        </Form.Item>
        <Form.Item name="span" label={t('meetings.field.time')} rules={[{ required: true }]}>
          <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="location" label={t('meetings.field.location')}>
          <Input maxLength={200} data-testid="meeting-location" />
        </Form.Item>
        <Form.Item name="person_ids" label={t('meetings.field.people')}>
          <PeopleSelect placeholder={t('meetings.field.peopleHint')} testId="meeting-people" />
        </Form.Item>
        <Form.Item name="department_ids" label={t('meetings.field.departments')}>
          <DepartmentSelect placeholder={t('meetings.field.departmentsHint')} />
        </Form.Item>
        <Form.Item name="host_ids" label={t('meetings.field.hosts')}>
          <PeopleSelect placeholder={t('meetings.field.hostsHint')} />
        </Form.Item>
        {kind !== 'video' && (
          <>
            <Form.Item name="allow_walk_ins" label={t('meetings.field.walkIns')} valuePropName="checked">
              <Switch />
            </Form.Item>
            <Form.Item name="rotate" label={t('meetings.field.rotate')} valuePropName="checked" extra={t('meetings.field.rotateHint')}>
              <Switch />
            </Form.Item>
            {rotate && (
              <Form.Item name="rotate_seconds" label={t('meetings.field.rotateSeconds')}>
                <InputNumber min={10} max={3600} />
              </Form.Item>
            )}
            <Form.Item name="fence" label={t('meetings.field.fence')} valuePropName="checked" extra={t('meetings.field.fenceHint')}>
              <Switch />
            </Form.Item>
            {fence && (
              <>
                <Form.Item label={t('meetings.field.fenceCentre')} required>
                  <Input.Group compact>
                    <Form.Item name="lat" noStyle rules={[{ required: true }]}>
                      <InputNumber placeholder={t('meetings.field.lat')} style={{ width: '35%' }} />
                    </Form.Item>
                    <Form.Item name="lng" noStyle rules={[{ required: true }]}>
                      <InputNumber placeholder={t('meetings.field.lng')} style={{ width: '35%' }} />
                    </Form.Item>
                    <a onClick={here} style={{ marginLeft: 8, lineHeight: '32px' }}>
                      {locating ? '…' : t('meetings.field.here')}
                    </a>
                  </Input.Group>
                </Form.Item>
                <Form.Item name="radius_m" label={t('meetings.field.radius')}>
                  <InputNumber min={10} max={50000} addonAfter={t('meetings.metres')} />
                </Form.Item>
                <Form.Item name="fence_mode" label={t('meetings.field.fenceMode')}>
                  <Select
                    options={[
                      { value: 'refuse', label: t('meetings.field.fenceRefuse') },
                      { value: 'flag', label: t('meetings.field.fenceFlag') },
                    ]}
                  />
                </Form.Item>
              </>
            )}
          </>
        )}
      </Form>
    </Modal>
  );
}
