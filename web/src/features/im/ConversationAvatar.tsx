import { TeamOutlined } from '@ant-design/icons';
import { Avatar } from 'antd';
import { PersonAvatar } from '../org/PersonAvatar';
import { conversationName } from './format';
import type { ConversationRead } from './types';

export function ConversationAvatar({
  conversation,
  size = 40,
}: {
  conversation: Pick<ConversationRead, 'id' | 'kind' | 'name' | 'avatar_file_id' | 'peer'>;
  size?: number;
}) {
  if (conversation.kind === 'direct' && conversation.peer) {
    return (
      <PersonAvatar
        id={conversation.peer.id}
        name={conversation.peer.name}
        fileId={conversation.avatar_file_id}
        size={size}
      />
    );
  }
  if (conversation.avatar_file_id) {
    return <Avatar size={size} src={`/api/files/${conversation.avatar_file_id}/thumbnail`} alt="" aria-hidden />;
  }
  // Groups without a picture: the initials of the name, on a fixed colour per conversation.
  return (
    <PersonAvatar id={conversation.id} name={conversationName(conversation) || '#'} fileId={null} size={size} />
  );
}

export function GroupIcon() {
  return <TeamOutlined aria-hidden />;
}
