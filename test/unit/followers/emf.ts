import { vi } from 'vitest';

/** Captures the EMF records Powertools Metrics prints to stdout while `action` runs. */
export async function captureEmf<T>(
  action: () => Promise<T>,
): Promise<{ result: T; records: Record<string, unknown>[] }> {
  const records: Record<string, unknown>[] = [];
  const original = process.stdout.write.bind(process.stdout);
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = chunk.toString();
    if (text.includes('"_aws"')) {
      for (const line of text.split('\n').filter((entry) => entry.trim().length > 0)) records.push(JSON.parse(line));
      return true;
    }
    return original(chunk, ...(rest as []));
  });
  try {
    return { result: await action(), records };
  } finally {
    spy.mockRestore();
  }
}
