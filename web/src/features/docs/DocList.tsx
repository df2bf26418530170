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

type Row = DocumentRead & { snippet?: string };

const SCOPES: Scope[] = ['mine', 'shared', 'recent', 'starred'];

export function DocList() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const isMobile = useIsMobile();
  const queryClient = useQueryClient();
  const [scope, setScope] = useState<Scope>('mine');
  const [q, setQ] = useState('');
  const [typed, setTyped] = useState('');
  // With a query, search all I may read (title and text) instead of filtering one scope.
  const list = useQuery({
    queryKey: q ? [...docsKeys.all, 'search', q] : docsKeys.list(scope, null, ''),
    queryFn: async (): Promise<Row[]> =>
      q ? (await docsApi.search(q)).map((hit) => ({ ...hit.document, snippet: hit.snippet })) : docsApi.list(scope, null),
  });
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
            onChange={(value) => {
              setScope(value);
              setQ('');
              setTyped('');
            }}
            options={SCOPES.map((s) => ({ value: s, label: t(`docs.scope.${s}`) }))}
          />
        </div>
        <Input.Search
          allowClear
          value={typed}
          onChange={(e) => {
            setTyped(e.target.value);
            if (!e.target.value) setQ('');
          }}
          placeholder={t('docs.search')} onSearch={(value) => setQ(value.trim())} data-testid="docs-search" style={{ maxWidth: isMobile ? undefined : 260 }} />
      </div>
      <List<Row>
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
                  {doc.excerpt && !isMobile && !doc.snippet ? <span className="docs-list-excerpt"> — {doc.excerpt}</span> : null}
                  {doc.snippet ? (
                    <span className="docs-search-snippet" data-testid="docs-search-snippet">
                      {highlight(doc.snippet)}
                    </span>
                  ) : null}
                </span>
              }
            />
          </List.Item>
        )}
      />
    </div>
  );
}

/** Search snippets mark matches with \u0002…\u0003 (as message search does). */
function highlight(snippet: string) {
  return snippet.split('\u0002').map((part, i) => {
    const [match, rest] = i === 0 ? ['', part] : part.split('\u0003');
    return (
      <span key={i}>
        {match ? <mark>{match}</mark> : null}
        {rest ?? ''}
      </span>
    );
  });
}
