/** Daily: enqueue one collect-followers job per channel into its platform's normal queue. (Implementation lands with follower metrics.) */
export const handler = async (): Promise<void> => {
  throw new Error('follower collection is not built yet');
};
