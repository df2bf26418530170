import { Button, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { meetingTime } from './format';
import type { MeetingAttendance, MeetingAttendee, MeetingRead } from './types';

/** Who is missing, department by department (the largest gaps first). */
export function DepartmentTable({ data }: { data: MeetingAttendance }) {
  const { t } = useTranslation();
  return (
    <Table
      size="small"
      rowKey={(g) => `${g.department_id ?? 'none'}`}
      dataSource={data.by_department}
      pagination={false}
      scroll={{ x: true }}
      data-testid="by-department"
      columns={[
        { title: t('meetings.col.department'), dataIndex: 'department' },
        {
          title: t('meetings.col.progress'),
          render: (_, g) => `${g.checked_in} / ${g.invited}`,
          width: 90,
        },
        {
          title: t('meetings.col.missing'),
          render: (_, g) =>
            g.missing.length ? (
              <Typography.Text className="meetings-dept-missing">{g.missing.map((p) => p.name).join('、')}</Typography.Text>
            ) : (
              <Tag color="green">{t('meetings.allHere')}</Tag>
            ),
        },
      ]}
    />
  );
}

/** Everyone invited or present, with hand check-in and undo for the organiser. */
export function AttendeeTable({
  meeting,
  data,
  onCheckIn,
  onUndo,
}: {
  meeting: MeetingRead;
  data: MeetingAttendance;
  onCheckIn: (personId: number) => void;
  onUndo: (personId: number) => void;
}) {
  const { t, i18n } = useTranslation();
  const status = (a: MeetingAttendee) => {
    if (a.role === 'walk_in') return <Tag color="purple">{t('meetings.status.walkIn')}</Tag>;
    if (a.checked_in_at) return <Tag color="green">{t('meetings.status.present')}</Tag>;
    return <Tag>{t('meetings.status.missing')}</Tag>;
  };
  return (
    <Table
      size="small"
      rowKey="person_id"
      dataSource={data.attendees}
      pagination={{ pageSize: 50, hideOnSinglePage: true }}
      scroll={{ x: true }}
      data-testid="attendees"
      columns={[
        { title: t('meetings.col.name'), dataIndex: 'name' },
        { title: t('meetings.col.department'), dataIndex: 'department', responsive: ['md'] },
        { title: t('meetings.col.status'), render: (_, a) => status(a) },
        {
          title: t('meetings.col.time'),
          render: (_, a) => (
            <Space size={4}>
              {a.checked_in_at ? meetingTime(a.checked_in_at, meeting.tz, i18n.language, false) : '—'}
              {a.method === 'manual' && <Tag>{t('meetings.method.manual')}</Tag>}
              {a.flagged && <Tag color="red">{t('meetings.flagged')}</Tag>}
            </Space>
          ),
        },
        {
          title: '',
          render: (_, a) =>
            a.checked_in_at ? (
              <Popconfirm title={t('meetings.undoConfirm')} onConfirm={() => onUndo(a.person_id)}>
                <Button size="small" type="link">
                  {t('meetings.undo')}
                </Button>
              </Popconfirm>
            ) : (
              <Button size="small" onClick={() => onCheckIn(a.person_id)} data-testid={`manual-${a.person_id}`}>
                {t('meetings.checkInByHand')}
              </Button>
            ),
        },
      ]}
    />
  );
}
