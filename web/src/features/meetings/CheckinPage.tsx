import { CheckCircleFilled, EnvironmentOutlined } from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Button, Result, Spin, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { isApiError } from '../../api/client';
import { meetingsApi, meetingsKeys } from './api';
import { meetingSpan } from './format';
import type { MeetingCheckinIn } from './types';
import './meetings.css';

type Place = Pick<MeetingCheckinIn, 'lat' | 'lng' | 'accuracy_m'>;

function locate(): Promise<Place> {
  return new Promise((resolve) => {
    if (!navigator.geolocation) {
      resolve({});
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy_m: p.coords.accuracy }),
      () => resolve({}),
      { enableHighAccuracy: true, timeout: 10_000, maximumAge: 30_000 },
    );
  });
}

/** Where the QR code leads: sign in if needed (the app sends you to the login page and back),
 * then check in at once; the meeting's location rule asks the browser where it is first. */
export default function CheckinPage() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const meetingId = Number(useParams().meetingId);
  const [params] = useSearchParams();
  const token = params.get('t') ?? '';
  const [locating, setLocating] = useState(false);
  const intro = useQuery({
    queryKey: meetingsKeys.intro(meetingId, token),
    queryFn: () => meetingsApi.intro(meetingId, token),
    enabled: Boolean(token),
    retry: false,
  });
  const checkin = useMutation({ mutationFn: (body: MeetingCheckinIn) => meetingsApi.checkin(meetingId, body) });
  const started = useRef(false);
  const { mutate } = checkin;
  const needsLocation = intro.data?.needs_location;
  const go = async (needs: boolean) => {
    setLocating(needs);
    const place = needs ? await locate() : {};
    setLocating(false);
    mutate({ token, ...place });
  };
  useEffect(() => {
    // Scanning is the intent: check in straight away, asking for the location first if needed.
    if (needsLocation === undefined || started.current) return;
    started.current = true;
    const run = async () => {
      const place = needsLocation ? await locate() : {};
      mutate({ token, ...place });
    };
    void run();
  }, [needsLocation, mutate, token]);

  const error = intro.error ?? checkin.error;
  if (!token || error) {
    return (
      <div className="meetings-checkin">
        <Result
          status="warning"
          title={t('meetings.checkinFailed')}
          subTitle={<span data-testid="checkin-error">{isApiError(error) ? error.message : t('meetings.badLink')}</span>}
          extra={
            intro.data ? (
              <Button type="primary" onClick={() => void go(Boolean(needsLocation))} loading={checkin.isPending || locating}>
                {t('meetings.tryAgain')}
              </Button>
            ) : null
          }
        />
      </div>
    );
  }
  const result = checkin.data;
  if (result) {
    return (
      <div className="meetings-checkin">
        <Result
          icon={<CheckCircleFilled style={{ color: result.already ? '#1677ff' : '#52c41a' }} />}
          title={<span data-testid="checkin-message">{result.message}</span>}
          subTitle={
            <>
              <Typography.Text strong>{result.title}</Typography.Text>
              {result.walk_in && <div>{t('meetings.walkInNote')}</div>}
              {result.flagged && <div>{t('meetings.flaggedNote')}</div>}
            </>
          }
          extra={<Button onClick={() => void navigate(`/meetings`)}>{t('meetings.myMeetings')}</Button>}
        />
      </div>
    );
  }
  return (
    <div className="meetings-checkin">
      {intro.data ? (
        <>
          <Typography.Title level={4}>{intro.data.title}</Typography.Title>
          <Typography.Paragraph type="secondary">
            {meetingSpan(intro.data.start_utc, intro.data.end_utc, intro.data.tz, i18n.language)}
            {intro.data.location ? ` · ${intro.data.location}` : ''}
          </Typography.Paragraph>
          {locating && (
            <Typography.Paragraph>
              <EnvironmentOutlined /> {t('meetings.locating')}
            </Typography.Paragraph>
          )}
        </>
      ) : null}
      <Spin size="large" />
    </div>
  );
}
