import { Empty, Skeleton, Tree } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useMemo } from 'react';
import type { DepartmentNode } from './departmentTree';

function toTreeData(nodes: DepartmentNode[]): DataNode[] {
  return nodes.map((node) => ({
    key: node.id,
    title: (
      <span className="dept-node">
        <span className="dept-node-name">{node.name}</span>
        <span className="dept-node-count">{node.totalMembers}</span>
      </span>
    ),
    children: toTreeData(node.children),
  }));
}

function topKeys(nodes: DepartmentNode[]): number[] {
  return nodes.map((n) => n.id);
}

export function DepartmentTree({
  tree,
  loading,
  selectedId,
  onSelect,
}: {
  tree: DepartmentNode[];
  loading: boolean;
  selectedId: number | null;
  onSelect: (id: number | null) => void;
}) {
  const data = useMemo(() => toTreeData(tree), [tree]);
  if (loading) return <Skeleton active paragraph={{ rows: 6 }} />;
  if (tree.length === 0) return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  return (
    <Tree
      blockNode
      showLine
      treeData={data}
      defaultExpandedKeys={topKeys(tree)}
      selectedKeys={selectedId !== null ? [selectedId] : []}
      onSelect={(keys) => onSelect(keys.length ? Number(keys[0]) : null)}
    />
  );
}
