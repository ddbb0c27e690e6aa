/**
 * Randomness, in one place so everything else can take it injected: tests pass fixed values and get
 * the same back-off and the same ids every run.
 */
import { randomUUID } from 'node:crypto';

/** A uniform number in [0, 1), for jitter. */
export const randomFraction = (): number => Math.random();

/** A fresh unique id (task ids, reference ids, claim values). */
export const randomId = (): string => randomUUID();
