import { Composer } from '@/features/compose/components/composer';

export default function ComposeRoute() {
  return <Composer />;
}
