import { PlusOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App as AntApp, Button, Empty, Input, List, Space, Tag, Typography } from 'antd';
import { isApiError } from '../../api/client';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { meetingsApi, meetingsKeys } from './api';
import { meetingSpan } from './format';
import { MeetingFormModal } from './MeetingFormModal';
import './meetings.css';

/** My meetings (organised or invited), with a button for a new one. */
export default function MeetingsPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const { message } = AntApp.useApp();
  const [creating, setCreating] = useState(false);
  const meetings = useQuery({ queryKey: meetingsKeys.list, queryFn: meetingsApi.list });
  return (
    <div className="meetings-page">
      <Space className="meetings-toolbar" wrap>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {t('meetings.title')}
        </Typography.Title>
        <Space wrap>
          <Input.Search
            placeholder={t('meetings.room.numberHint')}
            enterButton={t('meetings.room.joinByNumber')}
            onSearch={(v) => {
              if (!v.trim()) return;
              meetingsApi
                .byNumber(v.trim())
                .then((m) => void navigate(`/meetings/${m.id}/room`))
                .catch((e: unknown) => void message.error(isApiError(e) ? e.message : t('meetings.failed')));
            }}
            style={{ width: 260 }}
            data-testid="join-number"
          />
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="new-meeting">
            {t('meetings.new')}
          </Button>
        </Space>
      </Space>
      <List
        loading={meetings.isLoading}
        dataSource={meetings.data ?? []}
        locale={{ emptyText: <Empty description={t('meetings.empty')} /> }}
        renderItem={(m) => (
          <List.Item
            className="meetings-item"
            onClick={() => void navigate(`/meetings/${m.id}`)}
            data-testid={`meeting-${m.id}`}
            extra={
              m.kind === 'in_person' ? (
                <Tag color="blue">{t('meetings.countOf', { checked: m.checked_in_count, invited: m.invited_count })}</Tag>
              ) : null
            }
          >
            <List.Item.Meta
              title={
                <Space wrap size={4}>
                  <span>{m.title}</span>
                  <Tag>{t(`meetings.kind.${m.kind}`)}</Tag>
                  {m.can_manage && <Tag color="gold">{t(`meetings.role.${m.my_role ?? 'host'}`)}</Tag>}
                </Space>
              }
              description={`${meetingSpan(m.start_utc, m.end_utc, m.tz, i18n.language)}${m.location ? ` · ${m.location}` : ''}`}
            />
          </List.Item>
        )}
      />
      <MeetingFormModal
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(m) => {
          setCreating(false);
          void navigate(`/meetings/${m.id}`);
        }}
      />
    </div>
  );
}
