import { ArrowLeftOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Empty, Input, Progress, Select, Space, Spin, Tag } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { formatTime, minutesApi, minutesKeys } from './api';
import { StatusTag } from './MinutesHome';
import type { MinutesHit } from './types';
import { useMinutesEvents } from './useMinutesEvents';
import './minutes.css';

const SPEEDS = [0.75, 1, 1.25, 1.5, 2];

export default function MinutesDetail() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const params = useParams();
  const [searchParams] = useSearchParams();
  const id = Number(params.minutesId);
  const queryClient = useQueryClient();
  useMinutesEvents();
  const record = useQuery({ queryKey: minutesKeys.one(id), queryFn: () => minutesApi.get(id) });
  const transcript = useQuery({ queryKey: minutesKeys.transcript(id), queryFn: () => minutesApi.transcript(id) });
  const player = useRef<HTMLMediaElement | null>(null);
  const [now, setNow] = useState(0);
  const [speed, setSpeed] = useState(1);
  const [hits, setHits] = useState<MinutesHit[] | null>(null);
  const [hitIndex, setHitIndex] = useState(0);
  const [query, setQuery] = useState('');
  const [openKeyword, setOpenKeyword] = useState<string | null>(null);
  const segments = useMemo(() => transcript.data?.segments ?? [], [transcript.data]);
  const current = useMemo(() => {
    let found = -1;
    for (const s of segments) if (s.start <= now + 0.05) found = s.id;
    return found;
  }, [segments, now]);
  const currentRef = useRef<HTMLDivElement | null>(null);

  const seek = (time: number) => {
    const el = player.current;
    if (!el) return;
    el.currentTime = time;
    setNow(time);
    void el.play().catch(() => undefined);
  };

  useEffect(() => {
    // Keep the sentence being spoken in view (block: nearest does not jump when it is already visible).
    currentRef.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [current]);

  useEffect(() => {
    const at = Number(searchParams.get('t'));
    if (at > 0 && player.current) player.current.currentTime = at;
  }, [searchParams, record.data?.file_id]);

  if (record.isLoading) return <Spin />;
  if (!record.data) return <Empty description={t('minutes.notFound')} />;
  const m = record.data;
  const keywords = m.keywords ?? [];
  const keyPoints = m.key_points ?? [];
  const speakerNames: Record<string, string> = m.speaker_names ?? {};
  const isVideo = (m.content_type ?? '').startsWith('video/');
  const src = `/api/files/${m.file_id}/content`;
  const needle = (hits && query.trim().toLowerCase()) || '';

  const runSearch = async (q: string) => {
    setQuery(q);
    if (!q.trim()) {
      setHits(null);
      return;
    }
    const found = await minutesApi.search(id, q);
    setHits(found.hits);
    setHitIndex(0);
    if (found.hits.length) seek(found.hits[0].time);
  };

  const stepHit = (delta: number) => {
    if (!hits?.length) return;
    const next = (hitIndex + delta + hits.length) % hits.length;
    setHitIndex(next);
    seek(hits[next].time);
  };

  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      await queryClient.invalidateQueries({ queryKey: minutesKeys.one(id) });
      await queryClient.invalidateQueries({ queryKey: minutesKeys.transcript(id) });
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    }
  };

  const highlight = (text: string) => {
    if (!needle) return text;
    const parts: (string | React.ReactElement)[] = [];
    let rest = text;
    let key = 0;
    for (let at = rest.toLowerCase().indexOf(needle); at >= 0; at = rest.toLowerCase().indexOf(needle)) {
      parts.push(rest.slice(0, at), <mark key={key++}>{rest.slice(at, at + needle.length)}</mark>);
      rest = rest.slice(at + needle.length);
    }
    parts.push(rest);
    return parts;
  };

  return (
    <div className="minutes-page minutes-detail">
      <div className="minutes-toolbar">
        <Link to="/minutes" aria-label={t('minutes.back')}>
          <ArrowLeftOutlined />
        </Link>
        <h2 className="minutes-detail-title">{m.title}</h2>
        <StatusTag m={m} />
      </div>

      {(m.status === 'queued' || m.status === 'running') && (
        <div className="minutes-running">
          <Progress percent={Math.round(m.progress * 100)} data-testid="minutes-progress" />
          <Button onClick={() => void act(() => minutesApi.cancel(id))}>{t('minutes.cancel')}</Button>
        </div>
      )}
      {(m.status === 'failed' || m.status === 'cancelled') && (
        <div className="minutes-running">
          {m.error && <span className="minutes-error">{m.error}</span>}
          {m.can_edit && <Button onClick={() => void act(() => minutesApi.retry(id))}>{t('minutes.retry')}</Button>}
        </div>
      )}

      <div className="minutes-player">
        {isVideo ? (
          <video ref={(el) => { player.current = el; }} src={src} controls onTimeUpdate={(e) => setNow(e.currentTarget.currentTime)} data-testid="minutes-player" />
        ) : (
          <audio ref={(el) => { player.current = el; }} src={src} controls preload="metadata" onTimeUpdate={(e) => setNow(e.currentTarget.currentTime)} data-testid="minutes-player" />
        )}
        <Select
          size="small"
          value={speed}
          aria-label={t('minutes.speed')}
          onChange={(v) => {
            setSpeed(v);
            if (player.current) player.current.playbackRate = v;
          }}
          options={SPEEDS.map((v) => ({ value: v, label: `${v}×` }))}
        />
      </div>

      <div className="minutes-search">
        <Input.Search
          placeholder={t('minutes.searchPlaceholder')}
          allowClear
          onSearch={(q) => void runSearch(q)}
          data-testid="minutes-search"
        />
        {hits && (
          <Space size={4} className="minutes-hits">
            <span data-testid="minutes-hit-count">{t('minutes.hits', { count: hits.length, index: hits.length ? hitIndex + 1 : 0 })}</span>
            <Button size="small" disabled={!hits.length} onClick={() => stepHit(-1)}>↑</Button>
            <Button size="small" disabled={!hits.length} onClick={() => stepHit(1)}>↓</Button>
          </Space>
        )}
      </div>

      {keywords.length > 0 && (
        <section className="minutes-section">
          <h3>{t('minutes.keywords')}</h3>
          <div className="minutes-chips">
            {keywords.map((k) => (
              <Tag.CheckableTag
                key={k.word}
                checked={openKeyword === k.word}
                onChange={() => setOpenKeyword(openKeyword === k.word ? null : k.word)}
              >
                {k.word} · {k.times.length}
              </Tag.CheckableTag>
            ))}
          </div>
          {openKeyword && (
            <div className="minutes-occurrences">
              {keywords
                .find((k) => k.word === openKeyword)
                ?.times.map((time) => (
                  <Button key={time} size="small" type="link" onClick={() => seek(time)}>
                    {formatTime(time)}
                  </Button>
                ))}
            </div>
          )}
        </section>
      )}
      {keyPoints.length > 0 && (
        <section className="minutes-section">
          <h3>{t('minutes.keyPoints')}</h3>
          <ol className="minutes-points">
            {keyPoints.map((p) => (
              <li key={p.segment}>
                <button type="button" className="minutes-time" onClick={() => seek(p.start)}>
                  {formatTime(p.start)}
                </button>{' '}
                {p.text}
              </li>
            ))}
          </ol>
        </section>
      )}

      <section className="minutes-section">
        <h3>{t('minutes.transcript')}</h3>
        {segments.length === 0 && <Empty description={t(m.status === 'done' ? 'minutes.noText' : 'minutes.waiting')} />}
        <div className="minutes-transcript" data-testid="minutes-transcript">
          {segments.map((s) => (
            <div
              key={s.id}
              ref={s.id === current ? currentRef : undefined}
              className={`minutes-segment${s.id === current ? ' is-current' : ''}`}
              data-testid="minutes-segment"
            >
              <button type="button" className="minutes-time" onClick={() => seek(s.start)}>
                {formatTime(s.start)}
              </button>
              {s.speaker && <Tag>{speakerNames[s.speaker] ?? s.speaker}</Tag>}
              <span className="minutes-text">
                {needle || s.edited
                  ? highlight(s.text)
                  : s.words.map((w, i) => (
                      <span key={i} className="minutes-word" onClick={() => seek(w.start)}>
                        {w.text}
                      </span>
                    ))}
              </span>
              {m.can_edit && m.status === 'done' && (
                <Button
                  size="small"
                  type="link"
                  onClick={() => {
                    const text = window.prompt(t('minutes.correct'), s.text);
                    if (text && text.trim() && text !== s.text) void act(() => minutesApi.correct(id, s.id, text));
                  }}
                >
                  {t('minutes.edit')}
                </Button>
              )}
            </div>
          ))}
        </div>
      </section>
    </div>
  );
}
