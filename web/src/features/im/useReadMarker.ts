import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef } from 'react';
import { imApi, imKeys } from './api';
import type { ConversationRead } from './types';
import { patchConversation } from './useConversations';

const DEBOUNCE_MS = 500;

/**
 * Marks messages read when they are really on screen: rows register with an
 * IntersectionObserver, and the highest visible seq is sent once per quiet half second.
 * Returns the ref callback for rows (which carry `data-seq`).
 */
export function useReadMarker(conversationId: number, readSeq: number) {
  const queryClient = useQueryClient();
  const sent = useRef(readSeq);
  const seen = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const observer = useRef<IntersectionObserver | null>(null);

  useEffect(() => {
    sent.current = Math.max(sent.current, readSeq);
  }, [readSeq]);

  const flush = useCallback(() => {
    timer.current = null;
    const seq = seen.current;
    if (seq <= sent.current || document.hidden) return;
    sent.current = seq;
    imApi
      .markRead(conversationId, seq)
      .then((state) => {
        queryClient.setQueryData<ConversationRead[]>(imKeys.conversations, (list) =>
          patchConversation(list, conversationId, (c) => ({
            ...c,
            read_seq: Math.max(c.read_seq, state.read_seq),
            unread_count: state.unread_count,
            mention_count: state.unread_count === 0 ? 0 : c.mention_count,
          })),
        );
      })
      .catch(() => {
        sent.current = Math.min(sent.current, readSeq);
      });
  }, [conversationId, queryClient, readSeq]);

  const schedule = useCallback(() => {
    if (timer.current === null) timer.current = setTimeout(flush, DEBOUNCE_MS);
  }, [flush]);

  useEffect(() => {
    if (typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          const seq = Number((entry.target as HTMLElement).dataset.seq);
          if (Number.isFinite(seq) && seq > seen.current) seen.current = seq;
        }
        schedule();
      },
      { threshold: 0.6 },
    );
    observer.current = io;
    const onVisible = () => {
      if (!document.hidden) schedule();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      io.disconnect();
      observer.current = null;
      document.removeEventListener('visibilitychange', onVisible);
      if (timer.current !== null) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [schedule]);

  return useCallback((el: HTMLElement | null) => {
    const io = observer.current;
    if (!el || !io) return undefined;
    io.observe(el);
    return () => io.unobserve(el);
  }, []);
}
