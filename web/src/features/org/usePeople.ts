import { useInfiniteQuery } from '@tanstack/react-query';
import type { PeopleQuery } from '../../api/types';
import { orgApi, orgKeys } from './api';

export function usePeople(query: PeopleQuery, enabled = true) {
  return useInfiniteQuery({
    queryKey: orgKeys.people(query),
    queryFn: ({ pageParam }) => orgApi.people({ ...query, cursor: pageParam ?? undefined }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled,
    placeholderData: (previous) => previous,
  });
}
