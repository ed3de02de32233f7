/**
 * The synthesised template of the default stack, kept in test/infra/__snapshots__/herold.template.json,
 * so that a review shows what a change does to the infrastructure. Asset hashes are masked (they
 * change with every source edit). After an intended change:
 *
 *   npx vitest run test/infra/snapshot.test.ts -u
 */
import { expect, it } from 'vitest';
import { synthHerold } from './synth';

const ASSET_HASH = /\b[0-9a-f]{64}\b/g;

it('synthesises the template the snapshot shows', async () => {
  const { Resources, ...rest } = synthHerold().template.toJSON() as { Resources: Record<string, unknown> };
  // the CDK version and construct library list, not Herold's infrastructure
  delete Resources.CDKMetadata;
  const masked = JSON.stringify(
    { ...rest, Resources },
    (_key, value: unknown) => (typeof value === 'string' ? value.replace(ASSET_HASH, '[asset hash]') : value),
    2,
  );
  await expect(`${masked}\n`).toMatchFileSnapshot('./__snapshots__/herold.template.json');
});
