/**
 * An organisation's public face, in its settings item (`ORG#<org>`/`CONFIG`, shared with
 * shared/scheduling/settings.ts; each module reads and writes only its own attributes):
 * - `displayName`: the name the public directory shows ("Landeshauptstadt Dresden");
 * - `embedOrigins`: the sites that may show the directory's embeddable view in a frame (CSP
 *   frame-ancestors); every other page of the directory, and the workspace, forbid framing.
 * `GET /organisations/{org}/settings` (any role), `PUT` (admin, audited).
 */
import * as z from 'zod';
import type { Principal } from '../model/schemas';
import type { Store } from '../store/client';
import { changeOrgConfig, ownOrganisation, readOrgConfig } from '../store/org-config';
import { directoryUrl, requestDirectoryBuild } from './request';

/** An https origin (scheme, host, port; no path), as CSP frame-ancestors takes it. */
const OriginSchema = z
  .url({ protocol: /^https$/, error: 'an https address, e.g. https://www.dresden.de' })
  .refine((url) => {
    const parsed = new URL(url);
    return (parsed.pathname === '/' || parsed.pathname === '') && !parsed.search && !parsed.hash;
  }, 'an origin only: no path, query or fragment')
  .transform((url) => new URL(url).origin);

export const OrgSettingsSchema = z.strictObject({
  displayName: z.string().trim().min(1).max(120),
  embedOrigins: z.array(OriginSchema).max(10).default([]),
});
export type OrgSettings = z.infer<typeof OrgSettingsSchema>;

export async function readOrgSettings(store: Store, org: string): Promise<OrgSettings> {
  const item = await readOrgConfig(store, org);
  const parsed = OrgSettingsSchema.safeParse({
    displayName: item?.displayName ?? org,
    embedOrigins: item?.embedOrigins ?? [],
  });
  return parsed.success ? parsed.data : { displayName: org, embedOrigins: [] };
}

const settingsView = (org: string, settings: OrgSettings) => {
  const url = directoryUrl(org);
  return {
    org,
    ...settings,
    ...(url
      ? {
          directory: {
            url,
            english: `${url}en/`,
            embed: `${url}embed.html`,
            feed: `${url}feed.atom`,
          },
        }
      : {}),
  };
};

export async function getOrgSettingsForPrincipal(store: Store, principal: Principal, org: string | undefined) {
  const own = ownOrganisation(principal, org);
  return settingsView(own, await readOrgSettings(store, own));
}

export async function putOrgSettings(
  store: Store,
  principal: Principal,
  org: string | undefined,
  settings: OrgSettings,
  now = new Date(),
) {
  const own = ownOrganisation(principal, org);
  await changeOrgConfig(
    store,
    principal,
    own,
    {
      what: "changing the organisation's settings",
      attributes: { displayName: settings.displayName, embedOrigins: settings.embedOrigins },
      readBefore: () => readOrgSettings(store, own),
      audit: { target: `organisation/${own}`, after: settings },
    },
    now,
  );
  await requestDirectoryBuild(own, now);
  return settingsView(own, settings);
}
