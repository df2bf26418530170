import { CloseOutlined, PaperClipOutlined, PictureOutlined, SendOutlined } from '@ant-design/icons';
import { App, Button, Input, Progress } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { useRef, useState, type ChangeEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useIsMobile } from '../../shell/useIsMobile';
import { MENTION_ALL } from './markdownParse';
import { encodeMentions, insertMention, mentionAt } from './mentionQuery';
import type { MemberRead, MessageCreate, ReplyRef } from './types';
import { uploadFile } from './uploadFile';
import { linkCardIn } from './linkCards';

const MAX_LENGTH = 10_000;

interface Upload {
  key: string;
  name: string;
  percent: number;
}

export function Composer({
  members,
  myId,
  replyTo,
  onCancelReply,
  onSend,
  onTyping,
  placeholder,
  autoFocus = false,
}: {
  members: MemberRead[];
  myId: number;
  replyTo: ReplyRef | null;
  onCancelReply: () => void;
  onSend: (fields: Omit<MessageCreate, 'client_msg_id'>) => void;
  onTyping?: () => void;
  placeholder?: string;
  autoFocus?: boolean;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const isMobile = useIsMobile();
  const [text, setText] = useState('');
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const area = useRef<TextAreaRef>(null);
  const imageInput = useRef<HTMLInputElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const mention = mentionAt(text, caret);
  const candidates =
    mention && mention.start !== dismissed
      ? [
          ...members.filter((m) => m.person_id !== myId).map((m) => m.name),
          ...(members.length > 2 ? [MENTION_ALL[0]] : []),
        ]
          .filter((name) => name.toLowerCase().includes(mention.query.toLowerCase()))
          .slice(0, 8)
      : [];
  const activeIndex = Math.min(active, Math.max(0, candidates.length - 1));

  const pick = (name: string) => {
    if (!mention) return;
    const next = insertMention(text, mention.start, caret, name);
    setText(next.text);
    setCaret(next.caret);
    setActive(0);
    requestAnimationFrame(() => {
      const el = area.current?.resizableTextArea?.textArea;
      el?.focus();
      el?.setSelectionRange(next.caret, next.caret);
    });
  };

  const submit = () => {
    const body = text.trim();
    if (!body) return;
    if (body.length > MAX_LENGTH) {
      message.error(t('im.tooLong', { max: MAX_LENGTH }));
      return;
    }
    const people = members.filter((m) => m.person_id !== myId).map((m) => ({ id: m.person_id, name: m.name }));
    const linkCard = linkCardIn(body, window.location.origin);
    onSend({
      body: encodeMentions(body, people, members.length > 2),
      reply_to_id: replyTo?.id,
      ...(linkCard ? { link_card: linkCard } : {}),
    });
    setText('');
    setCaret(0);
    onCancelReply();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.nativeEvent.isComposing) return; // the IME is choosing characters
    if (candidates.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const delta = e.key === 'ArrowDown' ? 1 : -1;
        setActive((activeIndex + delta + candidates.length) % candidates.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        pick(candidates[activeIndex]);
        return;
      }
      if (e.key === 'Escape') {
        setDismissed(mention?.start ?? null);
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !isMobile) {
      e.preventDefault();
      submit();
    }
  };

  const onChange = (e: ChangeEvent<HTMLTextAreaElement>) => {
    setText(e.target.value);
    setCaret(e.target.selectionStart ?? e.target.value.length);
    setDismissed(null);
    if (e.target.value) onTyping?.();
  };

  const attach = async (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      const key = `${file.name}-${Date.now()}-${Math.random()}`;
      setUploads((u) => [...u, { key, name: file.name, percent: 0 }]);
      try {
        const stored = await uploadFile(file, (percent) =>
          setUploads((u) => u.map((x) => (x.key === key ? { ...x, percent } : x))),
        );
        onSend({ body: '', file_ids: [stored.id], reply_to_id: replyTo?.id });
      } catch (e) {
        message.error(t('im.uploadFailed', { name: file.name, reason: e instanceof Error ? e.message : '' }));
      } finally {
        setUploads((u) => u.filter((x) => x.key !== key));
      }
    }
  };

  return (
    <div className="im-composer" data-testid="im-composer">
      {replyTo && (
        <div className="im-reply-chip" data-testid="im-reply-chip">
          <span className="im-reply-chip-text">
            {t('im.replyingTo', { name: replyTo.sender_name })}: {replyTo.excerpt}
          </span>
          <Button type="text" size="small" icon={<CloseOutlined />} aria-label={t('im.cancelReply')} onClick={onCancelReply} />
        </div>
      )}
      {uploads.map((u) => (
        <div key={u.key} className="im-upload">
          <span className="im-upload-name">{u.name}</span>
          <Progress percent={u.percent} size="small" />
        </div>
      ))}
      {candidates.length > 0 && (
        <ul className="im-mention-list" role="listbox" aria-label={t('im.mentionSomeone')}>
          {candidates.map((name, i) => (
            <li
              key={name}
              role="option"
              aria-selected={i === activeIndex}
              className={i === activeIndex ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(name);
              }}
            >
              @{name}
            </li>
          ))}
        </ul>
      )}
      <div className="im-composer-row">
        <Button type="text" icon={<PictureOutlined />} aria-label={t('im.attachImage')} onClick={() => imageInput.current?.click()} />
        <Button type="text" icon={<PaperClipOutlined />} aria-label={t('im.attachFile')} onClick={() => fileInput.current?.click()} />
        <input
          ref={imageInput}
          type="file"
          accept="image/*"
          multiple
          hidden
          onChange={(e) => {
            void attach(e.target.files);
            e.target.value = '';
          }}
        />
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          onChange={(e) => {
            void attach(e.target.files);
            e.target.value = '';
          }}
        />
        <Input.TextArea
          ref={area}
          value={text}
          onChange={onChange}
          onKeyDown={onKeyDown}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
          autoSize={{ minRows: 1, maxRows: 6 }}
          placeholder={placeholder ?? (isMobile ? t('im.composerPlaceholderPhone') : t('im.composerPlaceholder'))}
          aria-label={t('im.composerLabel')}
          autoFocus={autoFocus}
          data-testid="im-input"
        />
        <Button
          type="primary"
          icon={<SendOutlined />}
          onClick={submit}
          disabled={!text.trim()}
          aria-label={t('im.send')}
          data-testid="im-send"
        >
          {isMobile ? null : t('im.send')}
        </Button>
      </div>
    </div>
  );
}
