import type { FollowerReport } from '../report';

export const reportToJson = (report: FollowerReport): string => `${JSON.stringify(report, null, 2)}\n`;
