import { ArrowDownOutlined } from '@ant-design/icons';
import { Button, Spin } from 'antd';
import { useEffect, useLayoutEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { isContinued } from './grouping';
import { MessageRow } from './MessageRow';
import type { LocalMessage } from './types';

const NEAR_EDGE_PX = 150;

/**
 * The scrolling timeline: sticks to the bottom while the reader is there, keeps its place when
 * older messages are put on top, and asks for more at either end.
 */
export function MessageList({
  messages,
  hasMoreBefore,
  hasMoreAfter,
  loadingOlder,
  onLoadOlder,
  onLoadNewer,
  onJumpToLatest,
  anchorSeq,
}: {
  messages: LocalMessage[];
  hasMoreBefore: boolean;
  hasMoreAfter: boolean;
  loadingOlder: boolean;
  onLoadOlder: () => void;
  onLoadNewer: () => void;
  onJumpToLatest: () => void;
  anchorSeq: number | null;
}) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const content = useRef<HTMLDivElement>(null);
  const stick = useRef(anchorSeq === null);
  const prevFirst = useRef<number | null>(null);
  const prevHeight = useRef(0);
  const anchored = useRef<number | null>(null);

  const firstId = messages[0]?.id ?? null;
  const lastId = messages[messages.length - 1]?.id ?? null;
  const lastMine = messages[messages.length - 1]?.pending ?? false;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    if (anchorSeq !== null && anchored.current !== anchorSeq) {
      const row = el.querySelector<HTMLElement>(`[data-seq="${anchorSeq}"]`);
      if (row) {
        anchored.current = anchorSeq;
        stick.current = false;
        row.scrollIntoView({ block: 'center' });
      }
    } else if (prevFirst.current !== null && firstId !== prevFirst.current && !stick.current) {
      // Older messages went on top: keep what the reader was looking at in place.
      el.scrollTop += el.scrollHeight - prevHeight.current;
    } else if (stick.current || lastMine) {
      el.scrollTop = el.scrollHeight;
    }
    prevFirst.current = firstId;
    prevHeight.current = el.scrollHeight;
  }, [firstId, lastId, lastMine, anchorSeq, messages.length]);

  // Pictures load after the rows: follow them down while stuck to the bottom.
  useEffect(() => {
    const el = scroller.current;
    const inner = content.current;
    if (!el || !inner || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      if (stick.current) el.scrollTop = el.scrollHeight;
      prevHeight.current = el.scrollHeight;
    });
    ro.observe(inner);
    return () => ro.disconnect();
  }, []);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    stick.current = fromBottom < 40 && !hasMoreAfter;
    prevHeight.current = el.scrollHeight;
    if (el.scrollTop < NEAR_EDGE_PX && hasMoreBefore) onLoadOlder();
    if (fromBottom < NEAR_EDGE_PX && hasMoreAfter) onLoadNewer();
  };

  return (
    <div className="im-scroller" ref={scroller} onScroll={onScroll} data-testid="im-timeline">
      <div ref={content} className="im-timeline">
        <div className="im-history-edge">
          {loadingOlder ? <Spin size="small" /> : hasMoreBefore ? (
            <Button type="link" size="small" onClick={onLoadOlder}>
              {t('im.loadOlder')}
            </Button>
          ) : messages.length > 0 ? (
            <span>{t('im.startOfHistory')}</span>
          ) : (
            <span>{t('im.noMessages')}</span>
          )}
        </div>
        {messages.map((m, i) => (
          <MessageRow key={m.client_msg_id ?? m.id} message={m} continued={isContinued(messages[i - 1], m)} highlighted={m.seq === anchorSeq} />
        ))}
      </div>
      {hasMoreAfter && (
        <Button className="im-jump-latest" shape="round" icon={<ArrowDownOutlined />} onClick={onJumpToLatest}>
          {t('im.jumpToLatest')}
        </Button>
      )}
    </div>
  );
}
