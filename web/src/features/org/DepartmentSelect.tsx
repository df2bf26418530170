import { TreeSelect } from 'antd';
import { useMemo } from 'react';
import type { DepartmentNode } from './departmentTree';
import { useDepartments } from './useDepartments';

interface Option {
  value: number;
  title: string;
  disabled?: boolean;
  children: Option[];
}

function toOptions(nodes: DepartmentNode[], exclude?: Set<number>): Option[] {
  return nodes.map((n) => ({
    value: n.id,
    title: n.name,
    disabled: exclude?.has(n.id),
    children: toOptions(n.children, exclude),
  }));
}

/** Pick one or more departments from the tree (form control: value/onChange). */
export function DepartmentSelect({
  id,
  value,
  onChange,
  multiple,
  exclude,
  placeholder,
  allowClear,
}: {
  /** Set by Form.Item so its label points at this control. */
  id?: string;
  value?: number | number[] | null;
  onChange?: (value: number | number[] | null) => void;
  multiple?: boolean;
  exclude?: Set<number>;
  placeholder?: string;
  allowClear?: boolean;
}) {
  const { tree, isPending } = useDepartments();
  const treeData = useMemo(() => toOptions(tree, exclude), [tree, exclude]);
  return (
    <TreeSelect
      id={id}
      value={value ?? undefined}
      onChange={(v) => onChange?.((v as number | number[] | undefined) ?? null)}
      treeData={treeData}
      multiple={multiple}
      loading={isPending}
      treeDefaultExpandAll
      showSearch={{ treeNodeFilterProp: 'title' }}
      placeholder={placeholder}
      allowClear={allowClear}
      style={{ width: '100%' }}
    />
  );
}
