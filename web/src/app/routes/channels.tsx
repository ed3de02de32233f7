import { ChannelsPage } from '@/features/channels/components/channels-page';

export default function ChannelsRoute() {
  return <ChannelsPage />;
}
