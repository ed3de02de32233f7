/** The alert-card function's queues, named like a platform's lane (shared by CDK and the local stack). */
export const cardQueueNames = (prefix = 'herold') => ({
  normal: `${prefix}-cards`,
  urgent: `${prefix}-cards-urgent`,
  normalDlq: `${prefix}-cards-dlq`,
  urgentDlq: `${prefix}-cards-urgent-dlq`,
});
