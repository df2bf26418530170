import { CameraOutlined, LogoutOutlined, MoreOutlined, ReloadOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Dropdown, QRCode, Space, Switch, Typography } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { imApi, imKeys } from './api';
import { ConversationAvatar } from './ConversationAvatar';
import { joinUrl, linkExpired, memberActions, type MemberAction } from './groupRules';
import type { ConversationDetail, ConversationRead, MemberRead } from './types';
import { uploadFile } from './uploadFile';
import { useConversationMutation } from './useConversations';

const errorText = (e: unknown, fallback: string) => (e instanceof Error ? e.message : fallback);

/** Admins turn joining by link/QR code on and off, copy the link, and reset it. */
export function JoinLinkSection({ conversation, detail }: { conversation: ConversationRead; detail: ConversationDetail | undefined }) {
  const { t, i18n } = useTranslation();
  const { message, modal } = App.useApp();
  const id = conversation.id;
  const toggle = useConversationMutation(id, (on: boolean) => imApi.updateConversation(id, { join_by_link: on }));
  const reset = useConversationMutation(id, () => imApi.resetLink(id));
  const fail = (e: unknown) => message.error(errorText(e, t('common.error')));
  const on = detail?.join_by_link ?? false;
  const token = detail?.link_token;
  const url = token ? joinUrl(window.location.origin, token) : null;
  const expired = linkExpired(detail?.link_expires_at);

  return (
    <div data-testid="im-join-link-section">
      <label className="im-toggle">
        <span>{t('im.joinLink.toggle')}</span>
        <Switch
          checked={on}
          loading={toggle.isPending}
          disabled={!detail}
          onChange={(v) => toggle.mutate(v, { onError: fail })}
          data-testid="im-join-link-toggle"
        />
      </label>
      {on && url && (
        <div className="im-join-link">
          {expired ? (
            <Alert type="warning" showIcon title={t('im.joinLink.expired')} />
          ) : (
            <>
              <QRCode value={url} size={160} bordered={false} className="im-join-qr" />
              <Typography.Paragraph copyable={{ text: url, tooltips: [t('im.joinLink.copy'), t('im.copied')] }} className="im-join-url" data-testid="im-join-link">
                {url}
              </Typography.Paragraph>
              {detail?.link_expires_at && (
                <Typography.Text type="secondary">
                  {t('im.joinLink.validUntil', { date: new Date(detail.link_expires_at).toLocaleString(i18n.language, { dateStyle: 'medium', timeStyle: 'short' }) })}
                </Typography.Text>
              )}
            </>
          )}
          <Button
            icon={<ReloadOutlined />}
            loading={reset.isPending}
            onClick={() =>
              modal.confirm({
                title: t('im.joinLink.resetConfirm'),
                okText: t('im.joinLink.reset'),
                cancelText: t('common.cancel'),
                onOk: () => reset.mutateAsync(undefined).catch(fail),
              })
            }
          >
            {t('im.joinLink.reset')}
          </Button>
        </div>
      )}
    </div>
  );
}

/** The group's picture: admins upload one of their own images or take it away. */
export function GroupAvatarSection({ conversation, admin }: { conversation: ConversationRead; admin: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const id = conversation.id;
  const input = useRef<HTMLInputElement>(null);
  const [uploading, setUploading] = useState<number | null>(null);
  const update = useConversationMutation(id, (fileId: string | null) => imApi.updateConversation(id, { avatar_file_id: fileId }));
  const fail = (e: unknown) => message.error(errorText(e, t('common.error')));

  const pick = async (file: File) => {
    setUploading(0);
    try {
      const stored = await uploadFile(file, setUploading);
      await update.mutateAsync(stored.id);
    } catch (e) {
      fail(e);
    } finally {
      setUploading(null);
    }
  };

  return (
    <div className="im-group-avatar">
      <ConversationAvatar conversation={conversation} size={56} />
      {admin && (
        <Space wrap>
          <Button icon={<CameraOutlined />} loading={uploading !== null} onClick={() => input.current?.click()}>
            {uploading !== null ? t('im.avatar.uploading', { percent: uploading }) : t('im.avatar.change')}
          </Button>
          {conversation.avatar_file_id && (
            <Button type="link" onClick={() => update.mutate(null, { onError: fail })}>
              {t('im.avatar.remove')}
            </Button>
          )}
          <input
            ref={input}
            type="file"
            accept="image/png,image/jpeg,image/gif,image/webp"
            hidden
            aria-label={t('im.avatar.change')}
            data-testid="im-avatar-input"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void pick(file);
            }}
          />
        </Space>
      )}
    </div>
  );
}

/** The owner's and admins' menu on one member row. */
export function MemberMenu({ conversation, member, myId }: { conversation: ConversationRead; member: MemberRead; myId: number }) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const id = conversation.id;
  const role = useConversationMutation(id, (r: 'admin' | 'member') => imApi.setRole(id, member.person_id, r));
  const transfer = useConversationMutation(id, () => imApi.transferOwner(id, member.person_id));
  const remove = useConversationMutation(id, () => imApi.removeMember(id, member.person_id));
  const actions = memberActions(conversation.kind, conversation.my_role, myId, member);
  if (actions.length === 0) return null;
  const fail = (e: unknown) => message.error(errorText(e, t('common.error')));
  const name = member.name;

  const run = (action: MemberAction) => {
    switch (action) {
      case 'makeAdmin':
      case 'removeAdmin':
        role.mutate(action === 'makeAdmin' ? 'admin' : 'member', {
          onError: fail,
          onSuccess: () => message.success(t(action === 'makeAdmin' ? 'im.memberMenu.madeAdmin' : 'im.memberMenu.removedAdmin', { name })),
        });
        break;
      case 'transfer':
        modal.confirm({
          title: t('im.memberMenu.transferConfirm', { name }),
          content: t('im.memberMenu.transferHint'),
          okText: t('im.memberMenu.transfer'),
          cancelText: t('common.cancel'),
          onOk: () => transfer.mutateAsync(undefined).catch(fail),
        });
        break;
      case 'remove':
        modal.confirm({
          title: t('im.removeMemberConfirm', { name }),
          okButtonProps: { danger: true },
          okText: t('im.remove'),
          cancelText: t('common.cancel'),
          onOk: () => remove.mutateAsync(undefined).catch(fail),
        });
        break;
    }
  };

  const label: Record<MemberAction, string> = {
    makeAdmin: t('im.memberMenu.makeAdmin'),
    removeAdmin: t('im.memberMenu.removeAdmin'),
    transfer: t('im.memberMenu.transfer'),
    remove: t('im.remove'),
  };
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items: actions.map((a) => ({ key: a, label: label[a], danger: a === 'remove' })),
        onClick: ({ key }) => run(key as MemberAction),
      }}
    >
      <Button type="text" size="small" icon={<MoreOutlined />} aria-label={t('im.memberMenu.label', { name })} data-testid="im-member-menu" />
    </Dropdown>
  );
}

/** Leave the group. The owner is told by the server to hand it over first, and we show that. */
export function LeaveGroupButton({ conversation, myId }: { conversation: ConversationRead; myId: number }) {
  const { t } = useTranslation();
  const { modal } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const leave = async () => {
    try {
      await imApi.removeMember(conversation.id, myId);
    } catch (e) {
      modal.error({ title: t('im.leave.failed'), content: errorText(e, t('common.error')), okText: t('im.leave.gotIt') });
      return;
    }
    await queryClient.invalidateQueries({ queryKey: imKeys.conversations });
    void navigate('/im');
  };
  return (
    <Button
      danger
      block
      icon={<LogoutOutlined />}
      data-testid="im-leave"
      onClick={() =>
        modal.confirm({
          title: t('im.leave.confirm', { name: conversation.name }),
          okButtonProps: { danger: true },
          okText: t('im.leave.button'),
          cancelText: t('common.cancel'),
          onOk: leave,
        })
      }
    >
      {t('im.leave.button')}
    </Button>
  );
}
