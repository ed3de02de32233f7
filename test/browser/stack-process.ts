/**
 * The browser tests' local stack, in a process of its own: startLocalStack sets the handlers'
 * environment (table, queues, simulator URLs) on its process, and the test workers inherit the
 * environment of the process that runs the global set-up; here it leaks into nothing.
 */
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED = 'true';
const { startLocalStack } = await import('../../local/start');

const stack = await startLocalStack({
  port: 0,
  simulatorPort: 0,
  workspacePort: 0,
  tableName: 'herold-browser',
  queuePrefix: 'herold-browser',
  log: () => undefined,
});
const stop = () => void stack.stop().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('disconnect', stop);
process.send?.({ workspaceUrl: stack.workspaceUrl, apiUrl: stack.apiUrl, simulatorUrl: stack.simulatorUrl });

export {};
