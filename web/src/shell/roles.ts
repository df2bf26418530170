import type { Me } from '../api/types';

export function isOrgAdmin(me: Me | undefined): boolean {
  return !!me?.roles.includes('org_admin');
}

export function canAdminister(me: Me | undefined): boolean {
  return !!me && (me.roles.includes('org_admin') || me.roles.includes('dept_admin'));
}
