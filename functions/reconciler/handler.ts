/** Every minute: re-enqueue stuck deliveries, release expired leases. (Implementation lands with the reconciler.) */
export const handler = async (): Promise<void> => {
  throw new Error('reconciler is not built yet');
};
