import { ArrowLeftOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, List, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { isApiError } from '../../api/client';
import { approvalKeys, approvalsApi } from './api';
import './approvals.css';

/** For template admins: the templates with their versions, built-ins to install, archive. */
export default function TemplatesPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const templates = useQuery({ queryKey: approvalKeys.templates, queryFn: approvalsApi.templates });
  const builtins = useQuery({ queryKey: approvalKeys.builtins, queryFn: approvalsApi.builtins });
  const fail = (e: unknown) => void message.error(isApiError(e) ? e.message : String(e));
  const install = useMutation({
    mutationFn: approvalsApi.install,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: approvalKeys.templates }),
    onError: fail,
  });
  const archive = useMutation({
    mutationFn: ({ id, archived }: { id: number; archived: boolean }) => approvalsApi.archive(id, archived),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: approvalKeys.templates }),
    onError: fail,
  });
  const en = i18n.language === 'en-US';
  return (
    <div className="approvals-page" data-testid="templates-page">
      <div className="approvals-detail-head">
        <Button type="text" icon={<ArrowLeftOutlined />} onClick={() => void navigate('/approvals')} aria-label={t('approvals.back')} />
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('approvals.manage')}
        </Typography.Title>
      </div>
      <List
        loading={templates.isLoading}
        dataSource={(templates.data ?? []).filter((x) => x.can_manage)}
        renderItem={(x) => (
          <List.Item
            actions={[
              <Link key="edit" to={`/approvals/templates/${x.id}`} data-testid={`design-${x.builtin ?? x.id}`}>
                {t('approvals.designer.open')}
              </Link>,
              <Button key="archive" type="link" onClick={() => archive.mutate({ id: x.id, archived: !x.archived })}>
                {x.archived ? t('approvals.unarchive') : t('approvals.archive')}
              </Button>,
            ]}
          >
            <List.Item.Meta
              title={
                <Space>
                  {en && x.name_en ? x.name_en : x.name}
                  <Tag>v{x.version_number}</Tag>
                  {x.archived ? <Tag>{t('approvals.archived')}</Tag> : null}
                </Space>
              }
              description={x.description}
            />
          </List.Item>
        )}
      />
      <Card size="small" title={t('approvals.builtins')} style={{ marginTop: 16 }}>
        <div className="approvals-template-grid">
          {(builtins.data ?? []).map((b) => (
            <button
              key={b.key}
              type="button"
              className="approvals-template"
              onClick={() => install.mutate(b.key)}
              disabled={install.isPending}
              data-testid={`install-${b.key}`}
              title={b.description}
            >
              <span>{en ? b.name_en : b.name}</span>
              <small>{t('approvals.install')}</small>
            </button>
          ))}
        </div>
      </Card>
    </div>
  );
}
