import type { Department } from '../../api/types';

export interface DepartmentNode extends Department {
  children: DepartmentNode[];
  /** Members of this department and all below it. */
  totalMembers: number;
}

/** Builds the tree from the flat list; orphans (parent not visible to us) become roots. */
export function buildDepartmentTree(departments: Department[]): DepartmentNode[] {
  const nodes = new Map<number, DepartmentNode>();
  for (const d of departments) nodes.set(d.id, { ...d, children: [], totalMembers: d.member_count });
  const roots: DepartmentNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parent_id !== null ? nodes.get(node.parent_id) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const order = (a: DepartmentNode, b: DepartmentNode) => a.sort_order - b.sort_order || a.id - b.id;
  const finish = (list: DepartmentNode[]): number => {
    list.sort(order);
    let sum = 0;
    for (const n of list) {
      n.totalMembers = n.member_count + finish(n.children);
      sum += n.totalMembers;
    }
    return sum;
  };
  finish(roots);
  return roots;
}

/** Ids of `id` and every department below it (a department cannot move under these). */
export function descendantIds(departments: Department[], id: number): Set<number> {
  const result = new Set<number>([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const d of departments) {
      if (d.parent_id !== null && result.has(d.parent_id) && !result.has(d.id)) {
        result.add(d.id);
        grew = true;
      }
    }
  }
  return result;
}
