import { isApiError } from '../../api/client';
import type { ConversationKind, MemberRead, MemberRole } from './types';

/** The address a join link or its QR code carries. */
export function joinUrl(origin: string, token: string): string {
  return `${origin}/im/join/${encodeURIComponent(token)}`;
}

export function linkExpired(expiresAt: string | null | undefined, now: Date = new Date()): boolean {
  return !!expiresAt && new Date(expiresAt).getTime() <= now.getTime();
}

export type MemberAction = 'makeAdmin' | 'removeAdmin' | 'transfer' | 'remove';

/**
 * What I may do to one member, as the server allows it: the owner makes and removes admins and
 * hands the group over; owner and admins remove members (never the owner). Department groups
 * follow the org chart, so nobody removes anyone there.
 */
export function memberActions(kind: ConversationKind, myRole: MemberRole, myId: number, member: MemberRead): MemberAction[] {
  if (kind === 'direct' || member.person_id === myId || member.role === 'owner') return [];
  const actions: MemberAction[] = [];
  if (myRole === 'owner') {
    actions.push(member.role === 'admin' ? 'removeAdmin' : 'makeAdmin', 'transfer');
  }
  if (kind === 'group' && (myRole === 'owner' || myRole === 'admin')) actions.push('remove');
  return actions;
}

/** A server refusal the join page explains in its own words; anything else shows the server's message. */
export function joinErrorKey(error: unknown): 'im.join.expired' | 'im.join.invalid' | null {
  if (!isApiError(error)) return null;
  if (error.code === 'im_link_expired') return 'im.join.expired';
  if (error.code === 'im_link_invalid') return 'im.join.invalid';
  return null;
}

export interface DepartmentLike {
  id: number;
  name: string;
  parent_id: number | null;
}

export interface DepartmentNode {
  value: number;
  title: string;
  disabled: boolean;
  children: DepartmentNode[];
}

/**
 * The org chart as a tree to pick from, with the departments I may not make a group for greyed
 * out (an org admin may pick any; a department admin theirs, whose ids come already expanded).
 */
export function departmentTree(
  departments: DepartmentLike[],
  isOrgAdmin: boolean,
  adminOf: readonly number[],
): DepartmentNode[] {
  const mine = new Set(adminOf);
  const nodes = new Map<number, DepartmentNode>();
  for (const d of departments) {
    nodes.set(d.id, { value: d.id, title: d.name, disabled: !isOrgAdmin && !mine.has(d.id), children: [] });
  }
  const roots: DepartmentNode[] = [];
  for (const d of departments) {
    const node = nodes.get(d.id);
    const parent = d.parent_id === null ? undefined : nodes.get(d.parent_id);
    if (!node) continue;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  // Branches with nothing to pick are noise for a department admin.
  const prune = (list: DepartmentNode[]): DepartmentNode[] =>
    list
      .map((n) => ({ ...n, children: prune(n.children) }))
      .filter((n) => !n.disabled || n.children.length > 0);
  return prune(roots);
}
