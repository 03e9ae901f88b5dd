/** Retry policy: capped exponential backoff with "equal jitter" (half fixed, half random), so gateways do not retry in step. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 60_000 };

/** Delay before retry number `failures` (1 = first retry). */
export function backoffDelay(policy: BackoffPolicy, failures: number, random = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
