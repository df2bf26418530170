import { LinkOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, List, Modal, Segmented, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DepartmentSelect } from '../org/DepartmentSelect';
import { PersonSelect } from '../org/PersonSelect';
import { docsApi, docsKeys } from './api';
import { errorText } from './errors';
import type { DocumentRead, GrantRole } from './types';

const ROLES: GrantRole[] = ['editor', 'commenter', 'viewer'];

/** Who may open the document: people, departments (with their sub-departments), the link. */
export function ShareModal({ open, onClose, doc }: { open: boolean; onClose: () => void; doc: DocumentRead }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const isOwner = doc.my_role === 'owner';
  const grants = useQuery({ queryKey: docsKeys.grants(doc.id), queryFn: () => docsApi.grants(doc.id), enabled: open });
  const [kind, setKind] = useState<'person' | 'department'>('person');
  const [target, setTarget] = useState<number | null>(null);
  const [role, setRole] = useState<GrantRole>('editor');
  const refresh = () => {
    queryClient.invalidateQueries({ queryKey: docsKeys.grants(doc.id) });
    queryClient.invalidateQueries({ queryKey: docsKeys.doc(doc.id) });
  };
  const onError = (e: unknown) => message.error(errorText(e));
  const grant = useMutation({
    mutationFn: (body: { role: GrantRole; person_id?: number; department_id?: number }) => docsApi.grant(doc.id, body),
    onSuccess: () => {
      setTarget(null);
      refresh();
    },
    onError,
  });
  const revoke = useMutation({ mutationFn: (grantId: number) => docsApi.revoke(doc.id, grantId), onSuccess: refresh, onError });
  const link = useMutation({
    mutationFn: (value: GrantRole | 'none') => docsApi.update(doc.id, { link_role: value }),
    onSuccess: refresh,
    onError,
  });
  const roleOptions = ROLES.map((r) => ({ value: r, label: t(`docs.role.${r}`) }));
  const linkValue = doc.link_role ?? 'none';

  return (
    <Modal open={open} onCancel={onClose} footer={null} title={t('docs.share.title')} destroyOnHidden data-testid="share-modal">
      <Typography.Text strong>{t('docs.share.link')}</Typography.Text>
      <Space.Compact block style={{ margin: '8px 0 16px' }}>
        <Select<GrantRole | 'none'>
          value={linkValue}
          disabled={!isOwner}
          style={{ flex: 1 }}
          data-testid="share-link-role"
          onChange={(v) => link.mutate(v)}
          options={[
            { value: 'none', label: t('docs.share.linkNone') },
            { value: 'viewer', label: t('docs.share.linkViewer') },
            { value: 'commenter', label: t('docs.share.linkCommenter') },
            { value: 'editor', label: t('docs.share.linkEditor') },
          ]}
        />
        <Button
          icon={<LinkOutlined />}
          onClick={() => {
            void navigator.clipboard?.writeText(`${window.location.origin}/docs/${doc.id}`);
            message.success(t('docs.share.linkCopied'));
          }}
        >
          {t('docs.share.copyLink')}
        </Button>
      </Space.Compact>
      {isOwner ? (
        <>
          <Typography.Text strong>{t('docs.share.add')}</Typography.Text>
          <div className="docs-share-add">
            <Segmented
              value={kind}
              onChange={(v) => {
                setKind(v as 'person' | 'department');
                setTarget(null);
              }}
              options={[
                { value: 'person', label: t('docs.share.person') },
                { value: 'department', label: t('docs.share.department') },
              ]}
            />
            <div className="docs-share-target" data-testid="share-target">
              {kind === 'person' ? (
                <PersonSelect value={target} onChange={setTarget} placeholder={t('docs.share.pickPerson')} excludeId={doc.owner.id} />
              ) : (
                <DepartmentSelect
                  value={target}
                  onChange={(v) => setTarget(typeof v === 'number' ? v : null)}
                  placeholder={t('docs.share.pickDepartment')}
                />
              )}
            </div>
            <Select<GrantRole> value={role} onChange={setRole} options={roleOptions} style={{ width: 110 }} data-testid="share-role" />
            <Button
              type="primary"
              disabled={target === null}
              loading={grant.isPending}
              data-testid="share-invite"
              onClick={() =>
                target !== null &&
                grant.mutate(kind === 'person' ? { role, person_id: target } : { role, department_id: target })
              }
            >
              {t('docs.share.invite')}
            </Button>
          </div>
        </>
      ) : (
        <Typography.Paragraph type="secondary">{t('docs.share.ownerOnly')}</Typography.Paragraph>
      )}
      <Typography.Text strong>{t('docs.share.members')}</Typography.Text>
      <List
        size="small"
        loading={grants.isLoading}
        dataSource={[{ id: 0, name: doc.owner.name, role: 'owner' as const }, ...(grants.data ?? []).map((g) => ({
          id: g.id,
          name: g.person?.name ?? `${g.department?.name ?? ''}`,
          role: g.role,
        }))]}
        renderItem={(row) => (
          <List.Item
            data-testid="share-grant"
            actions={
              row.role === 'owner' || !isOwner
                ? [<span key="r">{t(`docs.role.${row.role}`)}</span>]
                : [
                    <Select<GrantRole>
                      key="role"
                      size="small"
                      value={row.role}
                      options={roleOptions}
                      onChange={(v) => {
                        const g = grants.data?.find((x) => x.id === row.id);
                        if (g) grant.mutate({ role: v, person_id: g.person?.id, department_id: g.department?.id });
                      }}
                    />,
                    <Button key="remove" type="link" danger size="small" onClick={() => revoke.mutate(row.id)}>
                      {t('docs.share.remove')}
                    </Button>,
                  ]
            }
          >
            {row.name}
          </List.Item>
        )}
      />
    </Modal>
  );
}
