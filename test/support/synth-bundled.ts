/**
 * Synthesises the Herold app as `cdk synth` does, esbuild bundling included, into a directory of
 * its own (run as a child process by lambda-artifacts.ts: bundling blocks its process for a while).
 * Extra functions (the cold-start benchmark's baseline) go into a stack of their own and are built
 * by the same HeroldFunction construct, so they are bundled exactly as Herold's functions are.
 *
 *   node --import tsx test/support/synth-bundled.ts '{"outdir":"…","context":{…},"extraFunctions":[…]}'
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { createHeroldApp } from '../../infra/herold-app';
import { HeroldFunction } from '../../infra/constructs/herold-function';

/** Written beside the cloud assembly: construct path of each function → its entry file. */
export const ENTRIES_FILE = 'herold-entries.json';

export interface SynthRequest {
  outdir: string;
  context: Record<string, unknown>;
  /** functions outside Herold's stack, by construct id and entry file (relative to the repository) */
  extraFunctions?: { id: string; entry: string }[];
}

export function synthesize(request: SynthRequest): void {
  const { app } = createHeroldApp({
    outdir: request.outdir,
    // as the CDK CLI synthesises: resources name their construct path and their asset's directory
    context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true, ...request.context },
  });
  if (request.extraFunctions?.length) {
    const stack = new Stack(app, 'HeroldExtraFunctions');
    for (const { id, entry } of request.extraFunctions) {
      new HeroldFunction(stack, id, {
        entry,
        functionName: `herold-extra-${id.toLowerCase()}`,
        description: `${id}, bundled as every Herold function is`,
        timeout: Duration.seconds(10),
        logRetention: logs.RetentionDays.ONE_DAY,
      });
    }
  }
  app.synth();
  // which source file each function was bundled from, by construct path (the template does not say)
  const entries = Object.fromEntries(
    app.node
      .findAll()
      .filter((construct): construct is HeroldFunction => construct instanceof HeroldFunction)
      .map((fn) => [fn.fn.node.path, fn.entry]),
  );
  writeFileSync(path.join(request.outdir, ENTRIES_FILE), `${JSON.stringify(entries, null, 2)}\n`);
}

if (import.meta.main) synthesize(JSON.parse(process.argv[2] ?? '{}') as SynthRequest);
