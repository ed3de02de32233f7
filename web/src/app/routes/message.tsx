import { useParams } from 'wouter';
import { StatusBoard } from '@/features/status-board/components/status-board';

export default function MessageRoute() {
  const { id = '' } = useParams<{ id: string }>();
  return <StatusBoard messageId={id} />;
}
