import { useCallback, useEffect, useRef, useState } from 'react';
import { subscribeStream } from '../../realtime/streamListeners';
import { imApi } from './api';

const SHOW_FOR_MS = 5_000;
const SEND_EVERY_MS = 3_000;

/** Who else is typing in this conversation, from the stream's ephemeral `im.typing` events. */
export function useTypingPeople(conversationId: number, myId: number): string[] {
  const [typing, setTyping] = useState<Map<number, { name: string; until: number }>>(() => new Map());

  useEffect(() => {
    const unsubscribe = subscribeStream((event) => {
      if (event.type === 'im.message') {
        // Their message arrived: they have stopped typing it.
        const message = event.message as { conversation_id?: number; sender?: { id: number } | null } | undefined;
        const senderId = message?.sender?.id;
        if (message?.conversation_id === conversationId && senderId !== undefined) {
          setTyping((prev) => {
            if (!prev.has(senderId)) return prev;
            const next = new Map(prev);
            next.delete(senderId);
            return next;
          });
        }
        return;
      }
      if (event.type !== 'im.typing' || event.conversation_id !== conversationId) return;
      const personId = Number(event.person_id);
      if (personId === myId) return;
      setTyping((prev) => new Map(prev).set(personId, { name: String(event.name ?? ''), until: Date.now() + SHOW_FOR_MS }));
    });
    const sweep = setInterval(() => {
      setTyping((prev) => {
        const now = Date.now();
        const next = new Map([...prev].filter(([, v]) => v.until > now));
        return next.size === prev.size ? prev : next;
      });
    }, 1_000);
    return () => {
      unsubscribe();
      clearInterval(sweep);
      setTyping(new Map());
    };
  }, [conversationId, myId]);

  return [...typing.values()].map((v) => v.name);
}

/** Call on every keystroke; tells the server at most once every 3 s. */
export function useSendTyping(conversationId: number): () => void {
  const last = useRef(0);
  return useCallback(() => {
    const now = Date.now();
    if (now - last.current < SEND_EVERY_MS) return;
    last.current = now;
    imApi.typing(conversationId).catch(() => {});
  }, [conversationId]);
}
