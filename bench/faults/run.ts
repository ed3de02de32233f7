/**
 * `npm run test:faults -- [--messages 1000] [--min-kills 20] [--write-docs]`: the fault-injection
 * run of docs/RELIABILITY.md. Prints the per-platform table; exits non-zero unless nothing was
 * lost, nothing posted twice, and every failure is explained. `--write-docs` puts the figures
 * into docs/RELIABILITY.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { failureReasonLines, markdownTable, SETTLE_BOUND_MS } from './report';
import { runFaultSuite, SUITE_KNOBS, type FaultSuiteResult } from './suite';

const DOC = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'RELIABILITY.md');
const BEGIN = '<!-- fault-suite:begin -->';
const END = '<!-- fault-suite:end -->';

export function summary(result: FaultSuiteResult): string {
  const minutes = (result.durationMs / 60_000).toFixed(1);
  return [
    `Run ${result.runId} (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC): ${result.messages} messages, ${result.figures.totals.sent} deliveries, ${minutes} min; ` +
      `publisher killed ${result.kills}× (${result.crashes} exits of its own); ${result.duplicatedJobs} jobs from the API and the reconciler sent twice (the worker's requeues too). ` +
      `Knobs: visibility ${SUITE_KNOBS.visibilityTimeoutSeconds} s, lease ${SUITE_KNOBS.leaseMs / 1000} s, request timeout ${SUITE_KNOBS.requestTimeoutMs} ms, backoff ≤ ${SUITE_KNOBS.maxBackoffSeconds} s, ` +
      `reconciler every ${SUITE_KNOBS.reconcileIntervalMs / 1000} s, maxReceiveCount ${SUITE_KNOBS.maxReceiveCount}.`,
    '',
    markdownTable(result.figures),
    '',
    settleLine(result),
    '',
    'Failure reasons:',
    '',
    ...(failureReasonLines(result.figures).length ? failureReasonLines(result.figures) : ['- none']),
    '',
    result.passed
      ? '**Result: pass** (0 duplicates, 0 lost, every delivery settled with a reason within 5 min, every failure explained).'
      : `**Result: FAIL**\n\n${result.problems.map((problem) => `- ${problem}`).join('\n')}`,
  ].join('\n');
}

/** The promise on settling in time, and how long the slowest delivery took from its creation. */
function settleLine(result: FaultSuiteResult): string {
  const { longestToSettleMs, longestFromCreationMs } = result.figures.totals;
  const within = longestToSettleMs <= SETTLE_BOUND_MS && !result.timedOut;
  return (
    `Every delivery settled within ${SETTLE_BOUND_MS / 60_000} min of its last attempt that was not a wait for quota: ${within ? 'yes' : '**no**'} ` +
    `(longest ${Math.round(longestToSettleMs / 1000)} s after its last attempt to publish; no delivery waited for quota, every budget is raised for the run). ` +
    `The slowest delivery took ${Math.round(longestFromCreationMs / 1000)} s from its creation, its retries and its time in the queue included.`
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '1000' },
      'min-kills': { type: 'string', default: '20' },
      'write-docs': { type: 'boolean', default: false },
    },
  });
  const messages = Number(values.messages);
  const minKills = Number(values['min-kills']);
  if (!Number.isInteger(messages) || messages < 1 || !Number.isInteger(minKills) || minKills < 0) {
    console.error('usage: npm run test:faults -- [--messages N] [--min-kills K] [--write-docs]');
    process.exit(2);
  }
  const result = await runFaultSuite({ messages, minKills, progress: (line) => console.log(line) });
  const text = summary(result);
  console.log(`\n${text}\n\nLogs: ${result.logFile}`);
  if (values['write-docs']) {
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    if (start === -1 || end < start) throw new Error(`${DOC} has no ${BEGIN} … ${END} section`);
    writeFileSync(DOC, `${doc.slice(0, start + BEGIN.length)}\n${text}\n${doc.slice(end)}`);
    console.log(`figures written to ${path.relative(process.cwd(), DOC)}`);
  }
  process.exit(result.passed ? 0 : 1);
}

if (import.meta.main) await main();
