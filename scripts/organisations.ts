/**
 * npm run organisations -- list
 * npm run organisations -- import <file.json> [--actor name]
 *   file: { "<org>": { "name": "Feuerwehr Dresden", "alertPolicy": { "singlePersonSeverities": ["Extreme"] } } }
 *
 * The organisations a deployment serves are items in its table: this is how an operator creates
 * them (a token of an organisation without one is refused) and changes several at once. Each
 * organisation in the file is created or replaced and audited in its own trail; the ones it leaves
 * out stay. An organisation's administrator changes their own through `PUT /organisations/{org}`.
 * Uses the functions' environment (HEROLD_TABLE; AWS credentials, or the local stack's
 * AWS_ENDPOINT_URL_DYNAMODB). Running functions see a change within a minute (their cache).
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { importOrganisations, OrganisationsFileSchema } from '../shared/organisations/import';
import { queryOrganisations } from '../shared/organisations/organisations';
import { defaultStore } from '../shared/store/client';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { actor: { type: 'string' } } });
const [command, file] = positionals;
const store = defaultStore();

if (command === 'list') {
  const organisations = await queryOrganisations(store);
  for (const { org, name, version, updatedAt, alertPolicy } of organisations.sort((a, b) => a.org.localeCompare(b.org)))
    console.log(
      [
        org,
        name,
        `v${version}`,
        updatedAt,
        `alone: ${alertPolicy.singlePersonSeverities.join(',') || '-'}`,
        `languages: ${alertPolicy.languages.join(',')}`,
        ...(alertPolicy.ninaArs ? [`NINA ${alertPolicy.ninaArs}`] : []),
      ].join('\t'),
    );
  console.log(`${organisations.length} organisation(s)`);
} else if (command === 'import' && file) {
  let organisations: z.output<typeof OrganisationsFileSchema>;
  try {
    const parsed = OrganisationsFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) {
      console.error(`${file} is not a valid organisations file:\n${z.prettifyError(parsed.error)}`);
      process.exit(1);
    }
    organisations = parsed.data;
  } catch (error) {
    console.error(`${file}: ${(error as Error).message}`);
    process.exit(1);
  }
  const { created, updated } = await importOrganisations(
    store,
    { sub: values.actor ?? `operator:${userInfo().username}` },
    organisations,
  );
  console.log(`created: ${created.join(', ') || '-'}\nupdated: ${updated.join(', ') || '-'}`);
} else {
  console.error('usage: npm run organisations -- list | import <file.json> [--actor name]');
  process.exit(2);
}
