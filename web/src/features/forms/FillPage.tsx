import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App as AntApp, Button, Card, Form, Result, Space, Spin, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { isApiError } from '../../api/client';
import { useMe } from '../auth/useMe';
import { formsApi, formsKeys } from './api';
import { FormRenderer } from './FormRenderer';
import { cleanValues, fieldPath, initialValues } from './values';
import { nameText } from './labels';
import type { SubmissionRead, Values } from './types';
import './forms.css';

const draftKey = (formId: number, taskId?: number) => `tongban.forms.draft.${formId}.${taskId ?? 0}`;

/** Filling in a published form: one column, big targets, works one-handed on a phone. */
export default function FillPage() {
  const { t, i18n } = useTranslation();
  const { message } = AntApp.useApp();
  const formId = Number(useParams().formId);
  const [params] = useSearchParams();
  const taskId = params.get('task') ? Number(params.get('task')) : undefined;
  const me = useMe();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: formsKeys.form(formId), queryFn: () => formsApi.form(formId) });
  const [form] = Form.useForm<Values>();
  const [done, setDone] = useState<SubmissionRead | null>(null);
  const schema = query.data?.schema ?? null;
  const primary = me.data?.departments.find((d) => d.is_primary) ?? me.data?.departments[0];

  const initial = useMemo(() => {
    if (!schema) return {};
    let saved: Values = {};
    try {
      saved = JSON.parse(localStorage.getItem(draftKey(formId, taskId)) ?? '{}') as Values;
    } catch {
      saved = {};
    }
    return { ...initialValues(schema, { departmentId: primary?.id, personId: me.data?.id }), ...saved };
  }, [schema, formId, taskId, primary?.id, me.data?.id]);

  useEffect(() => {
    if (schema) form.setFieldsValue(initial);
  }, [schema, initial, form]);

  const submit = useMutation({
    mutationFn: (values: Values) => formsApi.submit(formId, values, taskId),
    onSuccess: (saved) => {
      localStorage.removeItem(draftKey(formId, taskId));
      setDone(saved);
      void queryClient.invalidateQueries({ queryKey: formsKeys.tasks });
    },
    onError: (error) => {
      if (isApiError(error) && error.fields.length) {
        form.setFields(error.fields.map((f) => ({ name: fieldPath(f.field), errors: [f.message] })));
        message.error(error.fields.map((f) => f.message).join('；'));
      } else {
        message.error(isApiError(error) ? error.message : t('forms.fill.failed'));
      }
    },
  });

  if (query.isLoading) return <Spin style={{ display: 'block', margin: 48 }} />;
  if (query.isError || !query.data) {
    return <Result status="404" title={isApiError(query.error) ? query.error.message : t('forms.notFound')} />;
  }
  const data = query.data;
  if (done) {
    return (
      <Result
        status="success"
        title={t('forms.fill.thanks')}
        subTitle={done.late ? <Tag color="orange">{t('forms.late')}</Tag> : undefined}
        extra={[
          <Button key="todo" type="primary" onClick={() => void navigate('/forms?tab=todo')}>
            {t('forms.fill.backToTodo')}
          </Button>,
          <Button key="again" onClick={() => { setDone(null); form.resetFields(); form.setFieldsValue(initialValues(schema ?? {}, { departmentId: primary?.id })); }}>
            {t('forms.fill.again')}
          </Button>,
        ]}
      />
    );
  }
  return (
    <div className="forms-fill">
      <Card variant="borderless" className="forms-fill-card">
        <Typography.Title level={4} style={{ marginTop: 0 }}>
          {nameText(data, i18n.language)}
        </Typography.Title>
        {data.description && <Typography.Paragraph type="secondary">{data.description}</Typography.Paragraph>}
        {data.status !== 'published' && (
          <Alert type="warning" showIcon style={{ marginBottom: 16 }} message={t(data.status === 'archived' ? 'forms.fill.archived' : 'forms.fill.unpublished')} />
        )}
        {schema && (
          <Form
            form={form}
            layout="vertical"
            requiredMark
            scrollToFirstError
            onValuesChange={(_c, all) => localStorage.setItem(draftKey(formId, taskId), JSON.stringify(all))}
            onFinish={(values) => submit.mutate(cleanValues(schema, values))}
          >
            <FormRenderer schema={schema} form={form} />
            <Space direction="vertical" style={{ width: '100%' }}>
              <Button type="primary" htmlType="submit" size="large" block loading={submit.isPending} disabled={data.status !== 'published'}>
                {t('forms.fill.submit')}
              </Button>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('forms.fill.draftSaved')}
              </Typography.Text>
            </Space>
          </Form>
        )}
      </Card>
    </div>
  );
}
