import type { TFunction } from 'i18next';
import { plainText } from './markdownParse';
import type { ConversationRead, MessageRead } from './types';

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** List time: 14:05 today, "昨天 / Yesterday", 3/14 this year, 2024/3/14 before. */
export function listTime(iso: string, t: TFunction, locale: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  if (sameDay(d, now)) return d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', hour12: false });
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (sameDay(d, yesterday)) return t('im.yesterday');
  if (d.getFullYear() === now.getFullYear()) return d.toLocaleDateString(locale, { month: 'numeric', day: 'numeric' });
  return d.toLocaleDateString(locale, { year: 'numeric', month: 'numeric', day: 'numeric' });
}

export function messageTime(iso: string, locale: string, now: Date = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const time = d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', hour12: false });
  if (sameDay(d, now)) return time;
  return `${d.toLocaleDateString(locale, { month: 'numeric', day: 'numeric' })} ${time}`;
}

export function senderName(message: MessageRead, t: TFunction): string {
  return message.sender?.name ?? message.bot_name ?? t('im.system');
}

/** One line for the conversation list and quotes: "[图片]", "[文件] a.pdf", "X 撤回了一条消息"… */
export function previewText(message: MessageRead, t: TFunction): string {
  if (message.recalled) return t('im.recalledBy', { name: message.recalled_by_name ?? senderName(message, t) });
  switch (message.kind) {
    case 'image':
      return t('im.preview.image');
    case 'file':
      return `${t('im.preview.file')} ${message.files[0]?.name ?? ''}`.trim();
    case 'card':
      return `${t('im.preview.card')} ${message.card?.title ?? ''}`.trim();
    default:
      return plainText(message.body);
  }
}

export function conversationName(c: Pick<ConversationRead, 'kind' | 'name' | 'peer'>): string {
  return c.kind === 'direct' && c.peer ? c.peer.name : c.name;
}
