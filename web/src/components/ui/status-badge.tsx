/** A state in words with a shape and a colour: the words carry the meaning, colour only repeats it. */
import type { Tone } from '@/lib/message-status';

const SHAPES: Record<Tone, string> = { ok: '✓', warn: '!', bad: '✕', info: '…', neutral: '–' };

export function StatusBadge({ tone, children }: { tone: Tone; children: string }) {
  return (
    <span className={`badge badge-${tone}`}>
      <span aria-hidden="true" className="badge-shape">
        {SHAPES[tone]}
      </span>
      {children}
    </span>
  );
}
