/** Names and settings of the alert-card function, shared by CDK, the local stack and the function. */

/** Its queues, named like a platform's lane. */
export const cardQueueNames = (prefix = 'herold') => ({
  normal: `${prefix}-cards`,
  urgent: `${prefix}-cards-urgent`,
  normalDlq: `${prefix}-cards-dlq`,
  urgentDlq: `${prefix}-cards-urgent-dlq`,
});

/** Where the cards are kept and served from (see store.ts). */
export const CARD_STORE_ENV = {
  bucket: 'HEROLD_CARD_BUCKET',
  directory: 'HEROLD_CARD_DIR',
  baseUrl: 'HEROLD_CARD_BASE_URL',
} as const;

/** The bundle's directory of fonts and emoji (render.ts); unset, they come from node_modules. */
export const CARD_ASSETS_ENV = 'HEROLD_CARD_ASSETS';
