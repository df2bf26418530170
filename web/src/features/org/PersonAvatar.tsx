import { Avatar } from 'antd';
import { avatarText } from './avatarText';

const COLORS = ['#1677ff', '#13c2c2', '#52c41a', '#fa8c16', '#722ed1', '#eb2f96', '#2f54eb', '#faad14'];

export function PersonAvatar({
  id,
  name,
  fileId,
  size = 40,
}: {
  id: number;
  name: string;
  fileId: string | null;
  size?: number;
}) {
  if (fileId !== null) {
    return <Avatar size={size} src={`/api/files/${fileId}/thumbnail`} alt="" aria-hidden />;
  }
  const text = avatarText(name);
  return (
    <Avatar
      size={size}
      style={{ backgroundColor: COLORS[id % COLORS.length], fontSize: size * (text.length > 1 ? 0.36 : 0.45), flex: 'none' }}
      // Decorative: the name is always shown or labelled beside it.
      aria-hidden
    >
      {text}
    </Avatar>
  );
}
