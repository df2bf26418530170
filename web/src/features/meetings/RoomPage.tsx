import {
  AudioMutedOutlined,
  AudioOutlined,
  DesktopOutlined,
  LockOutlined,
  MessageOutlined,
  PoweroffOutlined,
  TeamOutlined,
  UnlockOutlined,
  VideoCameraOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Badge, Button, Drawer, Input, List, Popconfirm, Result, Select, Space, Switch, Tag, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { meetingsApi, meetingsKeys } from './api';
import { MeshRoom, type RoomSnapshot } from './mesh';
import { VideoTile } from './VideoTile';
import './meetings.css';

interface Choice {
  audio: string | undefined;
  video: string | undefined;
  mic: boolean;
  cam: boolean;
}

/** Camera and microphone check before joining, with the choice of devices. */
function Lobby({ title, onJoin }: { title: string; onJoin: (stream: MediaStream, choice: Choice) => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLVideoElement>(null);
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([]);
  const [choice, setChoice] = useState<Choice>({ audio: undefined, video: undefined, mic: true, cam: true });
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live: MediaStream | null = null;
    let cancelled = false;
    navigator.mediaDevices
      .getUserMedia({
        audio: choice.audio ? { deviceId: { exact: choice.audio } } : true,
        video: choice.video ? { deviceId: { exact: choice.video } } : true,
      })
      .then(async (s) => {
        if (cancelled) {
          s.getTracks().forEach((tr) => tr.stop());
          return;
        }
        live = s;
        setStream(s);
        setError(null);
        setDevices(await navigator.mediaDevices.enumerateDevices());
      })
      .catch(() => setError(t('meetings.room.noDevices')));
    return () => {
      cancelled = true;
      live?.getTracks().forEach((tr) => tr.stop());
    };
  }, [choice.audio, choice.video, t]);
  useEffect(() => {
    if (ref.current) ref.current.srcObject = stream;
  }, [stream]);
  const options = (kind: MediaDeviceKind) =>
    devices.filter((d) => d.kind === kind).map((d, i) => ({ value: d.deviceId, label: d.label || `${kind} ${i + 1}` }));
  return (
    <div className="meetings-lobby" data-testid="lobby">
      <Typography.Title level={4}>{title}</Typography.Title>
      <video ref={ref} autoPlay playsInline muted />
      {error && <Typography.Paragraph type="danger">{error}</Typography.Paragraph>}
      <Space direction="vertical" style={{ width: '100%', marginTop: 12 }}>
        <Select
          style={{ width: '100%' }}
          placeholder={t('meetings.room.microphone')}
          value={choice.audio}
          options={options('audioinput')}
          onChange={(v: string) => setChoice({ ...choice, audio: v })}
        />
        <Select
          style={{ width: '100%' }}
          placeholder={t('meetings.room.camera')}
          value={choice.video}
          options={options('videoinput')}
          onChange={(v: string) => setChoice({ ...choice, video: v })}
        />
        <Space>
          <Switch checked={choice.mic} onChange={(mic) => setChoice({ ...choice, mic })} /> {t('meetings.room.micOn')}
          <Switch checked={choice.cam} onChange={(cam) => setChoice({ ...choice, cam })} /> {t('meetings.room.camOn')}
        </Space>
        <Button type="primary" block size="large" disabled={!stream} onClick={() => stream && onJoin(stream.clone(), choice)} data-testid="join">
          {t('meetings.room.join')}
        </Button>
      </Space>
    </div>
  );
}

function Room({ meetingId, stream, choice }: { meetingId: number; stream: MediaStream; choice: Choice }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [snap, setSnap] = useState<RoomSnapshot | null>(null);
  const [room, setRoom] = useState<MeshRoom | null>(null);
  const [panel, setPanel] = useState<'chat' | 'people' | null>(null);
  const [draft, setDraft] = useState('');
  const [, force] = useState(0);
  useEffect(() => {
    // State is set from the room's callbacks (its first one is the server's welcome).
    const mesh: MeshRoom = new MeshRoom(meetingId, stream, (s) => {
      setSnap(s);
      setRoom(mesh);
    });
    mesh.me.muted = !choice.mic;
    mesh.me.camera = choice.cam;
    stream.getAudioTracks().forEach((tr) => (tr.enabled = choice.mic));
    stream.getVideoTracks().forEach((tr) => (tr.enabled = choice.cam));
    mesh.start();
    return () => {
      mesh.leave();
      stream.getTracks().forEach((tr) => tr.stop());
    };
  }, [meetingId, stream, choice]);
  if (!snap || !room) return null;
  if (snap.status !== 'in' && snap.status !== 'connecting') {
    const text =
      snap.status === 'refused' ? snap.refusal : t(`meetings.room.${snap.status}`);
    return (
      <Result
        status="info"
        title={<span data-testid="room-message">{text}</span>}
        extra={<Button onClick={() => void navigate(`/meetings/${meetingId}`)}>{t('meetings.room.back')}</Button>}
      />
    );
  }
  const me = room.me;
  const here = new Set(snap.peers.map((p) => p.person_id));
  if (snap.me) here.add(snap.me.person_id);
  const notJoined = snap.invitees.filter((i) => !here.has(i.person_id));
  const act = (fn: () => void) => {
    fn();
    force((n) => n + 1);
  };
  return (
    <div className="meetings-room" data-testid="room">
      <div className="meetings-room-head">
        <Space>
          <Typography.Text style={{ color: '#fff' }} strong>
            {snap.title}
          </Typography.Text>
          {snap.locked && <Tag icon={<LockOutlined />}>{t('meetings.room.lockedTag')}</Tag>}
        </Space>
        <Typography.Text style={{ color: '#bbb' }} data-testid="room-count">
          {t('meetings.room.count', { count: snap.peers.length + 1 })}
        </Typography.Text>
      </div>
      <div className="meetings-grid">
        <VideoTile stream={room.screenStream() ?? stream} name={t('meetings.room.me')} muted={me.muted} hand={me.hand} local testId="tile-me" />
        {snap.peers.map((p) => (
          <VideoTile key={p.conn} stream={snap.streams[p.conn] ?? null} name={p.name} muted={p.muted} hand={p.hand} testId={`tile-${p.person_id}`} />
        ))}
      </div>
      <div className="meetings-controls">
        <Button icon={me.muted ? <AudioMutedOutlined /> : <AudioOutlined />} onClick={() => act(() => room.setMuted(!me.muted))} data-testid="toggle-mic">
          {me.muted ? t('meetings.room.unmute') : t('meetings.room.mute')}
        </Button>
        <Button icon={<VideoCameraOutlined />} onClick={() => act(() => room.setCamera(!me.camera))}>
          {me.camera ? t('meetings.room.camOff') : t('meetings.room.camOnBtn')}
        </Button>
        <Button icon={<DesktopOutlined />} onClick={() => void room.shareScreen(!me.sharing).then(() => force((n) => n + 1)).catch(() => undefined)} data-testid="share">
          {me.sharing ? t('meetings.room.stopShare') : t('meetings.room.share')}
        </Button>
        <Button onClick={() => act(() => room.setHand(!me.hand))} data-testid="hand">
          {me.hand ? t('meetings.room.lowerHand') : t('meetings.room.raiseHand')}
        </Button>
        <Badge count={snap.chat.length} size="small">
          <Button icon={<MessageOutlined />} onClick={() => setPanel('chat')} data-testid="open-chat">
            {t('meetings.room.chat')}
          </Button>
        </Badge>
        <Button icon={<TeamOutlined />} onClick={() => setPanel('people')} data-testid="open-people">
          {t('meetings.room.people')}
        </Button>
        {snap.host && (
          <>
            <Button onClick={() => room.hostAction('mute_all')} data-testid="mute-all">
              {t('meetings.room.muteAll')}
            </Button>
            <Button icon={snap.locked ? <UnlockOutlined /> : <LockOutlined />} onClick={() => room.hostAction(snap.locked ? 'unlock' : 'lock')}>
              {snap.locked ? t('meetings.room.unlock') : t('meetings.room.lock')}
            </Button>
            <Popconfirm title={t('meetings.room.endConfirm')} onConfirm={() => room.hostAction('end')} zIndex={2100}>
              <Button danger>{t('meetings.room.endAll')}</Button>
            </Popconfirm>
          </>
        )}
        <Button danger type="primary" icon={<PoweroffOutlined />} onClick={() => void navigate(`/meetings/${meetingId}`)}>
          {t('meetings.room.leave')}
        </Button>
      </div>
      <Drawer open={panel === 'chat'} onClose={() => setPanel(null)} title={t('meetings.room.chat')} zIndex={2100} width={360}>
        <List
          size="small"
          dataSource={snap.chat}
          data-testid="chat-list"
          renderItem={(c) => (
            <List.Item>
              <Typography.Text strong>{c.name}</Typography.Text>: {c.body}
            </List.Item>
          )}
        />
        <Input.Search
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          enterButton={t('meetings.room.send')}
          onSearch={(v) => {
            if (v.trim()) room.chat(v.trim());
            setDraft('');
          }}
          data-testid="chat-input"
        />
      </Drawer>
      <Drawer open={panel === 'people'} onClose={() => setPanel(null)} title={t('meetings.room.people')} zIndex={2100} width={360}>
        <List
          size="small"
          header={t('meetings.room.inRoom')}
          dataSource={snap.peers}
          renderItem={(p) => (
            <List.Item
              actions={
                snap.host
                  ? [
                      <a key="mute" onClick={() => room.hostAction('mute', p.conn)}>{t('meetings.room.mute')}</a>,
                      <a key="remove" onClick={() => room.hostAction('remove', p.conn)}>{t('meetings.room.remove')}</a>,
                    ]
                  : []
              }
            >
              {p.hand && '✋ '}
              {p.name} {p.host && <Tag>{t('meetings.role.host')}</Tag>} {p.muted && <AudioMutedOutlined />}
            </List.Item>
          )}
        />
        <List
          size="small"
          header={t('meetings.room.notJoined')}
          dataSource={notJoined}
          data-testid="not-joined"
          renderItem={(i) => <List.Item>{i.name}</List.Item>}
        />
      </Drawer>
    </div>
  );
}

/** A video meeting: the lobby, then the room. */
export default function RoomPage() {
  const { t } = useTranslation();
  const meetingId = Number(useParams().meetingId);
  const meeting = useQuery({ queryKey: meetingsKeys.meeting(meetingId), queryFn: () => meetingsApi.get(meetingId), retry: false });
  const [joined, setJoined] = useState<{ stream: MediaStream; choice: Choice } | null>(null);
  const title = meeting.data?.title ?? t('meetings.room.title');
  if (joined) return <Room meetingId={meetingId} stream={joined.stream} choice={joined.choice} />;
  return <Lobby title={title} onJoin={(stream, choice) => setJoined({ stream, choice })} />;
}
