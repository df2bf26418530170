import type { LocalMessage } from './types';

const GROUP_WINDOW_MS = 5 * 60_000;
export function isContinued(prev: LocalMessage | undefined, m: LocalMessage): boolean {
  if (!prev || prev.kind === 'system' || m.kind === 'system') return false;
  const sameSender = prev.sender ? prev.sender.id === m.sender?.id : !!m.bot_name && prev.bot_name === m.bot_name;
  return sameSender && new Date(m.created_at).getTime() - new Date(prev.created_at).getTime() < GROUP_WINDOW_MS;
}

