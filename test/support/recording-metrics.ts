import type { Metrics } from '../../src/metrics.ts';

type Call = { [K in keyof Metrics]: [K, ...Parameters<Metrics[K]>] }[keyof Metrics];

/** A Metrics observer that keeps every call, in order, for tests of the hooks. */
export class RecordingMetrics implements Metrics {
  readonly calls: Call[] = [];

  taskPickedUp(...args: Parameters<Metrics['taskPickedUp']>): void {
    this.calls.push(['taskPickedUp', ...args]);
  }
  taskStored(...args: Parameters<Metrics['taskStored']>): void {
    this.calls.push(['taskStored', ...args]);
  }
  effectPerformed(...args: Parameters<Metrics['effectPerformed']>): void {
    this.calls.push(['effectPerformed', ...args]);
  }
  providerRequest(...args: Parameters<Metrics['providerRequest']>): void {
    this.calls.push(['providerRequest', ...args]);
  }
  delivered(...args: Parameters<Metrics['delivered']>): void {
    this.calls.push(['delivered', ...args]);
  }
  acknowledged(...args: Parameters<Metrics['acknowledged']>): void {
    this.calls.push(['acknowledged', ...args]);
  }
  quotaRefused(...args: Parameters<Metrics['quotaRefused']>): void {
    this.calls.push(['quotaRefused', ...args]);
  }

  /** The arguments of every call to one method. */
  of<K extends keyof Metrics>(method: K): Parameters<Metrics[K]>[] {
    return this.calls.filter((call) => call[0] === method).map((call) => call.slice(1) as Parameters<Metrics[K]>);
  }
}
