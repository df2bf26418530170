import {
  DownloadOutlined,
  ExpandOutlined,
  FilePdfOutlined,
  FileExcelOutlined,
  ReloadOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Alert, Button, Card, Descriptions, Popconfirm, Result, Space, Spin, Statistic, Tabs, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { isApiError } from '../../api/client';
import { meetingsApi, meetingsKeys } from './api';
import { AttendeeTable, DepartmentTable } from './AttendanceTables';
import { meetingSpan, meetingTime } from './format';
import { useMeetingEvents } from './useMeetingEvents';
import type { MeetingRead } from './types';
import './meetings.css';

function Organiser({ meeting }: { meeting: MeetingRead }) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const attendance = useQuery({
    queryKey: meetingsKeys.attendance(meeting.id),
    queryFn: () => meetingsApi.attendance(meeting.id),
  });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: meetingsKeys.attendance(meeting.id) });
    void queryClient.invalidateQueries({ queryKey: meetingsKeys.meeting(meeting.id) });
  };
  const fail = (e: unknown) => void message.error(isApiError(e) ? e.message : t('meetings.failed'));
  const manual = useMutation({
    mutationFn: (personId: number) => meetingsApi.manualCheckin(meeting.id, personId),
    onSuccess: (r) => {
      void message.success(r.message);
      refresh();
    },
    onError: fail,
  });
  const undo = useMutation({ mutationFn: (pid: number) => meetingsApi.undoCheckin(meeting.id, pid), onSuccess: refresh, onError: fail });
  const rotate = useMutation({
    mutationFn: () => meetingsApi.rotateSecret(meeting.id),
    onSuccess: () => void message.success(t('meetings.newCodeDone')),
    onError: fail,
  });
  const data = attendance.data;
  const printable = meeting.kind === 'in_person' && meeting.rotate_seconds === 0;
  return (
    <>
      {meeting.kind === 'in_person' && (
        <Space wrap style={{ marginBottom: 12 }}>
          <Button type="primary" icon={<ExpandOutlined />} onClick={() => void navigate(`/meetings/${meeting.id}/display`)} data-testid="open-display">
            {t('meetings.display')}
          </Button>
          <Button icon={<DownloadOutlined />} href={meetingsApi.pngUrl(meeting.id)} disabled={!printable}>
            {t('meetings.png')}
          </Button>
          <Button icon={<FilePdfOutlined />} href={meetingsApi.pdfUrl(meeting.id)} disabled={!printable}>
            {t('meetings.pdf')}
          </Button>
          <Button icon={<FileExcelOutlined />} href={meetingsApi.xlsxUrl(meeting.id)} data-testid="export-xlsx">
            {t('meetings.export')}
          </Button>
          <Popconfirm title={t('meetings.newCodeConfirm')} onConfirm={() => rotate.mutate()}>
            <Button icon={<ReloadOutlined />}>{t('meetings.newCode')}</Button>
          </Popconfirm>
        </Space>
      )}
      {!printable && meeting.kind === 'in_person' && (
        <Alert type="info" showIcon message={t('meetings.rotatingNote', { seconds: meeting.rotate_seconds })} style={{ marginBottom: 12 }} />
      )}
      <div className="meetings-stats">
        <Card size="small">
          <Statistic title={t('meetings.stat.checkedIn')} value={data?.checked_in ?? meeting.checked_in_count} valueStyle={{ color: '#1677ff' }} />
        </Card>
        <Card size="small">
          <Statistic title={t('meetings.stat.invited')} value={data?.invited ?? meeting.invited_count} />
        </Card>
        <Card size="small">
          <Statistic title={t('meetings.stat.walkIns')} value={data?.walk_ins ?? 0} />
        </Card>
        <Card size="small">
          <Statistic title={t('meetings.stat.flagged')} value={data?.flagged ?? 0} />
        </Card>
      </div>
      {data ? (
        <Tabs
          items={[
            { key: 'departments', label: t('meetings.tab.departments'), children: <DepartmentTable data={data} /> },
            {
              key: 'people',
              label: t('meetings.tab.people'),
              children: (
                <AttendeeTable meeting={meeting} data={data} onCheckIn={(pid) => manual.mutate(pid)} onUndo={(pid) => undo.mutate(pid)} />
              ),
            },
          ]}
        />
      ) : (
        <Spin />
      )}
    </>
  );
}

/** One meeting: its details; for the organiser and hosts, the check-in desk. */
export default function MeetingPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const meetingId = Number(useParams().meetingId);
  const meeting = useQuery({ queryKey: meetingsKeys.meeting(meetingId), queryFn: () => meetingsApi.get(meetingId) });
  useMeetingEvents(meetingId);
  if (meeting.isLoading) return <Spin style={{ display: 'block', padding: 64 }} />;
  if (meeting.error || !meeting.data) {
    return <Result status="404" title={isApiError(meeting.error) ? meeting.error.message : t('meetings.failed')} />;
  }
  const m = meeting.data;
  const fence = m.geofence;
  return (
    <div className="meetings-page">
      <Typography.Title level={3} data-testid="meeting-heading">
        {m.title} <Tag>{t(`meetings.kind.${m.kind}`)}</Tag>
      </Typography.Title>
      <Descriptions size="small" column={{ xs: 1, md: 2 }} style={{ marginBottom: 12 }}>
        <Descriptions.Item label={t('meetings.field.time')}>{meetingSpan(m.start_utc, m.end_utc, m.tz, i18n.language)}</Descriptions.Item>
        {m.location && <Descriptions.Item label={t('meetings.field.location')}>{m.location}</Descriptions.Item>}
        <Descriptions.Item label={t('meetings.organiser')}>{m.organizer.name}</Descriptions.Item>
        {m.kind === 'video' && <Descriptions.Item label={t('meetings.number')}>{m.number}</Descriptions.Item>}
        {m.kind === 'in_person' && (
          <Descriptions.Item label={t('meetings.window')}>
            {meetingSpan(m.checkin_opens_at, m.checkin_closes_at, m.tz, i18n.language)}
          </Descriptions.Item>
        )}
        {fence && (
          <Descriptions.Item label={t('meetings.field.fence')}>
            {t(fence.mode === 'flag' ? 'meetings.fenceFlagText' : 'meetings.fenceRefuseText', { radius: fence.radius_m })}
          </Descriptions.Item>
        )}
      </Descriptions>
      {m.kind === 'video' && (
        <Space wrap style={{ marginBottom: 12 }}>
          <Button type="primary" size="large" onClick={() => void navigate(`/meetings/${m.id}/room`)} data-testid="enter-room">
            {t('meetings.room.enter')}
          </Button>
          <Typography.Text copyable={{ text: `${window.location.origin}/meetings/${m.id}/room` }}>
            {t('meetings.room.link')}
          </Typography.Text>
        </Space>
      )}
      {m.can_manage ? (
        <Organiser meeting={m} />
      ) : m.kind === 'in_person' ? (
        <Alert
          type={m.my_checked_in_at ? 'success' : 'info'}
          showIcon
          message={
            m.my_checked_in_at
              ? t('meetings.youCheckedIn', { time: meetingTime(m.my_checked_in_at, m.tz, i18n.language, false) })
              : t('meetings.scanAtDoor')
          }
        />
      ) : null}
    </div>
  );
}
