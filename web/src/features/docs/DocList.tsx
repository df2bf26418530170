import { FileTextOutlined, ImportOutlined, PlusOutlined, StarFilled, StarOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Empty, Input, List, Segmented, Space, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { isApiError } from '../../api/client';
import { useIsMobile } from '../../shell/useIsMobile';
import { docsApi, docsKeys } from './api';
import type { DocumentRead, Scope } from './types';

const SCOPES: Scope[] = ['mine', 'shared', 'recent', 'starred'];

export function DocList() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const isMobile = useIsMobile();
  const queryClient = useQueryClient();
  const [scope, setScope] = useState<Scope>('mine');
  const [q, setQ] = useState('');
  const list = useQuery({ queryKey: docsKeys.list(scope, null, q), queryFn: () => docsApi.list(scope, null, q) });
  const create = useMutation({
    mutationFn: () => docsApi.create(''),
    onSuccess: (doc) => navigate(`/docs/${doc.id}`),
    onError: (e) => message.error(isApiError(e) ? e.message : String(e)),
  });
  const star = useMutation({
    mutationFn: (doc: DocumentRead) => docsApi.star(doc.id, !doc.starred),
    onSettled: () => queryClient.invalidateQueries({ queryKey: docsKeys.all }),
  });
  const when = (iso: string) => new Date(iso).toLocaleString(i18n.language, { dateStyle: 'short', timeStyle: 'short' });

  return (
    <div className="docs-list-page" data-testid="docs-list">
      <div className="docs-list-head">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('docs.title')}
        </Typography.Title>
        <Space wrap>
          <Upload
            accept=".md,.markdown,.txt,.html,.htm,.docx"
            showUploadList={false}
            customRequest={({ file, onSuccess, onError }) => {
              docsApi
                .importFile(file as File)
                .then((doc) => {
                  onSuccess?.(doc);
                  message.success(t('docs.imported'));
                  navigate(`/docs/${doc.id}`);
                })
                .catch((e: unknown) => {
                  onError?.(e as Error);
                  const fields = isApiError(e) ? e.fields : undefined;
                  message.error(fields?.[0]?.message ?? (isApiError(e) ? e.message : String(e)));
                });
            }}
          >
            <Button icon={<ImportOutlined />} title={t('docs.importHint')} data-testid="docs-import">
              {t('docs.import')}
            </Button>
          </Upload>
          <Button type="primary" icon={<PlusOutlined />} loading={create.isPending} onClick={() => create.mutate()} data-testid="docs-new">
            {t('docs.new')}
          </Button>
        </Space>
      </div>
      <div className="docs-list-filters">
        <div className="docs-scopes">
          <Segmented<Scope>
            value={scope}
            onChange={setScope}
            options={SCOPES.map((s) => ({ value: s, label: t(`docs.scope.${s}`) }))}
          />
        </div>
        <Input.Search allowClear placeholder={t('docs.search')} onSearch={setQ} style={{ maxWidth: isMobile ? undefined : 260 }} />
      </div>
      <List<DocumentRead>
        loading={list.isLoading}
        dataSource={list.data ?? []}
        locale={{ emptyText: <Empty description={t('docs.empty')} /> }}
        renderItem={(doc) => (
          <List.Item
            className="docs-list-item"
            data-testid="docs-list-item"
            onClick={() => navigate(`/docs/${doc.id}`)}
            actions={[
              <Button
                key="star"
                type="text"
                aria-label={t(doc.starred ? 'docs.menu.unstar' : 'docs.menu.star')}
                icon={doc.starred ? <StarFilled style={{ color: '#faad14' }} /> : <StarOutlined />}
                onClick={(e) => {
                  e.stopPropagation();
                  star.mutate(doc);
                }}
              />,
            ]}
          >
            <List.Item.Meta
              avatar={<FileTextOutlined style={{ fontSize: 22, color: '#1677ff' }} />}
              title={
                <Space size={6} wrap>
                  <span>{doc.title || t('docs.untitled')}</span>
                  {doc.my_role !== 'owner' ? <Tag>{t(`docs.role.${doc.my_role}`)}</Tag> : null}
                </Space>
              }
              description={
                <span className="docs-list-meta">
                  {doc.owner.name} · {t('docs.updated', { time: when(doc.updated_at) })}
                  {doc.excerpt && !isMobile ? <span className="docs-list-excerpt"> — {doc.excerpt}</span> : null}
                </span>
              }
            />
          </List.Item>
        )}
      />
    </div>
  );
}
