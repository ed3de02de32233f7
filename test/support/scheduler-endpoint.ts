/**
 * The local scheduler (local/scheduler.ts) behind EventBridge Scheduler's own HTTP API, so that a
 * bundle's Scheduler client reaches it through `AWS_ENDPOINT_URL_SCHEDULER`: CreateSchedule,
 * UpdateSchedule, DeleteSchedule and GetSchedule (REST-JSON, `/schedules/{Name}`), one-time `at()`
 * schedules only, which is all Herold creates. Each schedule's target is kept, and checked against
 * the template by the caller when it fires.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalScheduler } from '../../local/scheduler';

export interface ScheduleTarget {
  Arn: string;
  RoleArn: string;
  Input?: string;
  DeadLetterConfig?: { Arn?: string };
}

export interface SchedulerEndpoint {
  url: string;
  /** the target of each live schedule, by name */
  targets: Map<string, ScheduleTarget & { group: string }>;
  /** every request the endpoint answered, for the test's own checks */
  requests: { method: string; name: string; body: Record<string, unknown> }[];
  stop(): Promise<void>;
}

const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;

export async function startSchedulerEndpoint(options: {
  scheduler: LocalScheduler;
  /** the schedule groups the template creates: a schedule in any other group is refused, as in AWS */
  groups: string[];
  region: string;
  accountId: string;
}): Promise<SchedulerEndpoint> {
  const targets = new Map<string, ScheduleTarget & { group: string }>();
  const requests: SchedulerEndpoint['requests'] = [];
  const fail = (response: ServerResponse, status: number, type: string, message: string) => {
    response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
    response.end(JSON.stringify({ Message: message }));
  };
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://scheduler');
    const match = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    if (!match) return fail(response, 404, 'ResourceNotFoundException', `no such operation ${url.pathname}`);
    const name = decodeURIComponent(match[1] ?? '');
    let raw = '';
    for await (const chunk of request) raw += String(chunk);
    const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
    requests.push({ method: request.method ?? '', name, body });
    const group = String(body.GroupName ?? url.searchParams.get('groupName') ?? 'default');
    if (!options.groups.includes(group))
      return fail(response, 404, 'ResourceNotFoundException', `Schedule group ${group} does not exist.`);
    const arn = `arn:aws:scheduler:${options.region}:${options.accountId}:schedule/${group}/${name}`;

    if (request.method === 'POST' || request.method === 'PUT') {
      const at = AT.exec(String(body.ScheduleExpression));
      if (!at || body.ScheduleExpressionTimezone !== 'UTC')
        return fail(
          response,
          400,
          'ValidationException',
          `only at() schedules in UTC are served here, got ${String(body.ScheduleExpression)}`,
        );
      const schedule = { messageId: name, at: new Date(`${at[1]}Z`) };
      if (request.method === 'POST') {
        if (targets.has(name)) return fail(response, 409, 'ConflictException', `Schedule ${name} already exists.`);
        await options.scheduler.create(schedule);
      } else {
        if (!targets.has(name))
          return fail(response, 404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
        await options.scheduler.update(schedule);
      }
      targets.set(name, { ...(body.Target as ScheduleTarget), group });
      response.writeHead(200, { 'content-type': 'application/json' });
      return response.end(JSON.stringify({ ScheduleArn: arn }));
    }
    if (!targets.has(name)) return fail(response, 404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
    if (request.method === 'DELETE') {
      await options.scheduler.delete(name);
      targets.delete(name);
      response.writeHead(200, { 'content-type': 'application/json' });
      return response.end('{}');
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ Arn: arn, Name: name, GroupName: group, Target: targets.get(name) }));
  };
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) =>
      fail(response, 500, 'InternalServerException', error instanceof Error ? error.message : String(error)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
