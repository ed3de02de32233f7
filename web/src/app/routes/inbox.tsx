import { InboxScreen } from '@/features/inbox/components/inbox';

export default function InboxRoute() {
  return <InboxScreen />;
}
