import { AudioMutedOutlined } from '@ant-design/icons';
import { useEffect, useRef } from 'react';

/** One participant's video with their name; the local one is muted to avoid echo. */
export function VideoTile({
  stream,
  name,
  muted,
  hand,
  local,
  testId,
}: {
  stream: MediaStream | null;
  name: string;
  muted: boolean;
  hand: boolean;
  local?: boolean;
  testId?: string;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return (
    <div className="meetings-tile" data-testid={testId}>
      <video ref={ref} autoPlay playsInline muted={local} />
      <div className="meetings-tile-name">
        {hand && <span aria-label="hand">✋ </span>}
        {muted && <AudioMutedOutlined />} {name}
      </div>
    </div>
  );
}
