import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { notifyApi, notifyKeys } from './api';

export function useUnreadCount() {
  return useQuery({
    queryKey: notifyKeys.unread,
    queryFn: notifyApi.unreadCount,
    // The event stream invalidates this; the interval is only a safety net.
    refetchInterval: 120_000,
  });
}

export function useNotifications(unreadOnly: boolean, enabled = true) {
  return useInfiniteQuery({
    queryKey: notifyKeys.list(unreadOnly),
    queryFn: ({ pageParam }) => notifyApi.list(pageParam, unreadOnly),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled,
  });
}

export function useMarkRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: notifyApi.markRead,
    onSettled: () => queryClient.invalidateQueries({ queryKey: notifyKeys.all }),
  });
}

export function useReadAll() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: notifyApi.readAll,
    onSettled: () => queryClient.invalidateQueries({ queryKey: notifyKeys.all }),
  });
}
