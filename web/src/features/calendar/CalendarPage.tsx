import { CalendarOutlined, PlusOutlined, ScheduleOutlined } from '@ant-design/icons';
import FullCalendar from '@fullcalendar/react';
import type { CalendarRef, DateSelectInfo, DatesSetInfo, EventChangeInfo, EventClickInfo, EventInput } from '@fullcalendar/react';
import dayGridPlugin from '@fullcalendar/react/daygrid';
import interactionPlugin from '@fullcalendar/react/interaction';
import listPlugin from '@fullcalendar/react/list';
import zhCnLocale from '@fullcalendar/react/locales/zh-cn';
import classicThemePlugin from '@fullcalendar/react/themes/classic';
import timeGridPlugin from '@fullcalendar/react/timegrid';
import '@fullcalendar/react/skeleton.css';
import '@fullcalendar/react/themes/classic/theme.css';
import '@fullcalendar/react/themes/classic/palette.css';
import { App as AntApp, Button, Drawer, Space } from 'antd';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { isApiError } from '../../api/client';
import { useMe } from '../auth/useMe';
import { calendarApi, calendarKeys } from './api';
import { AssistantDrawer } from './AssistantDrawer';
import { CalendarSidebar } from './CalendarSidebar';
import { EventDetail } from './EventDetail';
import { EventFormModal, type EventDraft } from './EventFormModal';
import { wallTime } from './time';
import { usePhoneLayout } from './usePhoneLayout';
import type { OccurrenceRead } from './types';
import { useCalendars, useCalendarEvents, useOccurrences } from './useCalendar';
import './CalendarPage.css';

const PLUGINS = [dayGridPlugin, timeGridPlugin, listPlugin, interactionPlugin, classicThemePlugin];

/** 日历: my calendars and invitations in month / week / day / agenda views; on a phone, day and agenda. */
export default function CalendarPage() {
  const { t, i18n } = useTranslation();
  const isMobile = usePhoneLayout();
  const me = useMe();
  const navigate = useNavigate();
  const params = useParams();
  const { message } = AntApp.useApp();
  const zone = me.data?.timezone ?? 'Asia/Shanghai';
  const [range, setRange] = useState<{ start: string; end: string } | null>(null);
  const [draft, setDraft] = useState<EventDraft | null>(null);
  const [assistant, setAssistant] = useState(false);
  const [sidebar, setSidebar] = useState(false);
  // The view on screen, as data-view on the page (the e2e test reads which view came first).
  const [viewType, setViewType] = useState<string | null>(null);
  const calendars = useCalendars();
  const occurrences = useOccurrences(range);
  useCalendarEvents();
  const openId = params.eventId ? Number(params.eventId) : null;
  const [openOccurrence, setOpenOccurrence] = useState<string | null>(null);
  const calendarRef = useRef<CalendarRef>(null);
  const validOpenId = openId !== null && Number.isInteger(openId) ? openId : null;
  // The same query as the detail drawer's (shared cache): an event opened from a notification or a
  // chat card brings the calendar to its week, so closing the drawer shows it in place.
  const opened = useQuery({
    queryKey: calendarKeys.event(validOpenId ?? 0),
    queryFn: () => calendarApi.event(validOpenId!),
    enabled: validOpenId !== null,
  });
  const jumpedTo = useRef<number | null>(null);
  useEffect(() => {
    const event = opened.data;
    const api = calendarRef.current?.getApi();
    if (!event || !api || jumpedTo.current === event.id || openOccurrence) return;
    jumpedTo.current = event.id;
    api.gotoDate(event.start_utc);
  }, [opened.data, openOccurrence, me.data]);

  const colors = useMemo(() => new Map((calendars.data ?? []).map((c) => [c.id, c.color])), [calendars.data]);
  const events: EventInput[] = useMemo(
    () =>
      (occurrences.data ?? []).map((o) => ({
        id: `${o.event_id}/${o.occurrence}`,
        title: o.busy_only ? t('calendar.busy') : o.title,
        start: o.start,
        end: o.end,
        allDay: o.all_day,
        editable: o.can_edit,
        color: colors.get(o.calendar_id) ?? '#1677ff',
        className: [
          'cal-event',
          o.my_status === 'declined' ? 'cal-declined' : '',
          o.my_status === 'needs_action' ? 'cal-pending' : '',
        ]
          .filter(Boolean)
          .join(' '),
        extendedProps: { occurrence: o },
      })),
    [occurrences.data, colors, t],
  );

  if (!me.data) return null;

  const onDatesSet = (info: DatesSetInfo) => {
    if (info.view.type !== viewType) setViewType(info.view.type);
    const start = info.start.toISOString();
    const end = info.end.toISOString();
    if (!range || range.start !== start || range.end !== end) setRange({ start, end });
  };
  const onSelect = (info: DateSelectInfo) => {
    setDraft({
      start: info.allDay ? `${info.startStr.slice(0, 10)}T00:00:00` : wallTime(info.start, zone),
      end: info.allDay ? `${info.endStr.slice(0, 10)}T00:00:00` : wallTime(info.end, zone),
      allDay: info.allDay,
      tz: zone,
    });
  };
  const onEventClick = (info: EventClickInfo) => {
    const o = info.event.extendedProps.occurrence as OccurrenceRead;
    if (o.busy_only) return;
    setOpenOccurrence(o.recurring ? o.occurrence : null);
    void navigate(`/calendar/events/${o.override_id ?? o.event_id}`);
  };
  const onEventDrop = async (info: EventChangeInfo) => {
    const o = info.event.extendedProps.occurrence as OccurrenceRead;
    const start = info.event.start;
    const end = info.event.end ?? start;
    if (!start || !end) return info.revert();
    try {
      // A moved occurrence of a series moves alone (its own override); a single event moves.
      const id = o.override_id ?? o.event_id;
      const ref = o.recurring && !o.override_id ? { scope: 'this' as const, occurrence: o.occurrence } : { scope: 'all' as const };
      await calendarApi.updateEvent(id, { start: wallTime(start, o.tz), end: wallTime(end, o.tz), tz: o.tz }, ref);
      void message.success(t('calendar.moved'));
    } catch (error) {
      info.revert();
      void message.error(isApiError(error) ? error.message : t('calendar.failed'));
    }
  };

  const toolbar = isMobile
    ? { start: 'prev,next', center: 'title', end: 'timeGridDay,listWeek' }
    : { start: 'prev,next today', center: 'title', end: 'dayGridMonth,timeGridWeek,timeGridDay,listWeek' };

  const side = (
    <CalendarSidebar
      calendars={calendars.data ?? []}
      onNewEvent={() => setDraft({ tz: zone })}
      onAssistant={() => setAssistant(true)}
    />
  );

  return (
    <div className={`cal-page${isMobile ? ' cal-mobile' : ''}`} data-testid="calendar-page" data-view={viewType ?? undefined}>
      {isMobile ? (
        <div className="cal-mobile-bar">
          <Button icon={<CalendarOutlined />} onClick={() => setSidebar(true)} aria-label={t('calendar.myCalendars')} />
          <Space>
            <Button icon={<ScheduleOutlined />} onClick={() => setAssistant(true)}>
              {t('calendar.assistant.open')}
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setDraft({ tz: zone })}>
              {t('calendar.newEvent')}
            </Button>
          </Space>
        </div>
      ) : (
        <aside className="cal-sidebar">{side}</aside>
      )}
      <section className="cal-main">
        <FullCalendar
          // initialView is read once: a width change across the breakpoint starts a new calendar.
          key={isMobile ? 'phone' : 'desktop'}
          ref={calendarRef}
          plugins={PLUGINS}
          initialView={isMobile ? 'listWeek' : 'timeGridWeek'}
          headerToolbar={toolbar}
          // "November 30 – December 6, 2026" is wider than a 375 px phone; short months fit.
          titleFormat={isMobile ? { year: 'numeric', month: 'short', day: 'numeric' } : undefined}
          timeZone={zone}
          locale={i18n.language === 'zh-CN' ? zhCnLocale : 'en'}
          firstDay={1}
          prevHint={t('calendar.prev')}
          nextHint={t('calendar.next')}
          todayHint={t('calendar.today')}
          height="100%"
          nowIndicator
          selectable
          selectMirror
          editable
          dayMaxEvents
          events={events}
          datesSet={onDatesSet}
          select={onSelect}
          eventClick={onEventClick}
          eventDrop={(info) => void onEventDrop(info)}
          eventResize={(info) => void onEventDrop(info)}
          slotMinTime="06:00:00"
          scrollTime="08:00:00"
        />
      </section>
      <Drawer open={sidebar} onClose={() => setSidebar(false)} placement="left" size={300} title={t('calendar.myCalendars')}>
        {side}
      </Drawer>
      {draft && <EventFormModal draft={draft} calendars={calendars.data ?? []} onClose={() => setDraft(null)} />}
      {assistant && (
        <AssistantDrawer
          zone={zone}
          myId={me.data.id}
          onClose={() => setAssistant(false)}
          onPick={(slotDraft) => {
            setAssistant(false);
            setDraft({ ...slotDraft, tz: zone });
          }}
        />
      )}
      {validOpenId !== null && (
        <EventDetail
          key={validOpenId}
          eventId={validOpenId}
          occurrence={openOccurrence}
          zone={zone}
          myId={me.data.id}
          onClose={() => {
            setOpenOccurrence(null);
            void navigate('/calendar');
          }}
          onEdit={(event, ref) => setDraft({ event, ref, tz: event.tz })}
        />
      )}
    </div>
  );
}
