/** Daily: check and refresh every channel's credentials. (Implementation lands with token health.) */
export const handler = async (): Promise<void> => {
  throw new Error('token health is not built yet');
};
