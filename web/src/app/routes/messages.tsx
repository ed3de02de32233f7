import { MessagesList } from '@/features/messages/components/messages-list';

export default function MessagesRoute() {
  return <MessagesList />;
}
