import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useRef, useState } from 'react';
import { imApi, imKeys } from './api';
import { appendNewer, fromPage, mergeLatest, prependOlder, type Timeline } from './messageCache';

/** One conversation's main timeline: newest page first, then back through history on demand. */
export function useTimeline(conversationId: number) {
  const queryClient = useQueryClient();
  const key = imKeys.messages(conversationId);
  const query = useQuery({
    queryKey: key,
    queryFn: async () =>
      mergeLatest(queryClient.getQueryData<Timeline>(key), await imApi.messages(conversationId)),
    // Events keep it current; a resync invalidates it.
    staleTime: Infinity,
  });
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [loadingNewer, setLoadingNewer] = useState(false);
  const busy = useRef(false);

  const loadOlder = useCallback(async () => {
    const current = queryClient.getQueryData<Timeline>(imKeys.messages(conversationId));
    if (!current?.hasMoreBefore || current.items.length === 0 || busy.current) return;
    busy.current = true;
    setLoadingOlder(true);
    try {
      const page = await imApi.messages(conversationId, { before_seq: current.items[0].seq });
      queryClient.setQueryData<Timeline>(imKeys.messages(conversationId), (t) => (t ? prependOlder(t, page) : t));
    } finally {
      busy.current = false;
      setLoadingOlder(false);
    }
  }, [conversationId, queryClient]);

  const loadNewer = useCallback(async () => {
    const current = queryClient.getQueryData<Timeline>(imKeys.messages(conversationId));
    if (!current?.hasMoreAfter || current.items.length === 0 || busy.current) return;
    busy.current = true;
    setLoadingNewer(true);
    try {
      const page = await imApi.messages(conversationId, { after_seq: current.items[current.items.length - 1].seq });
      queryClient.setQueryData<Timeline>(imKeys.messages(conversationId), (t) => (t ? appendNewer(t, page) : t));
    } finally {
      busy.current = false;
      setLoadingNewer(false);
    }
  }, [conversationId, queryClient]);

  /** Opens the timeline around one message (from search), replacing the window we hold. */
  const jumpTo = useCallback(
    async (seq: number) => {
      const current = queryClient.getQueryData<Timeline>(imKeys.messages(conversationId));
      if (current?.items.some((m) => m.seq === seq)) return;
      const page = await imApi.messages(conversationId, { around_seq: seq });
      queryClient.setQueryData<Timeline>(imKeys.messages(conversationId), fromPage(page));
    },
    [conversationId, queryClient],
  );

  const jumpToLatest = useCallback(async () => {
    const page = await imApi.messages(conversationId);
    queryClient.setQueryData<Timeline>(imKeys.messages(conversationId), fromPage(page));
  }, [conversationId, queryClient]);

  return { ...query, loadOlder, loadNewer, loadingOlder, loadingNewer, jumpTo, jumpToLatest };
}
