/** What one run of the bench found for each contender, filled in scenario by scenario. */
import type { Contender } from './contenders.ts';
import type { BurstFigures } from './scenarios/acknowledgement.ts';
import type { DeliveryFigures } from './scenarios/large-deliveries.ts';
import type { ProviderFigures } from './scenarios/provider-calls.ts';
import type { ResumeFigures } from './scenarios/resume.ts';

export interface ContenderResults {
  contender: Contender;
  /** Why this contender was not run (no redis-server). */
  skipped?: string;
  /** One entry per round, in order. */
  bursts: Record<BurstSize, BurstFigures[]>;
  provider?: ProviderFigures;
  deliveries?: DeliveryFigures;
  resume?: ResumeFigures;
  /** Scenarios that failed to run, with their error. */
  errors: string[];
}

export const BURST_SIZES = [100, 1000] as const;
export type BurstSize = (typeof BURST_SIZES)[number];

export function emptyResults(contender: Contender, skipped?: string): ContenderResults {
  return { contender, ...(skipped === undefined ? {} : { skipped }), bursts: { 100: [], 1000: [] }, errors: [] };
}

/** The round whose p99 is the median (the lower middle for an even count); a round without answers counts as slowest. */
export function medianRound(rounds: readonly BurstFigures[]): BurstFigures | undefined {
  const sorted = [...rounds].sort((a, b) => (a.p99Ms ?? Infinity) - (b.p99Ms ?? Infinity));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
