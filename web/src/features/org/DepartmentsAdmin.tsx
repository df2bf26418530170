import { DeleteOutlined, DragOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Skeleton, Space, Tooltip, Tree } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import { showFormErrors } from '../../api/formErrors';
import type { Department } from '../../api/types';
import { orgApi, orgKeys } from './api';
import { DepartmentSelect } from './DepartmentSelect';
import { descendantIds, type DepartmentNode } from './departmentTree';
import { useDepartments } from './useDepartments';

type Editing =
  | { kind: 'create'; parentId: number | null }
  | { kind: 'rename'; department: Department }
  | { kind: 'move'; department: Department };

interface Values {
  name?: string;
  parent_id?: number | null;
}

function DepartmentModal({ editing, all, onClose }: { editing: Editing; all: Department[]; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const exclude = useMemo(
    () => (editing.kind === 'move' ? descendantIds(all, editing.department.id) : undefined),
    [editing, all],
  );
  const save = useMutation({
    mutationFn: (v: Values) => {
      if (editing.kind === 'create') return orgApi.createDepartment({ name: v.name!.trim(), parent_id: editing.parentId });
      if (editing.kind === 'rename') return orgApi.updateDepartment(editing.department.id, { name: v.name!.trim() });
      return orgApi.updateDepartment(editing.department.id, { parent_id: v.parent_id ?? null });
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: orgKeys.all });
      void message.success(t('common.saved'));
      onClose();
    },
    onError: (e) => {
      showFormErrors(form, e, (text) => void message.error(text), t('common.error'));
    },
  });
  const parentName = editing.kind === 'create' && editing.parentId !== null ? all.find((d) => d.id === editing.parentId)?.name : null;
  const title =
    editing.kind === 'create'
      ? parentName
        ? t('admin.departments.createUnder', { name: parentName })
        : t('admin.departments.createTop')
      : t(`admin.departments.${editing.kind}Title`, { name: editing.department.name });

  return (
    <Modal
      open
      title={title}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={save.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
    >
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={
          editing.kind === 'create'
            ? {}
            : { name: editing.department.name, parent_id: editing.department.parent_id }
        }
        onFinish={(v) => save.mutate(v)}
      >
        {editing.kind !== 'move' ? (
          <Form.Item name="name" label={t('admin.departments.name')} rules={[{ required: true, whitespace: true, message: t('common.required') }]}>
            <Input maxLength={100} autoFocus />
          </Form.Item>
        ) : (
          <Form.Item name="parent_id" label={t('admin.departments.parent')} extra={t('admin.departments.parentHint')}>
            <DepartmentSelect exclude={exclude} allowClear placeholder={t('admin.departments.topLevel')} />
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}

export function DepartmentsAdmin() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const departments = useDepartments();
  const [editing, setEditing] = useState<Editing | null>(null);

  const remove = useMutation({
    mutationFn: orgApi.deleteDepartment,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: orgKeys.all });
      void message.success(t('admin.departments.deleted'));
    },
    // 409 department_not_empty: the server explains why, in the user's language.
    onError: (e) => void message.error(isApiError(e) ? e.message : t('common.error')),
  });

  const toData = (nodes: DepartmentNode[]): DataNode[] =>
    nodes.map((node) => ({
      key: node.id,
      title: (
        <span className="dept-admin-node">
          <span>
            {node.name} <span style={{ color: '#8c8c8c' }}>({node.member_count})</span>
          </span>
          <Space size={0} className="dept-admin-actions" onClick={(e) => e.stopPropagation()}>
            <Tooltip title={t('admin.departments.addChild')}>
              <Button type="text" size="small" icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'create', parentId: node.id })} aria-label={t('admin.departments.addChild')} />
            </Tooltip>
            <Tooltip title={t('admin.departments.rename')}>
              <Button type="text" size="small" icon={<EditOutlined />} onClick={() => setEditing({ kind: 'rename', department: node })} aria-label={t('admin.departments.rename')} />
            </Tooltip>
            <Tooltip title={t('admin.departments.move')}>
              <Button type="text" size="small" icon={<DragOutlined />} onClick={() => setEditing({ kind: 'move', department: node })} aria-label={t('admin.departments.move')} />
            </Tooltip>
            <Popconfirm
              title={t('admin.departments.deleteConfirm', { name: node.name })}
              okText={t('common.delete')}
              cancelText={t('common.cancel')}
              okButtonProps={{ danger: true }}
              onConfirm={() => remove.mutateAsync(node.id).catch(() => undefined)}
            >
              <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={t('common.delete')} />
            </Popconfirm>
          </Space>
        </span>
      ),
      children: toData(node.children),
    }));

  return (
    <div>
      <div style={{ marginBottom: 12 }}>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ kind: 'create', parentId: null })}>
          {t('admin.departments.createTop')}
        </Button>
      </div>
      {departments.isError && <Alert type="error" showIcon title={departments.error.message} />}
      {departments.isPending ? (
        <Skeleton active />
      ) : (
        <Tree blockNode showLine selectable={false} defaultExpandAll treeData={toData(departments.tree)} className="dept-admin-tree" />
      )}
      {editing && <DepartmentModal editing={editing} all={departments.data ?? []} onClose={() => setEditing(null)} />}
    </div>
  );
}
