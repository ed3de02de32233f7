/** Every minute: poll the NINA warnings feed and turn new warnings into alerts. (Implementation lands with the emergency lane.) */
export const handler = async (): Promise<void> => {
  throw new Error('alerts feed is not built yet');
};
