/**
 * The Metrics observer (src/metrics.ts) as Prometheus metrics, in the one registry the wiring builds and
 * serves on /metrics. Names start with `animate_`; prom-client's default process and Node.js metrics
 * (event-loop delay among them) sit beside them. Label values come from small fixed sets, never from ids.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { DeliveryKind, Metrics, ProviderOperation } from '../metrics.ts';
import type { QuotaRefusal } from '../quota/quota-outcomes.ts';
import type { TaskEffect, TaskEvent } from '../tasks/task-events.ts';
import { isFinal, OPEN_STATES, TASK_STATES, type TaskRecord, type TaskState } from '../tasks/task-record.ts';

const SUBMIT_OUTCOMES = ['accepted', 'refused', 'unknown'] as const;
const POLL_OUTCOMES = ['running', 'succeeded', 'failed', 'refused', 'error'] as const;
const DELIVERY_KINDS = ['edit', 'channel', 'direct', 'link', 'private'] as const satisfies readonly DeliveryKind[];
/** Every refusal kind, so each series exists (at 0) before the first refusal: `increase()` needs a start. */
const REFUSAL_KINDS = Object.keys({
  channel: true,
  paused: true,
  blocked: true,
  member_units: true,
  server_units: true,
  global_units: true,
  server_ceiling: true,
  active_limit: true,
} satisfies Record<QuotaRefusal['kind'], true>);

/** What a poll's event says about the generation. */
const POLL_OUTCOME_OF: Partial<Record<TaskEvent['type'], (typeof POLL_OUTCOMES)[number]>> = {
  progressed: 'running',
  generation_succeeded: 'succeeded',
  generation_failed: 'failed',
  poll_refused: 'refused',
  polling_paused: 'refused',
  step_failed: 'error',
};
const SUBMIT_OUTCOME_OF: Partial<Record<TaskEvent['type'], (typeof SUBMIT_OUTCOMES)[number]>> = {
  submitted: 'accepted',
  submit_refused: 'refused',
  submit_unknown: 'unknown',
};

/** Discord's 3-second deadline sits on a bucket boundary, so "acknowledged in time" is one bucket's ratio. */
const ACK_BUCKETS_SECONDS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];
/** A poll answers in well under a second; a submit carries the picture and may take several. */
const PROVIDER_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 90];

export interface PrometheusMetricsOptions {
  /** prom-client's process and Node.js metrics (CPU, memory, handles, GC, event-loop delay). Default true. */
  defaultMetrics?: boolean;
}

export class PrometheusMetrics implements Metrics {
  readonly #tasksOpen: Gauge<'state'>;
  readonly #transitions: Counter<'state'>;
  readonly #failures: Counter<'kind'>;
  readonly #submissions: Counter<'outcome'>;
  readonly #polls: Counter<'outcome'>;
  readonly #providerRequests: Counter<'operation' | 'status'>;
  readonly #providerDuration: Histogram<'operation'>;
  readonly #acknowledgement: Histogram;
  readonly #deliveries: Counter<'kind'>;
  readonly #refusals: Counter<'kind'>;
  /** The state of each open task this process drives: the gauge moves by one as a task moves. */
  readonly #openTasks = new Map<string, TaskState>();

  constructor(registry: Registry, options: PrometheusMetricsOptions = {}) {
    const registers = [registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

    this.#tasksOpen = new Gauge({
      name: 'animate_tasks_open',
      help: 'Open tasks this process is driving, by state.',
      labelNames: ['state'],
      registers,
    });
    this.#transitions = new Counter({
      name: 'animate_task_transitions_total',
      help: 'Tasks that entered each state (new tasks enter received; delivered, undelivered and failed are final).',
      labelNames: ['state'],
      registers,
    });
    this.#failures = new Counter({
      name: 'animate_task_failures_total',
      help: 'Tasks that failed, by the failure the member is told of.',
      labelNames: ['kind'],
      registers,
    });
    this.#submissions = new Counter({
      name: 'animate_submissions_total',
      help: 'Generations submitted to the video API: accepted, refused, or unknown (no answer; never retried).',
      labelNames: ['outcome'],
      registers,
    });
    this.#polls = new Counter({
      name: 'animate_polls_total',
      help: "Polls of a generation's state, by what they learned (error: failed, will retry).",
      labelNames: ['outcome'],
      registers,
    });
    this.#providerRequests = new Counter({
      name: 'animate_provider_requests_total',
      help: 'HTTP exchanges with the video API, by operation and HTTP status (network: no answer).',
      labelNames: ['operation', 'status'],
      registers,
    });
    this.#providerDuration = new Histogram({
      name: 'animate_provider_request_duration_seconds',
      help: 'Duration of each HTTP exchange with the video API, answered or not.',
      labelNames: ['operation'],
      buckets: PROVIDER_BUCKETS_SECONDS,
      registers,
    });
    this.#acknowledgement = new Histogram({
      name: 'animate_acknowledgement_seconds',
      help: "From the interaction's creation to the answer to its deferral (Discord allows 3 s).",
      buckets: ACK_BUCKETS_SECONDS,
      registers,
    });
    this.#deliveries = new Counter({
      name: 'animate_deliveries_total',
      help: 'Final answers that reached the member: edit of the reply, channel message, direct message, video link, private follow-up.',
      labelNames: ['kind'],
      registers,
    });
    this.#refusals = new Counter({
      name: 'animate_quota_refusals_total',
      help: 'Requests refused by a quota rule before anything was paid for, by rule.',
      labelNames: ['kind'],
      registers,
    });

    // Series that exist from the start read 0 rather than "no data", so alerts and rate() work at once.
    for (const state of OPEN_STATES) this.#tasksOpen.set({ state }, 0);
    for (const state of TASK_STATES) this.#transitions.inc({ state }, 0);
    for (const outcome of SUBMIT_OUTCOMES) this.#submissions.inc({ outcome }, 0);
    for (const outcome of POLL_OUTCOMES) this.#polls.inc({ outcome }, 0);
    for (const kind of DELIVERY_KINDS) this.#deliveries.inc({ kind }, 0);
    for (const kind of REFUSAL_KINDS) this.#refusals.inc({ kind }, 0);
  }

  taskPickedUp(task: TaskRecord): void {
    this.#hold(task);
  }

  taskStored(task: TaskRecord, from: TaskState | undefined): void {
    this.#hold(task);
    if (from === task.state) return;
    this.#transitions.inc({ state: task.state });
    if (task.state === 'failing') this.#failures.inc({ kind: task.failure.kind });
  }

  effectPerformed(effect: TaskEffect, event: TaskEvent | undefined): void {
    if (event === undefined) return;
    if (effect.type === 'submit') {
      const outcome = SUBMIT_OUTCOME_OF[event.type];
      if (outcome) this.#submissions.inc({ outcome });
    } else if (effect.type === 'poll') {
      const outcome = POLL_OUTCOME_OF[event.type];
      if (outcome) this.#polls.inc({ outcome });
    }
  }

  providerRequest(operation: ProviderOperation, status: number | 'network', durationMs: number): void {
    this.#providerRequests.inc({ operation, status: String(status) });
    this.#providerDuration.observe({ operation }, durationMs / 1000);
  }

  delivered(kind: DeliveryKind): void {
    this.#deliveries.inc({ kind });
  }

  acknowledged(latencyMs: number): void {
    // Discord's clock (in the interaction's id) may run a little ahead of ours.
    this.#acknowledgement.observe(Math.max(0, latencyMs) / 1000);
  }

  quotaRefused(kind: QuotaRefusal['kind']): void {
    this.#refusals.inc({ kind });
  }

  #hold(task: TaskRecord): void {
    const previous = this.#openTasks.get(task.id);
    if (previous === task.state) return;
    if (previous !== undefined) this.#tasksOpen.dec({ state: previous });
    if (isFinal(task.state)) {
      this.#openTasks.delete(task.id);
    } else {
      this.#openTasks.set(task.id, task.state);
      this.#tasksOpen.inc({ state: task.state });
    }
  }
}
