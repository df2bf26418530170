import { ArrowLeftOutlined, FilePdfOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Dropdown, Result, Spin, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { isApiError } from '../../api/client';
import { useIsMobile } from '../../shell/useIsMobile';
import { useMe } from '../auth/useMe';
import { ActionSheet, type ActionKind } from './ActionSheet';
import { approvalKeys, approvalsApi, type RequestRead } from './api';
import { FlowView } from './FlowView';
import { FormValues } from './FormFields';
import { StatusTag } from './StatusTag';
import { Timeline } from './Timeline';
import { useApprovalEvents } from './useApprovalEvents';
import './approvals.css';

function namesOf(r: RequestRead): Record<number, string> {
  const names: Record<number, string> = { [r.submitter.id]: r.submitter.name };
  for (const t of r.tasks) names[t.assignee.id] = t.assignee.name;
  for (const p of r.cc) names[p.id] = p.name;
  for (const n of r.route) for (const p of n.people) names[p.id] = p.name;
  for (const a of r.timeline) if (a.actor) names[a.actor.id] = a.actor.name;
  return names;
}

/** One request: the form, the route with where it stands, the timeline, and my actions. */
export default function RequestPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { requestId } = useParams();
  const id = Number(requestId);
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [sheet, setSheet] = useState<ActionKind | null>(null);
  useApprovalEvents();
  const query = useQuery({ queryKey: approvalKeys.request(id), queryFn: () => approvalsApi.request(id) });
  const me = useMe();
  const isCc = !!query.data?.cc.some((p) => p.id === me.data?.id);
  useEffect(() => {
    if (!isCc) return;
    void approvalsApi.markRead(id).then(() => queryClient.invalidateQueries({ queryKey: approvalKeys.counts }));
  }, [isCc, id, queryClient]);
  const own = useMutation({
    mutationFn: async (what: 'withdraw' | 'urge'): Promise<unknown> =>
      what === 'withdraw' ? approvalsApi.withdraw(id) : approvalsApi.urge(id),
    onSuccess: (_data, what) => {
      void queryClient.invalidateQueries({ queryKey: approvalKeys.all });
      void message.success(t(what === 'withdraw' ? 'approvals.withdrawn' : 'approvals.urged'));
    },
    onError: (e) => void message.error(isApiError(e) ? e.message : String(e)),
  });

  if (query.isLoading) return <Spin style={{ display: 'block', margin: 64 }} />;
  if (!query.data) return <Result status="404" title={t('approvals.notFound')} />;
  const r = query.data;
  const names = namesOf(r);
  const mine = r.my_task_id !== null && r.my_task_id !== undefined;
  const myTask = r.tasks.find((task) => task.id === r.my_task_id);
  const handling = myTask?.kind === 'handle';

  return (
    <div className={`approvals-detail ${mobile ? 'is-mobile' : ''}`} data-testid="request-page">
      <div className="approvals-detail-head">
        <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => void navigate('/approvals')} aria-label={t('approvals.back')} />
        <Typography.Title level={4} style={{ margin: 0, flex: 1 }} ellipsis>
          {r.title}
        </Typography.Title>
        <StatusTag status={r.status} />
      </div>
      <div className="approvals-detail-body">
        <Card size="small" title={r.template_name} extra={r.department_name ? <Tag>{r.department_name}</Tag> : null}>
          <FormValues schema={r.schema} values={r.values} names={names} />
        </Card>
        <Card size="small" title={t('approvals.route')}>
          <FlowView request={r} />
        </Card>
        <Card
          size="small"
          title={t('approvals.timeline')}
          extra={
            <Button size="small" icon={<FilePdfOutlined />} href={approvalsApi.recordUrl(r.id)} target="_blank" data-testid="record-pdf">
              {t('approvals.pdf')}
            </Button>
          }
        >
          <Timeline actions={r.timeline} names={names} />
        </Card>
      </div>
      <div className="approvals-actionbar" data-testid="action-bar">
        {mine ? (
          <>
            <Dropdown
              menu={{
                items: [
                  ...(handling ? [] : [{ key: 'return', label: t('approvals.action.return') }]),
                  { key: 'transfer', label: t('approvals.action.transfer') },
                  { key: 'addSigner', label: t('approvals.action.addSigner') },
                ],
                onClick: ({ key }) => setSheet(key as ActionKind),
              }}
            >
              <Button>{t('approvals.more')}</Button>
            </Dropdown>
            {handling ? null : (
              <Button danger onClick={() => setSheet('reject')} data-testid="reject">
                {t('approvals.action.reject')}
              </Button>
            )}
            <Button type="primary" onClick={() => setSheet('approve')} data-testid="approve" style={{ flex: 1 }}>
              {handling ? t('approvals.action.handle') : t('approvals.action.approve')}
            </Button>
          </>
        ) : null}
        {r.can_urge ? (
          <Button onClick={() => own.mutate('urge')} data-testid="urge">
            {t('approvals.urge')}
          </Button>
        ) : null}
        {r.can_withdraw ? (
          <Button onClick={() => own.mutate('withdraw')} data-testid="withdraw">
            {t('approvals.withdraw')}
          </Button>
        ) : null}
        {r.can_resubmit ? (
          <Button type="primary" onClick={() => void navigate(`/approvals/new/${r.template_id}?from=${r.id}`)}>
            {t('approvals.resubmit')}
          </Button>
        ) : null}
      </div>
      {mine ? <ActionSheet request={r} kind={sheet} onClose={() => setSheet(null)} mobile={mobile} /> : null}
    </div>
  );
}
