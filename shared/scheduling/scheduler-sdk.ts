/**
 * The parts of the EventBridge Scheduler client Herold uses, loaded with `import()` by schedules.ts.
 * A dynamic import keeps every export of the module it names, so it names this one, not the client
 * package with its every command.
 */
export {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
