import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Checkbox, DatePicker, Drawer, Empty, Input, List, Select, Space, Spin } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useIsMobile } from '../../shell/useIsMobile';
import { PersonSelect } from '../org/PersonSelect';
import { imApi, imKeys } from './api';
import { conversationName, listTime, senderName } from './format';
import { Snippet } from './Snippet';
import type { SearchQuery } from './types';
import { useConversations } from './useConversations';

function dayString(d: { format: (f: string) => string } | null | undefined): string | undefined {
  return d ? d.format('YYYY-MM-DD') : undefined;
}

export function SearchDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const isMobile = useIsMobile();
  const navigate = useNavigate();
  const conversations = useConversations();
  const [text, setText] = useState('');
  const [conversationId, setConversationId] = useState<number | undefined>();
  const [senderId, setSenderId] = useState<number | null>(null);
  const [hasFile, setHasFile] = useState(false);
  const [range, setRange] = useState<[string | undefined, string | undefined]>([undefined, undefined]);
  const [query, setQuery] = useState<SearchQuery | null>(null);

  const results = useInfiniteQuery({
    queryKey: imKeys.search(query ?? { q: '' }),
    queryFn: ({ pageParam }) => imApi.search({ ...(query ?? { q: '' }), cursor: pageParam ?? undefined }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled: query !== null,
  });
  const hits = results.data?.pages.flatMap((p) => p.items) ?? [];

  const run = () => {
    const q = text.trim();
    if (!q) return;
    setQuery({
      q,
      conversation_id: conversationId,
      sender_id: senderId ?? undefined,
      has_file: hasFile || undefined,
      date_from: range[0],
      date_to: range[1],
    });
  };

  return (
    <Drawer open={open} onClose={onClose} title={t('im.search.title')} size={isMobile ? '100%' : 520} placement={isMobile ? 'right' : 'left'}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Input.Search
          value={text}
          onChange={(e) => setText(e.target.value)}
          onSearch={run}
          placeholder={t('im.search.placeholder')}
          enterButton
          autoFocus
          data-testid="im-search-input"
        />
        <div className="im-search-filters">
          <Select
            allowClear
            value={conversationId}
            onChange={setConversationId}
            placeholder={t('im.search.inConversation')}
            options={(conversations.data ?? []).map((c) => ({ value: c.id, label: conversationName(c) }))}
            style={{ minWidth: 160, flex: 1 }}
          />
          <div style={{ minWidth: 140, flex: 1 }}>
            <PersonSelect value={senderId} onChange={setSenderId} placeholder={t('im.search.sender')} />
          </div>
          <DatePicker.RangePicker
            onChange={(v) => setRange([dayString(v?.[0]), dayString(v?.[1])])}
            style={{ flex: 2, minWidth: 220 }}
          />
          <Checkbox checked={hasFile} onChange={(e) => setHasFile(e.target.checked)}>
            {t('im.search.hasFile')}
          </Checkbox>
        </div>
        {query && results.isPending && <Spin />}
        {query && results.isError && <div>{results.error.message}</div>}
        {query && results.isSuccess && hits.length === 0 && <Empty description={t('im.search.none')} />}
        {hits.length > 0 && (
          <List
            dataSource={hits}
            renderItem={(hit) => (
              <List.Item
                className="im-search-hit"
                onClick={() => {
                  onClose();
                  void navigate(`/im/${hit.conversation.id}?seq=${hit.message.seq}`);
                }}
                data-testid="im-search-hit"
              >
                <div className="im-search-hit-inner">
                  <div className="im-search-meta">
                    <span>{hit.conversation.name}</span>
                    <span>
                      {senderName(hit.message, t)} · {listTime(hit.message.created_at, t, i18n.language)}
                    </span>
                  </div>
                  <div className="im-search-snippet">
                    <Snippet text={hit.snippet} />
                  </div>
                </div>
              </List.Item>
            )}
          />
        )}
        {results.hasNextPage && (
          <Button block onClick={() => void results.fetchNextPage()} loading={results.isFetchingNextPage}>
            {t('common.loadMore')}
          </Button>
        )}
      </Space>
    </Drawer>
  );
}
