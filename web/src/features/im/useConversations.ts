import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { imApi, imKeys } from './api';
import { rememberNames } from './nameRegistry';
import type { ConversationRead } from './types';

/** Pinned first, then by last activity — the server's order, kept when we update the cache. */
export function sortConversations(list: ConversationRead[]): ConversationRead[] {
  return [...list].sort((a, b) => {
    if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
    const at = a.last_message?.created_at ?? a.updated_at;
    const bt = b.last_message?.created_at ?? b.updated_at;
    return bt.localeCompare(at);
  });
}

export function useConversations() {
  return useQuery({
    queryKey: imKeys.conversations,
    queryFn: async () => {
      const list = await imApi.conversations();
      rememberNames(list.flatMap((c) => (c.peer ? [c.peer] : [])));
      return list;
    },
    staleTime: 60_000,
  });
}

export function useConversation(id: number | null) {
  return useQuery({
    queryKey: imKeys.conversation(id ?? 0),
    queryFn: () => imApi.conversation(id ?? 0),
    enabled: id !== null,
  });
}

export function useMembers(id: number | null) {
  return useQuery({
    queryKey: imKeys.members(id ?? 0),
    queryFn: async () => {
      const members = await imApi.members(id ?? 0);
      rememberNames(members.map((m) => ({ id: m.person_id, name: m.name })));
      return members;
    },
    enabled: id !== null,
    staleTime: 60_000,
  });
}

/** Invalidates what a change to one conversation's settings or members can affect. */
export function useConversationMutation<A>(conversationId: number, fn: (args: A) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: imKeys.conversations }),
        queryClient.invalidateQueries({ queryKey: imKeys.conversation(conversationId) }),
        queryClient.invalidateQueries({ queryKey: imKeys.members(conversationId) }),
      ]),
  });
}

export function patchConversation(
  list: ConversationRead[] | undefined,
  id: number,
  patch: (c: ConversationRead) => ConversationRead,
): ConversationRead[] | undefined {
  if (!list) return list;
  return list.map((c) => (c.id === id ? patch(c) : c));
}
