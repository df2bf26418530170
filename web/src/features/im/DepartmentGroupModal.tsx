import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Modal, TreeSelect, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { orgApi, orgKeys } from '../org/api';
import { imApi, imKeys } from './api';
import { departmentTree } from './groupRules';

/** Org and department admins make a department's group; it then follows the org chart. */
export function DepartmentGroupModal({
  open,
  onClose,
  isOrgAdmin,
  adminOf,
}: {
  open: boolean;
  onClose: () => void;
  isOrgAdmin: boolean;
  adminOf: readonly number[];
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [departmentId, setDepartmentId] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const departments = useQuery({ queryKey: orgKeys.departments, queryFn: orgApi.departments, enabled: open });
  const tree = useMemo(() => departmentTree(departments.data ?? [], isOrgAdmin, adminOf), [departments.data, isOrgAdmin, adminOf]);

  const create = async () => {
    if (departmentId === null) return;
    setBusy(true);
    try {
      const c = await imApi.createDepartmentGroup(departmentId);
      await queryClient.invalidateQueries({ queryKey: imKeys.conversations });
      setDepartmentId(null);
      onClose();
      void navigate(`/im/${c.id}`);
    } catch (e) {
      message.error(e instanceof Error ? e.message : t('common.error'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={t('im.departmentGroup.title')}
      onCancel={onClose}
      onOk={() => void create()}
      okText={t('im.departmentGroup.create')}
      cancelText={t('common.cancel')}
      okButtonProps={{ disabled: departmentId === null, loading: busy }}
      destroyOnHidden
    >
      <label htmlFor="im-department-pick" className="im-field-label">
        {t('im.departmentGroup.pick')}
      </label>
      <TreeSelect
        id="im-department-pick"
        data-testid="im-department-pick"
        style={{ width: '100%' }}
        treeData={tree}
        value={departmentId ?? undefined}
        onChange={(v: number) => setDepartmentId(v)}
        placeholder={t('im.departmentGroup.placeholder')}
        loading={departments.isPending}
        showSearch={{ treeNodeFilterProp: 'title' }}
        treeDefaultExpandAll
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {t('im.departmentGroup.hint')}
      </Typography.Paragraph>
    </Modal>
  );
}
