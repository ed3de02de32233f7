/** Invoked by a one-time EventBridge Scheduler schedule: queue a scheduled message's deliveries. (Implementation lands with scheduled messages.) */
export const handler = async (): Promise<void> => {
  throw new Error('dispatch is not built yet');
};
