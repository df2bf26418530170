import { ApartmentOutlined, PlusOutlined, SearchOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Dropdown, Empty, Input, Result, Skeleton } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe } from '../auth/useMe';
import { ConversationItem } from './ConversationItem';
import { DepartmentGroupModal } from './DepartmentGroupModal';
import { NewChatModal } from './NewChatModal';
import { NewGroupModal } from './NewGroupModal';
import { SearchDrawer } from './SearchDrawer';
import type { PersonRef } from './types';
import { useConversations } from './useConversations';

const NO_DEPARTMENTS: number[] = [];

export function ConversationList({ activeId, me }: { activeId: number | null; me: PersonRef }) {
  const { t } = useTranslation();
  const conversations = useConversations();
  const [newChat, setNewChat] = useState(false);
  const [newGroup, setNewGroup] = useState(false);
  const [newDepartmentGroup, setNewDepartmentGroup] = useState(false);
  const account = useMe().data;
  const isOrgAdmin = account?.roles.includes('org_admin') ?? false;
  const adminOf = account?.admin_department_ids ?? NO_DEPARTMENTS;
  const canMakeDepartmentGroups = isOrgAdmin || adminOf.length > 0;
  const [showArchived, setShowArchived] = useState(false);
  const [search, setSearch] = useState<string | null>(null);

  const all = conversations.data ?? [];
  const archivedCount = all.filter((c) => c.archived).length;
  const shown = all.filter((c) => c.archived === showArchived);

  return (
    <div className="im-list">
      <div className="im-list-head">
        <Input
          prefix={<SearchOutlined />}
          placeholder={t('im.search.placeholder')}
          aria-label={t('im.search.title')}
          readOnly
          onClick={() => setSearch('')}
          onFocus={() => setSearch((s) => s ?? '')}
          data-testid="im-search-open"
        />
        <Dropdown
          trigger={['click']}
          menu={{
            items: [
              { key: 'chat', icon: <UserOutlined />, label: t('im.newChat') },
              { key: 'group', icon: <TeamOutlined />, label: t('im.newGroup') },
              ...(canMakeDepartmentGroups
                ? [{ key: 'department', icon: <ApartmentOutlined />, label: t('im.departmentGroup.menu') }]
                : []),
            ],
            onClick: ({ key }) => {
              if (key === 'chat') setNewChat(true);
              else if (key === 'group') setNewGroup(true);
              else setNewDepartmentGroup(true);
            },
          }}
        >
          <Button icon={<PlusOutlined />} aria-label={t('im.new')} data-testid="im-new" />
        </Dropdown>
      </div>
      <div className="im-list-body" data-testid="im-conversations">
        {conversations.isPending && <Skeleton avatar active paragraph={{ rows: 1 }} style={{ padding: 12 }} />}
        {conversations.isError && (
          <Result
            status="warning"
            title={conversations.error.message}
            extra={<Button onClick={() => void conversations.refetch()}>{t('common.retry')}</Button>}
          />
        )}
        {conversations.isSuccess && shown.length === 0 && (
          <Empty description={showArchived ? t('im.noArchived') : t('im.noConversations')} style={{ marginTop: 48 }}>
            {!showArchived && (
              <Button type="primary" onClick={() => setNewChat(true)}>
                {t('im.newChat')}
              </Button>
            )}
          </Empty>
        )}
        {shown.map((c) => (
          <ConversationItem key={c.id} conversation={c} active={c.id === activeId} myId={me.id} />
        ))}
        {(archivedCount > 0 || showArchived) && (
          <Button type="link" block onClick={() => setShowArchived(!showArchived)}>
            {showArchived ? t('im.backToInbox') : t('im.archivedCount', { count: archivedCount })}
          </Button>
        )}
      </div>
      <NewChatModal open={newChat} onClose={() => setNewChat(false)} myId={me.id} />
      <NewGroupModal open={newGroup} onClose={() => setNewGroup(false)} myId={me.id} />
      {canMakeDepartmentGroups && (
        <DepartmentGroupModal
          open={newDepartmentGroup}
          onClose={() => setNewDepartmentGroup(false)}
          isOrgAdmin={isOrgAdmin}
          adminOf={adminOf}
        />
      )}
      <SearchDrawer open={search !== null} onClose={() => setSearch(null)} />
    </div>
  );
}
