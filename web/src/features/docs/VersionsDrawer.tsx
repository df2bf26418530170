import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Empty, Input, List, Modal, Space, Spin, Typography } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { docsApi, docsKeys } from './api';
import { errorText } from './errors';
import type { VersionRead } from './types';

const VersionViewer = lazy(() => import('./VersionViewer'));

/** Versions newest first: save one with a name, view one read-only, compare it with now, restore it. */
export function VersionsDrawer({ docId, canEdit }: { docId: number; canEdit: boolean }) {
  const { t, i18n } = useTranslation();
  const { message, modal } = App.useApp();
  const queryClient = useQueryClient();
  const versions = useQuery({ queryKey: docsKeys.versions(docId), queryFn: () => docsApi.versions(docId) });
  const [name, setName] = useState('');
  const [viewing, setViewing] = useState<VersionRead | null>(null);
  const [comparing, setComparing] = useState<VersionRead | null>(null);
  const diff = useQuery({
    queryKey: docsKeys.diff(docId, comparing?.id ?? 0),
    queryFn: () => docsApi.diff(docId, comparing!.id),
    enabled: comparing !== null,
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: docsKeys.versions(docId) });
  const save = useMutation({
    mutationFn: () => docsApi.createVersion(docId, name.trim()),
    onSuccess: () => {
      setName('');
      message.success(t('docs.versions.saved'));
      refresh();
    },
    onError: (e) => message.error(errorText(e)),
  });
  const label = (v: VersionRead) => v.name || t('docs.versions.auto');
  const when = (iso: string) => new Date(iso).toLocaleString(i18n.language, { dateStyle: 'short', timeStyle: 'short' });
  const changed = (diff.data ?? []).some((l) => l.op !== 'same');

  return (
    <div className="docs-versions" data-testid="versions-panel">
      <div className="docs-panel-head">
        <Typography.Text strong>{t('docs.versions.title')}</Typography.Text>
      </div>
      {canEdit ? (
        <Space.Compact block style={{ padding: '0 12px 12px' }}>
          <Input
            value={name}
            maxLength={100}
            placeholder={t('docs.versions.name')}
            onChange={(e) => setName(e.target.value)}
            data-testid="version-name"
          />
          <Button type="primary" disabled={!name.trim()} loading={save.isPending} onClick={() => save.mutate()} data-testid="version-save">
            {t('docs.versions.save')}
          </Button>
        </Space.Compact>
      ) : null}
      <List<VersionRead>
        loading={versions.isLoading}
        dataSource={versions.data ?? []}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('docs.versions.empty')} /> }}
        renderItem={(v) => (
          <List.Item data-testid="version-item" style={{ padding: '8px 12px', display: 'block' }}>
            <div>
              <Typography.Text strong>{label(v)}</Typography.Text>
              <Typography.Text type="secondary"> · {when(v.created_at)}{v.created_by ? ` · ${v.created_by.name}` : ''}</Typography.Text>
            </div>
            <Space size={0} wrap>
              <Button type="link" size="small" onClick={() => setViewing(v)}>
                {t('docs.versions.view')}
              </Button>
              <Button type="link" size="small" onClick={() => setComparing(v)} data-testid="version-diff">
                {t('docs.versions.diff')}
              </Button>
              {canEdit ? (
                <Button
                  type="link"
                  size="small"
                  data-testid="version-restore"
                  onClick={() =>
                    modal.confirm({
                      title: t('docs.versions.restore'),
                      content: t('docs.versions.restoreConfirm'),
                      onOk: async () => {
                        try {
                          await docsApi.restore(docId, v.id);
                          message.success(t('docs.versions.restored'));
                          refresh();
                        } catch (e) {
                          message.error(errorText(e));
                        }
                      },
                    })
                  }
                >
                  {t('docs.versions.restore')}
                </Button>
              ) : null}
            </Space>
          </List.Item>
        )}
      />
      <Modal
        open={viewing !== null}
        onCancel={() => setViewing(null)}
        footer={null}
        width={820}
        title={viewing ? t('docs.versions.viewing', { name: label(viewing) }) : ''}
        destroyOnHidden
      >
        {viewing ? (
          <Suspense fallback={<Spin />}>
            <VersionViewer docId={docId} versionId={viewing.id} />
          </Suspense>
        ) : null}
      </Modal>
      <Modal
        open={comparing !== null}
        onCancel={() => setComparing(null)}
        footer={null}
        width={720}
        title={comparing ? `${t('docs.versions.diff')} · ${label(comparing)}` : ''}
        destroyOnHidden
      >
        {diff.isLoading ? <Spin /> : null}
        {diff.data && !changed ? <Typography.Paragraph>{t('docs.versions.noChanges')}</Typography.Paragraph> : null}
        <div className="docs-diff" data-testid="version-diff-lines">
          {(diff.data ?? []).map((line, i) => (
            <div key={i} className={`docs-diff-${line.op}`}>
              {line.op === 'added' ? '+ ' : line.op === 'removed' ? '− ' : '  '}
              {line.text || ' '}
            </div>
          ))}
        </div>
      </Modal>
    </div>
  );
}
