import { EmergencyConsole } from '@/features/console/components/emergency-console';

export default function ConsoleRoute() {
  return <EmergencyConsole />;
}
