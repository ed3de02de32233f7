import { FollowersPage } from '@/features/followers/components/followers-page';

export default function FollowersRoute() {
  return <FollowersPage />;
}
