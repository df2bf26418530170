import { UserAddOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Badge, Button, Divider, Drawer, Input, List, Space, Switch, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useIsMobile } from '../../shell/useIsMobile';
import { orgApi, orgKeys } from '../org/api';
import { PersonAvatar } from '../org/PersonAvatar';
import { imApi } from './api';
import { memberActions } from './groupRules';
import { GroupAvatarSection, JoinLinkSection, LeaveGroupButton, MemberMenu } from './GroupSettings';
import { PeopleMultiSelect } from './PeopleMultiSelect';
import type { ConversationDetail, ConversationRead, MemberRead, PersonRef } from './types';
import { useConversationMutation } from './useConversations';
import { WebhookSection } from './WebhookSection';

const PRESENCE_STATUS = { online: 'success', away: 'warning', offline: 'default' } as const;

export function MemberPanel({
  open,
  onClose,
  conversation,
  detail,
  members,
  me,
}: {
  open: boolean;
  onClose: () => void;
  conversation: ConversationRead;
  detail: ConversationDetail | undefined;
  members: MemberRead[];
  me: PersonRef;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const isMobile = useIsMobile();
  const id = conversation.id;
  const isGroup = conversation.kind !== 'direct';
  const admin = conversation.my_role === 'owner' || conversation.my_role === 'admin';
  const ids = members.map((m) => m.person_id);
  const presence = useQuery({
    queryKey: orgKeys.presence(ids),
    queryFn: () => orgApi.presence(ids),
    enabled: open && ids.length > 0,
  });
  const presenceOf = (personId: number): keyof typeof PRESENCE_STATUS => {
    const value = (presence.data as Record<string, string> | undefined)?.[String(personId)];
    return value === 'online' || value === 'away' ? value : 'offline';
  };

  const [adding, setAdding] = useState<number[]>([]);
  const [name, setName] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState<string | null>(null);
  const mine = useConversationMutation(id, (body: { muted?: boolean; pinned?: boolean; archived?: boolean }) => imApi.updateMine(id, body));
  const update = useConversationMutation(id, (body: { name?: string; announcement?: string }) => imApi.updateConversation(id, body));
  const add = useConversationMutation(id, (personIds: number[]) => imApi.addMembers(id, personIds));
  const fail = (e: unknown) => message.error(e instanceof Error ? e.message : t('common.error'));

  return (
    <Drawer open={open} onClose={onClose} title={t('im.details')} size={isMobile ? '100%' : 400} data-testid="im-member-panel">
      {isGroup && <GroupAvatarSection conversation={conversation} admin={admin} />}
      <Space orientation="vertical" style={{ width: '100%' }}>
        <label className="im-toggle">
          <span>{t('im.mute')}</span>
          <Switch checked={conversation.muted} onChange={(v) => mine.mutate({ muted: v }, { onError: fail })} />
        </label>
        <label className="im-toggle">
          <span>{t('im.pin')}</span>
          <Switch checked={conversation.pinned} onChange={(v) => mine.mutate({ pinned: v }, { onError: fail })} />
        </label>
        <label className="im-toggle">
          <span>{t('im.archive')}</span>
          <Switch checked={conversation.archived} onChange={(v) => mine.mutate({ archived: v }, { onError: fail })} />
        </label>
      </Space>
      {isGroup && (
        <>
          <Divider />
          <Typography.Title level={5}>{t('im.groupName')}</Typography.Title>
          {admin ? (
            <Space.Compact style={{ width: '100%' }}>
              <Input value={name ?? conversation.name} onChange={(e) => setName(e.target.value)} maxLength={100} />
              <Button
                disabled={name === null || !name.trim() || name === conversation.name}
                loading={update.isPending}
                onClick={() => update.mutate({ name: (name ?? '').trim() }, { onError: fail, onSuccess: () => setName(null) })}
              >
                {t('common.save')}
              </Button>
            </Space.Compact>
          ) : (
            <div>{conversation.name}</div>
          )}
          <Typography.Title level={5} style={{ marginTop: 16 }}>
            {t('im.announcement')}
          </Typography.Title>
          {admin ? (
            <>
              <Input.TextArea
                value={announcement ?? detail?.announcement ?? ''}
                onChange={(e) => setAnnouncement(e.target.value)}
                autoSize={{ minRows: 2, maxRows: 8 }}
                maxLength={5000}
              />
              <Button
                style={{ marginTop: 8 }}
                disabled={announcement === null}
                loading={update.isPending}
                onClick={() =>
                  update.mutate({ announcement: announcement ?? '' }, { onError: fail, onSuccess: () => setAnnouncement(null) })
                }
              >
                {t('common.save')}
              </Button>
            </>
          ) : (
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{detail?.announcement || t('im.noAnnouncement')}</Typography.Paragraph>
          )}
        </>
      )}
      {conversation.kind === 'group' && admin && (
        <>
          <Divider />
          <Typography.Title level={5}>{t('im.joinLink.title')}</Typography.Title>
          <JoinLinkSection conversation={conversation} detail={detail} />
        </>
      )}
      <Divider />
      <Typography.Title level={5}>{t('im.membersCount', { count: members.length })}</Typography.Title>
      {conversation.kind === 'group' && (
        <Space.Compact style={{ width: '100%', marginBottom: 8 }}>
          <div style={{ flex: 1, minWidth: 0 }}>
            <PeopleMultiSelect value={adding} onChange={setAdding} excludeIds={ids} placeholder={t('im.addMembers')} />
          </div>
          <Button
            icon={<UserAddOutlined />}
            disabled={adding.length === 0}
            loading={add.isPending}
            onClick={() => add.mutate(adding, { onError: fail, onSuccess: () => setAdding([]) })}
            aria-label={t('im.addMembers')}
          />
        </Space.Compact>
      )}
      <List
        size="small"
        dataSource={members}
        renderItem={(m) => (
          <List.Item
            actions={
              memberActions(conversation.kind, conversation.my_role, me.id, m).length > 0
                ? [<MemberMenu key="menu" conversation={conversation} member={m} myId={me.id} />]
                : []
            }
          >
            <span className="im-member">
              <Badge dot status={PRESENCE_STATUS[presenceOf(m.person_id)]} offset={[-4, 30]}>
                <PersonAvatar id={m.person_id} name={m.name} fileId={null} size={32} />
              </Badge>
              <span className="im-member-name">{m.name}</span>
              {m.role !== 'member' && <Tag color={m.role === 'owner' ? 'gold' : 'blue'}>{t(`im.role.${m.role}`)}</Tag>}
            </span>
          </List.Item>
        )}
      />
      {isGroup && admin && (
        <>
          <Divider />
          <WebhookSection conversationId={id} />
        </>
      )}
      {conversation.kind === 'group' && (
        <>
          <Divider />
          <LeaveGroupButton conversation={conversation} myId={me.id} />
        </>
      )}
    </Drawer>
  );
}
