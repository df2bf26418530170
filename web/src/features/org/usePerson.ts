import { useQuery } from '@tanstack/react-query';
import { orgApi, orgKeys } from './api';

export function usePerson(id: number | null) {
  return useQuery({
    queryKey: orgKeys.person(id ?? 0),
    queryFn: () => orgApi.person(id!),
    enabled: id !== null,
  });
}
