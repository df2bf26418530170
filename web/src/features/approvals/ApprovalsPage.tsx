import { AuditOutlined, PlusOutlined, SettingOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Badge, Button, Empty, Input, List, Segmented, Space, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMe } from '../auth/useMe';
import { useDebouncedValue } from '../org/useDebouncedValue';
import { isOrgAdmin } from '../../shell/roles';
import { useIsMobile } from '../../shell/useIsMobile';
import { approvalKeys, approvalsApi, type Box } from './api';
import { StatusTag } from './StatusTag';
import { useApprovalEvents } from './useApprovalEvents';
import './approvals.css';

const BOXES: Box[] = ['pending', 'processed', 'submitted', 'cc'];

function ago(iso: string, lang: string): string {
  return new Date(iso).toLocaleString(lang, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
}

/** 审批: start a request from a template, and the four inbox tabs with counts and search. */
export default function ApprovalsPage() {
  const { t, i18n } = useTranslation();
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const box = (BOXES.includes(params.get('box') as Box) ? params.get('box') : 'pending') as Box;
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search.trim(), 250);
  useApprovalEvents();
  const counts = useQuery({ queryKey: approvalKeys.counts, queryFn: approvalsApi.counts });
  const templates = useQuery({ queryKey: approvalKeys.templates, queryFn: approvalsApi.templates });
  const list = useInfiniteQuery({
    queryKey: approvalKeys.box(box, q),
    queryFn: ({ pageParam }) => approvalsApi.box(box, q, pageParam),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const usable = (templates.data ?? []).filter((tpl) => !tpl.archived);

  return (
    <div className={`approvals-page ${mobile ? 'is-mobile' : ''}`} data-testid="approvals-page">
      <div className="approvals-page-head">
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('approvals.title')}
        </Typography.Title>
        {isOrgAdmin(me.data) ? (
          <Link to="/approvals/templates">
            <Button icon={<SettingOutlined />}>{t('approvals.manage')}</Button>
          </Link>
        ) : null}
      </div>
      <section className="approvals-start">
        <Typography.Text type="secondary">{t('approvals.start')}</Typography.Text>
        {templates.isLoading ? (
          <Spin />
        ) : usable.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('approvals.noTemplates')} />
        ) : (
          <div className="approvals-template-grid">
            {usable.map((tpl) => (
              <button
                key={tpl.id}
                type="button"
                className="approvals-template"
                onClick={() => void navigate(`/approvals/new/${tpl.id}`)}
                data-testid={`start-${tpl.builtin ?? tpl.id}`}
              >
                <AuditOutlined className="approvals-template-icon" />
                <span>{i18n.language === 'en-US' && tpl.name_en ? tpl.name_en : tpl.name}</span>
              </button>
            ))}
          </div>
        )}
      </section>
      <Segmented
        block
        value={box}
        onChange={(v) => setParams({ box: v })}
        options={BOXES.map((b) => ({
          value: b,
          label: (
            <Space size={4}>
              {t(`approvals.box.${b}`)}
              {b === 'pending' && counts.data?.pending ? <Badge count={counts.data.pending} size="small" /> : null}
              {b === 'cc' && counts.data?.cc_unread ? <Badge count={counts.data.cc_unread} size="small" /> : null}
            </Space>
          ),
        }))}
        data-testid="boxes"
      />
      <Input.Search
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        placeholder={t('approvals.search')}
        allowClear
        style={{ margin: '12px 0' }}
      />
      <List
        loading={list.isLoading}
        dataSource={items}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t(`approvals.empty.${box}`)} /> }}
        renderItem={(r) => (
          <List.Item
            className="approvals-item"
            onClick={() => void navigate(`/approvals/requests/${r.id}`)}
            data-testid="request-item"
            data-request={r.id}
          >
            <List.Item.Meta
              title={
                <div className="approvals-item-title">
                  <span>{r.title}</span>
                  <StatusTag status={r.status} />
                </div>
              }
              description={
                <div className="approvals-item-desc">
                  <span>{ago(r.created_at, i18n.language)}</span>
                  {r.current.length ? <span>{t('approvals.waitingFor', { names: r.current.join('、') })}</span> : null}
                </div>
              }
            />
          </List.Item>
        )}
      />
      {list.hasNextPage ? (
        <Button block onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
          {t('approvals.loadMore')}
        </Button>
      ) : null}
      {mobile ? null : (
        <Typography.Paragraph type="secondary" style={{ marginTop: 16 }}>
          <PlusOutlined /> {t('approvals.hint')}
        </Typography.Paragraph>
      )}
    </div>
  );
}
