import { CheckOutlined, CloseOutlined, DeleteOutlined, EditOutlined, QuestionOutlined, ShareAltOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Descriptions, Drawer, Input, Radio, Space, Spin, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '../../api/client';
import { useIsMobile } from '../../shell/useIsMobile';
import { calendarApi, calendarKeys, type OccurrenceRef } from './api';
import { ShareToChatModal } from './ShareToChatModal';
import { describeRule, shortTime } from './time';
import type { EventRead, RsvpStatus, Scope } from './types';

const STATUS_COLOR: Record<string, string> = {
  accepted: 'green',
  tentative: 'gold',
  declined: 'red',
  needs_action: 'default',
};

/** One event: when (in my zone and its own), where, who answered what; RSVP, edit, cancel. */
export function EventDetail({
  eventId,
  occurrence,
  zone,
  myId,
  onClose,
  onEdit,
}: {
  eventId: number;
  myId: number;
  occurrence: string | null;
  zone: string;
  onClose: () => void;
  onEdit: (event: EventRead, ref: OccurrenceRef) => void;
}) {
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  const { message, modal } = AntApp.useApp();
  const queryClient = useQueryClient();
  const [note, setNote] = useState<string | null>(null);
  const [sharing, setSharing] = useState(false);
  const query = useQuery({ queryKey: calendarKeys.event(eventId), queryFn: () => calendarApi.event(eventId) });
  const event = query.data;
  const invalidate = () => void queryClient.invalidateQueries({ queryKey: calendarKeys.all });
  const rsvp = useMutation({
    mutationFn: (status: RsvpStatus) => calendarApi.rsvp(eventId, status, note ?? myRow?.note ?? ''),
    onSuccess: () => {
      invalidate();
      void message.success(t('calendar.rsvp.sent'));
    },
    onError: (error) => void message.error(isApiError(error) ? error.message : t('calendar.failed')),
  });
  const myRow = event?.attendees.find((a) => a.person_id === myId);
  const recurring = Boolean(event?.rrule) && !event?.parent_id;

  const remove = () => {
    if (!event) return;
    let scope: Scope = recurring && occurrence ? 'this' : 'all';
    modal.confirm({
      title: t('calendar.cancelEvent'),
      content: recurring && occurrence ? (
        <Radio.Group
          defaultValue={scope}
          onChange={(e) => {
            scope = e.target.value as Scope;
          }}
          options={[
            { value: 'this', label: t('calendar.scope.this') },
            { value: 'following', label: t('calendar.scope.following') },
            { value: 'all', label: t('calendar.scope.all') },
          ]}
        />
      ) : (
        t('calendar.cancelConfirm')
      ),
      okButtonProps: { danger: true },
      onOk: async () => {
        try {
          await calendarApi.deleteEvent(event.id, { scope, occurrence: occurrence ?? undefined });
          invalidate();
          onClose();
        } catch (error) {
          void message.error(isApiError(error) ? error.message : t('calendar.failed'));
        }
      },
    });
  };

  const counts = (event?.attendees ?? []).reduce<Record<string, number>>((acc, a) => {
    acc[a.status] = (acc[a.status] ?? 0) + 1;
    return acc;
  }, {});
  const organiser = event?.organizer?.id;
  const canAnswer = myRow !== undefined && myId !== organiser;

  return (
    <Drawer
      open
      onClose={onClose}
      size={isMobile ? '100%' : 480}
      title={event?.title ?? ''}
      data-testid="event-detail"
      extra={
        event?.can_edit && (
          <Space>
            <Button
              icon={<EditOutlined />}
              onClick={() => onEdit(event, recurring && occurrence ? { scope: 'this', occurrence } : { scope: 'all' })}
            >
              {t('calendar.edit')}
            </Button>
            <Button danger icon={<DeleteOutlined />} onClick={remove} aria-label={t('calendar.cancelEvent')} />
          </Space>
        )
      }
    >
      {!event ? (
        <Spin />
      ) : (
        <>
          <Descriptions column={1} size="small">
            <Descriptions.Item label={t('calendar.detail.when')}>
              <span data-testid="event-when">
                {event.all_day
                  ? `${event.start.slice(0, 10)} – ${event.end.slice(0, 10)}`
                  : `${shortTime(event.start_utc, zone)} – ${shortTime(event.end_utc, zone).slice(11)}`}
              </span>
              {!event.all_day && event.tz !== zone && (
                <Typography.Text type="secondary">
                  {' '}
                  ({event.tz} {event.start.slice(11, 16)})
                </Typography.Text>
              )}
            </Descriptions.Item>
            {event.rrule && (
              <Descriptions.Item label={t('calendar.detail.repeats')}>
                {describeRule(event.rrule, t) ?? <code>{event.rrule}</code>}
              </Descriptions.Item>
            )}
            {event.room && <Descriptions.Item label={t('calendar.form.room')}>{event.room.name}</Descriptions.Item>}
            {event.location && <Descriptions.Item label={t('calendar.form.location')}>{event.location}</Descriptions.Item>}
            {event.online_url && (
              <Descriptions.Item label={t('calendar.form.onlineUrl')}>
                <a href={event.online_url} target="_blank" rel="noreferrer">
                  {t('calendar.detail.join')}
                </a>
              </Descriptions.Item>
            )}
            {/* An invitee sees the organiser's calendar's name ("我的日历") only as noise. */}
            {!canAnswer && (
              <Descriptions.Item label={t('calendar.detail.calendar')}>{event.calendar_name}</Descriptions.Item>
            )}
            {event.organizer && <Descriptions.Item label={t('calendar.detail.organizer')}>{event.organizer.name}</Descriptions.Item>}
          </Descriptions>
          {event.description && <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{event.description}</Typography.Paragraph>}

          {canAnswer && (
            <div data-testid="rsvp" style={{ margin: '16px 0' }}>
              <Typography.Title level={5}>{t('calendar.rsvp.title')}</Typography.Title>
              <Input.TextArea
                rows={2}
                maxLength={500}
                placeholder={t('calendar.rsvp.note')}
                value={note ?? myRow?.note ?? ''}
                onChange={(e) => setNote(e.target.value)}
                style={{ marginBottom: 8 }}
              />
              <div className="cal-rsvp">
                {(
                  [
                    ['accepted', <CheckOutlined key="a" />],
                    ['tentative', <QuestionOutlined key="t" />],
                    ['declined', <CloseOutlined key="d" />],
                  ] as const
                ).map(([status, icon]) => (
                  <Button
                    key={status}
                    icon={icon}
                    type={event.my_status === status ? 'primary' : 'default'}
                    loading={rsvp.isPending && rsvp.variables === status}
                    onClick={() => rsvp.mutate(status)}
                    data-testid={`rsvp-${status}`}
                  >
                    {t(`calendar.status.${status}`)}
                  </Button>
                ))}
              </div>
            </div>
          )}

          <Typography.Title level={5}>
            {t('calendar.detail.attendees', { count: event.attendees.length })}
          </Typography.Title>
          <Space wrap style={{ marginBottom: 8 }} data-testid="rsvp-counts">
            {(['accepted', 'tentative', 'declined', 'needs_action'] as const).map((s) => (
              <Tag key={s} color={STATUS_COLOR[s]}>
                {t(`calendar.status.${s}`)} {counts[s] ?? 0}
              </Tag>
            ))}
          </Space>
          {event.attendees.map((a) => (
            <div key={a.person_id} className="cal-attendee" data-testid={`attendee-${a.person_id}`}>
              <span>
                {a.name}
                {a.person_id === organiser && <Typography.Text type="secondary"> · {t('calendar.detail.organizer')}</Typography.Text>}
                {a.note && <Typography.Text type="secondary"> — {a.note}</Typography.Text>}
              </span>
              <Tag color={STATUS_COLOR[a.status]}>{t(`calendar.status.${a.status}`)}</Tag>
            </div>
          ))}
          <Space wrap style={{ marginTop: 12 }}>
            <Button icon={<ShareAltOutlined />} onClick={() => setSharing(true)} data-testid="event-share">
              {t('calendar.share.button')}
            </Button>
            <Button type="link" href={`/api/calendar/events/${event.id}/export.ics`}>
              {t('calendar.exportEvent')}
            </Button>
          </Space>
          {sharing && <ShareToChatModal event={event} onClose={() => setSharing(false)} />}
        </>
      )}
    </Drawer>
  );
}
