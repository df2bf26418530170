import { useTranslation } from 'react-i18next';
import type { LocalMessage } from './types';
import { usePane } from './paneContext';

export function ReactionBar({ message }: { message: LocalMessage }) {
  const { t } = useTranslation();
  const { onReact } = usePane();
  if (message.reactions.length === 0 || message.recalled) return null;
  return (
    <div className="im-reactions">
      {message.reactions.map((r) => (
        <button
          key={r.emoji}
          type="button"
          className={`im-reaction${r.mine ? ' mine' : ''}`}
          aria-pressed={r.mine}
          aria-label={t('im.reactionLabel', { emoji: r.emoji, count: r.count })}
          onClick={() => onReact(message, r.emoji)}
        >
          <span>{r.emoji}</span> <span>{r.count}</span>
        </button>
      ))}
    </div>
  );
}
