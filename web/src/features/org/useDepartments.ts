import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { orgApi, orgKeys } from './api';
import { buildDepartmentTree } from './departmentTree';

export function useDepartments() {
  const query = useQuery({ queryKey: orgKeys.departments, queryFn: orgApi.departments, staleTime: 60_000 });
  const tree = useMemo(() => buildDepartmentTree(query.data ?? []), [query.data]);
  return { ...query, tree };
}
