import { ArrowLeftOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Result, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { isApiError } from '../../api/client';
import { useIsMobile } from '../../shell/useIsMobile';
import { PeopleMultiSelect } from '../im/PeopleMultiSelect';
import { approvalKeys, approvalsApi, labelText, type FlowNode } from './api';
import { FlowOutline } from './FlowOutline';
import { FormFields } from './FormFields';
import './approvals.css';

function pickNodes(nodes: FlowNode[]): FlowNode[] {
  const found: FlowNode[] = [];
  for (const n of nodes) {
    if (n.type === 'condition' || n.type === 'parallel') for (const b of n.branches) found.push(...pickNodes(b.nodes));
    else if (n.who.some((w) => w.kind === 'submitter_picks')) found.push(n);
  }
  return found;
}

/** Filling in a request: the template's form, who approves where the submitter picks, submit. */
export default function SubmitPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { templateId } = useParams();
  const [params] = useSearchParams();
  const from = params.get('from') ? Number(params.get('from')) : null;
  const id = Number(templateId);
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Record<string, unknown>>();
  const [picks, setPicks] = useState<Record<string, number[]>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const template = useQuery({ queryKey: approvalKeys.template(id), queryFn: () => approvalsApi.template(id) });
  const previous = useQuery({
    queryKey: approvalKeys.request(from ?? 0),
    queryFn: () => approvalsApi.request(from ?? 0),
    enabled: from !== null,
  });
  useEffect(() => {
    if (previous.data) form.setFieldsValue(previous.data.values);
  }, [previous.data, form]);

  const submit = useMutation({
    mutationFn: (values: Record<string, unknown>) =>
      from !== null ? approvalsApi.resubmit(from, values) : approvalsApi.submit(id, values, picks),
    onSuccess: (r) => {
      void queryClient.invalidateQueries({ queryKey: approvalKeys.all });
      void message.success(t('approvals.submitted'));
      void navigate(`/approvals/requests/${r.id}`, { replace: true });
    },
    onError: (e) => {
      if (!isApiError(e)) {
        setProblem(String(e));
        return;
      }
      const fields = e.fields.filter((f) => f.field.startsWith('values.'));
      form.setFields(
        fields.map((f) => ({ name: f.field.slice('values.'.length).split('.')[0], errors: [f.message] })),
      );
      const other = e.fields.filter((f) => !f.field.startsWith('values.'));
      setProblem(other.length ? other.map((f) => f.message).join('；') : fields.length ? null : e.message);
    },
  });

  if (template.isLoading) return <Spin style={{ display: 'block', margin: 64 }} />;
  if (!template.data) return <Result status="404" title={t('approvals.notFound')} />;
  const tpl = template.data;
  const name = i18n.language === 'en-US' && tpl.name_en ? tpl.name_en : tpl.name;
  return (
    <div className={`approvals-submit ${mobile ? 'is-mobile' : ''}`} data-testid="submit-page">
      <div className="approvals-detail-head">
        <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => void navigate('/approvals')} aria-label={t('approvals.back')} />
        <Typography.Title level={4} style={{ margin: 0 }}>
          {name}
        </Typography.Title>
      </div>
      {tpl.description ? <Typography.Paragraph type="secondary">{tpl.description}</Typography.Paragraph> : null}
      <Form
        form={form}
        layout="vertical"
        onFinish={(values) => {
          setProblem(null);
          // empty optional answers are left out rather than sent as null
          const clean = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== null && v !== ''));
          submit.mutate(clean);
        }}
      >
        <Card size="small">
          <FormFields schema={tpl.schema} />
        </Card>
        {pickNodes(tpl.flow.nodes).map((n) =>
          n.type === 'condition' || n.type === 'parallel' ? null : (
            <Card size="small" key={n.id} style={{ marginTop: 12 }}>
              <Form.Item label={t('approvals.pick', { node: labelText(n.name, i18n.language) })} required>
                <PeopleMultiSelect value={picks[n.id] ?? []} onChange={(v) => setPicks({ ...picks, [n.id]: v })} />
              </Form.Item>
            </Card>
          ),
        )}
        <Card size="small" title={t('approvals.route')} style={{ marginTop: 12 }}>
          <FlowOutline nodes={tpl.flow.nodes} />
        </Card>
        {problem ? (
          <div role="alert" className="approvals-problem">
            {problem}
          </div>
        ) : null}
        <div className="approvals-actionbar">
          <Button type="primary" htmlType="submit" block loading={submit.isPending} data-testid="submit-request">
            {from !== null ? t('approvals.resubmit') : t('approvals.submit')}
          </Button>
        </div>
      </Form>
    </div>
  );
}
