import { describe, expect, it } from 'vitest';
import { backoffSeconds } from '../../../shared/publishing/publish';

describe('backoffSeconds', () => {
  it('doubles per attempt within jitter bounds', () => {
    expect(backoffSeconds(1, () => 0)).toBe(1);
    expect(backoffSeconds(1, () => 1)).toBe(2);
    expect(backoffSeconds(3, () => 0)).toBe(4);
    expect(backoffSeconds(3, () => 1)).toBe(8);
  });
  it('never waits more than five minutes', () => {
    expect(backoffSeconds(20, () => 1)).toBe(300);
  });
});
