import { CloseOutlined, FullscreenOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Result, Space, Spin } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { isApiError } from '../../api/client';
import { meetingsApi, meetingsKeys } from './api';
import { useMeetingEvents } from './useMeetingEvents';
import type { MeetingCheckedInEvent } from './types';
import './meetings.css';

// A static code is fetched again now and then only to keep the count honest if the stream drops.
const STATIC_REFRESH_MS = 30_000;

/** The full-screen code at the door: the QR (rotating when the meeting asks), the live count. */
export default function DisplayPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const meetingId = Number(useParams().meetingId);
  const meeting = useQuery({ queryKey: meetingsKeys.meeting(meetingId), queryFn: () => meetingsApi.get(meetingId) });
  const code = useQuery({
    queryKey: meetingsKeys.display(meetingId),
    queryFn: () => meetingsApi.display(meetingId),
    refetchInterval: (q) => {
      const expires = q.state.data?.expires_at;
      if (!expires) return STATIC_REFRESH_MS;
      return Math.max(500, new Date(expires).getTime() - Date.now() + 200);
    },
  });
  const [live, setLive] = useState<{ count: number; name: string } | null>(null);
  const onCheckedIn = useCallback((e: MeetingCheckedInEvent) => setLive({ count: e.checked_in, name: e.name }), []);
  useMeetingEvents(meetingId, onCheckedIn);
  useEffect(() => {
    if (!live) return;
    const timer = window.setTimeout(() => setLive((l) => (l ? { ...l, name: '' } : l)), 4000);
    return () => window.clearTimeout(timer);
  }, [live]);
  if (code.error) {
    return <Result status="warning" title={isApiError(code.error) ? code.error.message : t('meetings.failed')} />;
  }
  if (!code.data || !meeting.data) return <Spin style={{ display: 'block', padding: 64 }} />;
  const count = Math.max(live?.count ?? 0, code.data.checked_in);
  return (
    <div className="meetings-display" data-testid="display">
      <Space className="meetings-display-close">
        <Button icon={<FullscreenOutlined />} onClick={() => void document.documentElement.requestFullscreen?.().catch(() => undefined)}>
          {t('meetings.fullScreen')}
        </Button>
        <Button icon={<CloseOutlined />} onClick={() => void navigate(`/meetings/${meetingId}`)} aria-label={t('meetings.close')} />
      </Space>
      <h1 className="meetings-display-title">{meeting.data.title}</h1>
      <div className="meetings-display-code" data-testid="display-code" data-url={code.data.url} dangerouslySetInnerHTML={{ __html: code.data.svg }} />
      <div>{t('meetings.poster.scan')}</div>
      <div className="meetings-display-count" data-testid="display-count">
        {t('meetings.countOf', { checked: count, invited: code.data.invited })}
      </div>
      <div className="meetings-display-flash">{live?.name ? t('meetings.welcome', { name: live.name }) : ''}</div>
    </div>
  );
}
