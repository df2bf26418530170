import { SmileOutlined } from '@ant-design/icons';
import { Button, Popover } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

const COMMON_EMOJI = ['👍', '❤️', '😄', '🎉', '👏', '🙏', '👌', '😂', '🤔', '😮', '😢', '🔥'];

export function EmojiPicker({ onPick, size = 'small' }: { onPick: (emoji: string) => void; size?: 'small' | 'middle' }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const grid = (
    <div className="im-emoji-grid" role="listbox" aria-label={t('im.react')}>
      {COMMON_EMOJI.map((emoji) => (
        <button
          key={emoji}
          type="button"
          role="option"
          aria-selected={false}
          className="im-emoji"
          onClick={() => {
            setOpen(false);
            onPick(emoji);
          }}
        >
          {emoji}
        </button>
      ))}
    </div>
  );
  return (
    <Popover content={grid} trigger="click" open={open} onOpenChange={setOpen} placement="top">
      <Button type="text" size={size} icon={<SmileOutlined />} aria-label={t('im.react')} />
    </Popover>
  );
}
