/**
 * The NINA warning feed, simulated: `/nina/dashboard/{ARS}.json` and `/nina/warnings/{id}.json`
 * with the bodies api31 serves (MoWaS-style ids, a new hash per version, HTML line breaks in the
 * texts). Point HEROLD_NINA_BASE_URL at `<simulator>/nina`. Tests and the local stack publish,
 * update, cancel and withdraw warnings through the returned functions.
 */
import { createHash } from 'node:crypto';
import type { NinaDashboardItem, NinaWarning } from '../../shared/cap/nina';
import { DRESDEN_ARS, districtArs } from '../../shared/cap/nina';
import type { SimRequest, SimResponse } from './types';

export interface NinaSimWarning {
  headline: string;
  description: string;
  instruction?: string;
  /** CAP severity; NINA's MoWaS warnings are mostly Minor or Severe */
  severity?: 'Extreme' | 'Severe' | 'Moderate' | 'Minor' | 'Unknown';
  urgency?: 'Immediate' | 'Expected' | 'Future' | 'Past' | 'Unknown';
  event?: string;
  category?: string;
  /** BBK event code, e.g. BBK-EVC-040 */
  eventCode?: string;
  senderName?: string;
  web?: string;
  areaDesc?: string;
  /** region the warning is for (default Dresden) */
  ars?: string;
  /** MOWAS, KATWARN, BIWAPP … (default MOWAS) */
  provider?: string;
  /** MoWaS sender id, e.g. DE-SN-DD-S001 */
  sender?: string;
}

export type NinaSimChanges = Partial<
  Pick<NinaSimWarning, 'headline' | 'description' | 'instruction' | 'severity' | 'urgency' | 'areaDesc' | 'web'>
>;

interface StoredWarning {
  input: NinaSimWarning & { ars: string; provider: string; sender: string; senderName: string };
  version: number;
  detail: NinaWarning;
  item: NinaDashboardItem;
}

export interface NinaSim {
  handle(request: SimRequest): SimResponse | undefined;
  /** issue a new warning; returns its detail as /warnings/{id}.json serves it */
  publish(warning: NinaSimWarning): NinaWarning;
  /** a new version of the warning (msgType Update, new hash, references the previous version) */
  update(id: string, changes: NinaSimChanges): NinaWarning;
  /** the all-clear: msgType Cancel with NINA's "Dies ist die Entwarnung zur Warnung …" text */
  cancel(id: string): NinaWarning;
  /** the warning leaves the dashboard (expired or withdrawn); its detail answers 404 from now on */
  remove(id: string): void;
}

const PREFIX = '/nina';
const JSON_HEADERS = { 'content-type': 'application/json' };

export function createNinaSim(options: { now?: () => Date } = {}): NinaSim {
  const now = options.now ?? (() => new Date());
  const warnings = new Map<string, StoredWarning>();
  let sequence = 0;

  function stored(id: string): StoredWarning {
    const warning = warnings.get(id);
    if (!warning) throw new Error(`the NINA simulator has no warning ${id}`);
    return warning;
  }

  function store(
    warning: StoredWarning['input'],
    id: string,
    version: number,
    msgType: 'Alert' | 'Update' | 'Cancel',
    previous?: NinaWarning,
  ): NinaWarning {
    const sent = berlinDateTime(now());
    const detail: NinaWarning = {
      identifier: id,
      sender: warning.sender,
      sent,
      status: 'Actual',
      msgType,
      scope: 'Public',
      code: ['DVN:2', 'medien_ueberregional', 'nina'],
      ...(previous ? { references: `${warning.sender},${id},${previous.sent}` } : {}),
      info: [
        {
          language: 'DE',
          category: [warning.category ?? 'Safety'],
          event: warning.event ?? 'Gefahreninformation',
          urgency: warning.urgency ?? 'Immediate',
          severity: warning.severity ?? 'Severe',
          certainty: 'Observed',
          eventCode: [{ valueName: 'profile:DE-BBK-EVENTCODE', value: warning.eventCode ?? 'BBK-EVC-001' }],
          headline: warning.headline,
          description: warning.description.replace(/\n/g, '<br/>'),
          ...(warning.instruction ? { instruction: warning.instruction.replace(/\n/g, '<br/>') } : {}),
          ...(warning.web ? { web: warning.web } : {}),
          contact: warning.senderName,
          parameter: [
            { valueName: 'sender_langname', value: warning.senderName },
            { valueName: 'warnVerwaltungsbereiche', value: warning.ars },
          ],
          area: [
            {
              areaDesc: warning.areaDesc ?? 'Landeshauptstadt Dresden',
              geocode: [{ valueName: 'AreaId', value: warning.ars }],
            },
          ],
        },
      ],
    };
    const item: NinaDashboardItem = {
      id,
      payload: {
        version,
        type: 'ALERT',
        id,
        hash: createHash('sha256').update(JSON.stringify(detail)).digest('hex'),
        data: {
          headline: warning.headline,
          provider: warning.provider,
          severity: warning.severity ?? 'Severe',
          msgType,
          transKeys: { event: warning.eventCode ?? 'BBK-EVC-001' },
          area: { type: 'ZGEM', data: warning.ars },
        },
      },
      i18nTitle: { de: warning.headline },
      sent,
    };
    warnings.set(id, { input: warning, version, detail, item });
    return detail;
  }

  return {
    handle(request) {
      if (request.path !== PREFIX && !request.path.startsWith(`${PREFIX}/`)) return undefined;
      if (request.method !== 'GET') return { status: 405, headers: { allow: 'GET' }, body: { message: 'only GET' } };
      const dashboard = /^\/nina\/dashboard\/(\d{12})\.json$/.exec(request.path);
      if (dashboard?.[1]) {
        const district = districtArs(dashboard[1]);
        const items = [...warnings.values()]
          .filter((warning) => districtArs(warning.input.ars) === district)
          .map((warning) => warning.item);
        return { status: 200, headers: JSON_HEADERS, body: items };
      }
      const detail = /^\/nina\/warnings\/([^/]+)\.json$/.exec(request.path);
      const warning = detail?.[1] ? warnings.get(decodeURIComponent(detail[1])) : undefined;
      if (warning) return { status: 200, headers: JSON_HEADERS, body: warning.detail };
      return { status: 404, headers: JSON_HEADERS, body: { message: 'Not Found' } };
    },

    publish(warning) {
      sequence += 1;
      const sender = warning.sender ?? 'DE-SN-DD-S001';
      const date = berlinDateTime(now()).slice(0, 10).replace(/-/g, '');
      const id = `mow.${sender}-${date}-${String(sequence).padStart(3, '0')}`;
      const input = {
        ...warning,
        ars: warning.ars ?? DRESDEN_ARS,
        provider: warning.provider ?? 'MOWAS',
        sender,
        senderName: warning.senderName ?? 'Landeshauptstadt Dresden - Feuerwehr',
      };
      return store(input, id, 1, 'Alert');
    },

    update(id, changes) {
      const current = stored(id);
      return store({ ...current.input, ...changes }, id, current.version + 1, 'Update', current.detail);
    },

    cancel(id) {
      const current = stored(id);
      const original = current.input;
      const issued = formatGerman(current.detail.sent ?? '');
      const allClear = {
        ...original,
        headline: `Entwarnung: ${original.headline}`,
        description: `Dies ist die Entwarnung zur Warnung "${original.headline}" vom ${issued} gesendet durch ${original.senderName}. Die Warnung ist aufgehoben.`,
        instruction: undefined,
        severity: 'Minor' as const,
        urgency: 'Past' as const,
      };
      return store(allClear, id, current.version + 1, 'Cancel', current.detail);
    },

    remove(id) {
      stored(id);
      warnings.delete(id);
    },
  };
}

/** NINA's timestamps: Berlin local time with its offset, no fractions, e.g. 2025-01-08T09:30:00+01:00. */
function berlinDateTime(date: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Berlin',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  const local = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  const offsetMinutes = Math.round((local - Math.floor(date.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const offset = `${String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0')}:${String(Math.abs(offsetMinutes) % 60).padStart(2, '0')}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${sign}${offset}`;
}

function formatGerman(sent: string): string {
  const [date, time] = sent.split('T');
  const [year, month, day] = (date ?? '').split('-');
  return `${day}.${month}.${year} ${(time ?? '').slice(0, 8)}`;
}
