import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Col, Form, Input, Modal, Row, Select, Skeleton } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { showFormErrors } from '../../api/formErrors';
import type { Person, PersonCreate, PersonUpdate } from '../../api/types';
import { browserZone } from '../../lib/localTime';
import { orgApi, orgKeys } from './api';
import { DepartmentSelect } from './DepartmentSelect';
import { PersonSelect } from './PersonSelect';
import { useDepartments } from './useDepartments';
import { usePerson } from './usePerson';

export type PersonFormMode = { kind: 'create' } | { kind: 'edit'; id: number } | { kind: 'move'; id: number };

interface Values {
  name: string;
  username: string;
  mobile?: string;
  email?: string;
  title?: string;
  employee_no?: string;
  department_ids: number[];
  primary_department_id?: number;
  manager_id?: number | null;
  timezone: string;
  password?: string;
}

function zones(): string[] {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['Asia/Shanghai', 'UTC'];
  }
}

const blankToNull = (v: string | undefined) => (v && v.trim() ? v.trim() : null);

function PersonForm({ mode, person, onDone }: { mode: PersonFormMode; person: Person | null; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const departments = useDepartments();
  const chosen = Form.useWatch('department_ids', form);
  const zoneOptions = useMemo(() => zones().map((z) => ({ value: z, label: z })), []);
  const moveOnly = mode.kind === 'move';

  const save = useMutation({
    mutationFn: (v: Values) => {
      const primary = v.department_ids.includes(v.primary_department_id ?? -1)
        ? v.primary_department_id
        : v.department_ids[0];
      if (moveOnly) {
        return orgApi.updatePerson(person!.id, { department_ids: v.department_ids, primary_department_id: primary });
      }
      const common = {
        name: v.name.trim(),
        mobile: blankToNull(v.mobile),
        email: blankToNull(v.email),
        title: v.title?.trim() ?? '',
        employee_no: blankToNull(v.employee_no),
        department_ids: v.department_ids,
        primary_department_id: primary,
        manager_id: v.manager_id ?? null,
        timezone: v.timezone,
      };
      if (mode.kind === 'create') {
        const body: PersonCreate = { ...common, username: v.username.trim() };
        if (v.password) body.password = v.password;
        return orgApi.createPerson(body);
      }
      // The username is the sign-in name and cannot be changed here.
      const update: PersonUpdate = common;
      return orgApi.updatePerson(person!.id, update);
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: orgKeys.all });
      void message.success(t('common.saved'));
      onDone();
    },
    onError: (e) => {
      showFormErrors(form, e, (text) => void message.error(text), t('common.error'));
    },
  });

  const primaryOptions = (chosen ?? []).map((id) => ({
    value: id,
    label: departments.data?.find((d) => d.id === id)?.name ?? String(id),
  }));

  const initialValues: Partial<Values> = person
    ? {
        name: person.name,
        username: person.username,
        mobile: person.mobile ?? undefined,
        email: person.email ?? undefined,
        title: person.title ?? undefined,
        employee_no: person.employee_no ?? undefined,
        department_ids: person.departments.map((d) => d.id),
        primary_department_id: person.departments.find((d) => d.is_primary)?.id,
        manager_id: person.manager?.id ?? null,
        timezone: person.timezone,
      }
    : { department_ids: [], timezone: browserZone() };

  const required = [{ required: true, message: t('common.required') }];
  return (
    <Modal
      open
      title={t(`admin.people.${mode.kind}Title`, { name: person?.name ?? '' })}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={save.isPending}
      onOk={() => form.submit()}
      onCancel={onDone}
      width={640}
    >
      <Form<Values> form={form} layout="vertical" initialValues={initialValues} onFinish={(v) => save.mutate(v)}>
        {!moveOnly && (
          <Row gutter={12}>
            <Col xs={24} sm={12}>
              <Form.Item name="name" label={t('admin.people.name')} rules={required}>
                <Input maxLength={100} />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item name="username" label={t('admin.people.username')} rules={required}>
                <Input maxLength={64} autoComplete="off" disabled={mode.kind !== 'create'} />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item name="title" label={t('admin.people.jobTitle')}>
                <Input maxLength={100} />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item name="employee_no" label={t('org.card.employeeNo')}>
                <Input maxLength={64} />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item name="mobile" label={t('org.card.mobile')}>
                <Input type="tel" maxLength={32} />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item name="email" label={t('org.card.email')} rules={[{ type: 'email', message: t('admin.people.badEmail') }]}>
                <Input type="email" maxLength={200} />
              </Form.Item>
            </Col>
          </Row>
        )}
        <Form.Item name="department_ids" label={t('org.card.departments')} rules={[{ required: true, type: 'array', min: 1, message: t('admin.people.needDepartment') }]}>
          <DepartmentSelect multiple />
        </Form.Item>
        <Form.Item name="primary_department_id" label={t('admin.people.primary')}>
          <Select options={primaryOptions} disabled={primaryOptions.length < 2} placeholder={primaryOptions[0]?.label} />
        </Form.Item>
        {!moveOnly && (
          <>
            <Form.Item name="manager_id" label={t('org.card.manager')}>
              <PersonSelect initial={person?.manager} excludeId={person?.id} />
            </Form.Item>
            <Form.Item name="timezone" label={t('admin.people.timezone')} rules={required}>
              <Select showSearch options={zoneOptions} />
            </Form.Item>
            {mode.kind === 'create' && (
              <Form.Item name="password" label={t('admin.people.initialPassword')} extra={t('admin.people.initialPasswordHint')}>
                <Input.Password autoComplete="new-password" />
              </Form.Item>
            )}
          </>
        )}
      </Form>
    </Modal>
  );
}

export function PersonFormModal({ mode, onClose }: { mode: PersonFormMode | null; onClose: () => void }) {
  const id = mode && mode.kind !== 'create' ? mode.id : null;
  const person = usePerson(id);
  if (!mode) return null;
  if (mode.kind === 'create') return <PersonForm mode={mode} person={null} onDone={onClose} />;
  if (person.isPending || person.isError) {
    return (
      <Modal open footer={null} onCancel={onClose}>
        {person.isError ? <Alert type="error" showIcon title={person.error.message} /> : <Skeleton active />}
      </Modal>
    );
  }
  return <PersonForm key={`${mode.kind}-${mode.id}`} mode={mode} person={person.data} onDone={onClose} />;
}
