/**
 * The bench's summary as a Markdown table (it goes into the README as printed): one column per contender,
 * one row per figure, each with its ratio to the reference the issue names (the defer-only bot for
 * acknowledgements and memory at rest, the naive bot for provider calls, delivery delay and delivery memory).
 */
import { medianRound, type BurstSize, type ContenderResults } from './results.ts';
import { mebibytes } from './stats.ts';

type Reference = 'defer-only' | 'naive';

interface Row {
  label: string;
  /** The figure for one contender; undefined when it does not apply to that bot. */
  value: (results: ContenderResults) => number | undefined;
  format: (value: number) => string;
  reference?: Reference;
  /** Replaces the number (and ratio) when set, e.g. misses of every round. */
  text?: (results: ContenderResults) => string | undefined;
}

const ms = (value: number) => `${Math.round(value)} ms`;
const mib = (value: number) => `${Math.round(mebibytes(value))} MiB`;
const count = (value: number) => String(value);
const decimal = (value: number) => value.toFixed(1);

function burstRows(size: BurstSize): Row[] {
  const median = (r: ContenderResults) => medianRound(r.bursts[size]);
  return [
    { label: `${size} at once: ack p50`, value: (r) => median(r)?.p50Ms, format: ms, reference: 'defer-only' },
    { label: `${size} at once: ack p99`, value: (r) => median(r)?.p99Ms, format: ms, reference: 'defer-only' },
    {
      label: `${size} at once: misses, each round`,
      value: (r) => median(r)?.misses,
      format: count,
      text: (r) => (r.bursts[size].length === 0 ? undefined : r.bursts[size].map((round) => round.misses).join(' · ')),
    },
  ];
}

/** The round of 1000 that waited for its tasks to be open: memory, CPU and the busy bursts (acknowledgement.ts). */
const openTasksRound = (r: ContenderResults) => r.bursts[1000].find((round) => round.openTasks);
/** The bursts of 100 sent once the burst of 1000's tasks are open (acknowledgement.ts, `busy`). */
const busyOf = (r: ContenderResults) => openTasksRound(r)?.busy;

const ROWS: Row[] = [
  ...burstRows(100),
  ...burstRows(1000),
  { label: '100 at once, 1000 tasks open: ack p50', value: (r) => busyOf(r)?.p50Ms, format: ms, reference: 'defer-only' },
  { label: '100 at once, 1000 tasks open: ack p99', value: (r) => busyOf(r)?.p99Ms, format: ms, reference: 'defer-only' },
  { label: '100 at once, 1000 tasks open: misses', value: (r) => busyOf(r)?.misses, format: count },
  {
    label: '1000 at once: bot CPU per command, to all submitted + 5 s',
    value: (r) => openTasksRound(r)?.openTasks?.cpuMsPerCommand,
    format: (value) => `${value.toFixed(2)} ms`,
    reference: 'defer-only',
  },
  { label: 'provider calls per delivered video', value: (r) => r.provider?.callsPerTask, format: decimal, reference: 'naive' },
  { label: 'provider finished → video on screen, p50', value: (r) => r.provider?.delayP50Ms, format: ms, reference: 'naive' },
  { label: 'provider finished → video on screen, max', value: (r) => r.provider?.delayMaxMs, format: ms, reference: 'naive' },
  {
    label: 'RSS with 1000 open tasks',
    value: (r) => openTasksRound(r)?.openTasks?.rssBytes,
    format: mib,
    reference: 'defer-only',
  },
  {
    label: '… of it JS heap in use after a full GC',
    value: (r) => openTasksRound(r)?.openTasks?.heapInUseBytes,
    format: mib,
    reference: 'defer-only',
  },
  { label: 'peak RSS, 20 × 25 MB delivered at once', value: (r) => r.deliveries?.peakRssBytes, format: mib, reference: 'naive' },
  { label: 'start → first poll, 1000 open tasks stored', value: (r) => r.resume?.firstPollMs, format: ms },
  { label: 'start → all 1000 polled once', value: (r) => r.resume?.allPolledMs, format: ms },
];

function cell(row: Row, results: ContenderResults, all: readonly ContenderResults[]): string {
  if (results.skipped !== undefined) return 'skipped';
  const text = row.text?.(results);
  if (text !== undefined) return text;
  const value = row.value(results);
  if (value === undefined) return '—';
  const reference = row.reference === undefined ? undefined : all.find((r) => r.contender.bot === row.reference);
  const base = reference === undefined || reference === results ? undefined : row.value(reference);
  return base === undefined || base === 0 ? row.format(value) : `${row.format(value)} (${(value / base).toFixed(2)}×)`;
}

export function renderTable(all: readonly ContenderResults[]): string {
  const header = ['', ...all.map((r) => r.contender.label)];
  const lines = [
    header,
    header.map(() => '---'),
    ...ROWS.map((row) => [`${row.label}${row.reference ? ` (× ${row.reference})` : ''}`, ...all.map((r) => cell(row, r, all))]),
  ];
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
