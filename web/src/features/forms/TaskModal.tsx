import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, DatePicker, Form, Input, InputNumber, Modal, Radio, Switch } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import { DepartmentSelect } from '../org/DepartmentSelect';
import { formsApi, formsKeys } from './api';
import type { TaskDetail } from './types';

interface Fields {
  title: string;
  deadline: Dayjs;
  department_ids?: number[];
  department_mode: 'reporter' | 'members';
  allow_late: boolean;
  remind_before_minutes: number;
}

/** Send a form to departments (their designated reporter, or everyone) with a deadline. */
export function TaskModal({
  formId,
  formName,
  open,
  onClose,
  onCreated,
}: {
  formId: number;
  formName: string;
  open: boolean;
  onClose: () => void;
  onCreated: (task: TaskDetail) => void;
}) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<Fields>();
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: (v: Fields) =>
      formsApi.createTask(formId, {
        title: v.title,
        deadline: v.deadline.toISOString(),
        department_ids: v.department_ids ?? [],
        person_ids: [],
        department_mode: v.department_mode,
        allow_late: v.allow_late,
        remind_before_minutes: v.remind_before_minutes,
      }),
    onSuccess: (task) => {
      void queryClient.invalidateQueries({ queryKey: formsKeys.formTasks(formId) });
      message.success(t('forms.task.created', { count: task.total }));
      onCreated(task);
    },
    onError: (e) => {
      if (isApiError(e) && e.fields.length) {
        form.setFields(e.fields.map((f) => ({ name: f.field.replace(/^body\./, '').split('.')[0] as keyof Fields, errors: [f.message] })));
      } else message.error(isApiError(e) ? e.message : String(e));
    },
  });
  return (
    <Modal
      open={open}
      title={t('forms.task.new')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('forms.task.send')}
      confirmLoading={create.isPending}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{
          title: formName,
          deadline: dayjs().add(2, 'hour'),
          department_mode: 'reporter',
          allow_late: true,
          remind_before_minutes: 30,
        }}
        onFinish={(v) => create.mutate(v)}
      >
        <Form.Item name="title" label={t('forms.task.title')} rules={[{ required: true, message: t('forms.rule.required') }]}>
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="deadline" label={t('forms.task.deadline')} rules={[{ required: true, message: t('forms.rule.required') }]}>
          <DatePicker showTime style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="department_ids" label={t('forms.task.departments')} rules={[{ required: true, message: t('forms.rule.required') }]}>
          <DepartmentSelect multiple />
        </Form.Item>
        <Form.Item name="department_mode" label={t('forms.task.who')}>
          <Radio.Group
            options={[
              { value: 'reporter', label: t('forms.task.reporter') },
              { value: 'members', label: t('forms.task.members') },
            ]}
          />
        </Form.Item>
        <Form.Item name="remind_before_minutes" label={t('forms.task.remindBefore')}>
          <InputNumber min={0} max={10080} suffix={t('forms.task.minutes')} />
        </Form.Item>
        <Form.Item name="allow_late" label={t('forms.task.allowLate')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
