/**
 * The cost of the restriction stage, measured so that other processes' load does not decide the
 * answer: `bench:pdp`'s 50,000-policy model and requests with client addresses, decided without and
 * with its 1,000 rules over 1,000 zones, side by side.
 *
 *   node --import tsx bench/pdp/restrictions-cost.ts [--policies 50000] [--requests 20000]
 *
 * prints two figures for each mode:
 * - instructions (and first-level cache misses) per decision, counted by valgrind's callgrind in one process that, after a warm-up
 *   of both modes, alternates one pass over the requests without rules and one with them
 *   (COUNTED_ROUNDS rounds, median of each mode): the steady state of one decision, without setup
 *   or compilation. Needs valgrind on the PATH; takes a few minutes (valgrind runs ~50× slower).
 * - decisions per CPU-second of one process that alternates the modes, median of the rounds: CPU
 *   time, not wall time, so a loaded machine slows it less; still only a guide there, as other
 *   processes share the caches.
 *
 * The two modes are two snapshots of the same policies, one with the rules and one without, built
 * once: adding and removing 1,000 rules between passes would leave garbage for the next pass to
 * sweep and send the decision code back to the optimizing compiler, and the counts would be of that
 * (measured: sweeping alone was ~8,000 instructions a decision), not of decisions. A server changes
 * its rules seldom and decides between changes.
 *
 * `--count` is the child that callgrind runs.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { decide } from '../../src/pdp/authorize.js';
import { Snapshot } from '../../src/pdp/snapshot.js';
import { median } from '../lib/stats.js';
import { buildModel, buildRequests, snapshotInput, type BenchRequest } from './model.js';
import { buildRestrictions, RULES, withEnvironment, ZONES } from './restrictions.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const NOW = Date.parse('2024-06-03T12:00:00Z');
const WARM_UP_ROUNDS = 3;
const COUNTED_ROUNDS = 5;
const ROUNDS = 7;

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1]! : fallback;
}
const policies = Number(option('policies', '50000'));
const requestCount = Number(option('requests', '20000'));

interface Setup {
  /** The same policies, without and with the rules. */
  plain: Snapshot;
  ruled: Snapshot;
  requests: BenchRequest[];
}

function setUp(): Setup {
  const model = buildModel(policies);
  const input = snapshotInput(model);
  const built = buildRestrictions(model);
  const build = (restricted: boolean) => {
    const { snapshot, rejected } = Snapshot.build({ ...input, ...(restricted ? { zones: built.zones, rules: built.rules } : {}) });
    if (rejected.length > 0) throw new Error(`${rejected.length} policies rejected`);
    return snapshot;
  };
  return { plain: build(false), ruled: build(true), requests: withEnvironment(buildRequests(model, requestCount), built.zoneOfService) };
}

/** Decides every request `passes` times; returns how many were permitted (so no pass is optimized away). */
function run(snapshot: Snapshot, requests: readonly BenchRequest[], passes: number): number {
  let permitted = 0;
  for (let p = 0; p < passes; p++) for (let i = 0; i < requests.length; i++) if (decide(requests[i]!, snapshot, NOW).permitted) permitted++;
  return permitted;
}

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

function perCpuSecond(snapshot: Snapshot, requests: readonly BenchRequest[]): number {
  const start = cpuSeconds();
  const passes = 2;
  run(snapshot, requests, passes);
  return (passes * requests.length) / (cpuSeconds() - start);
}

/**
 * Instructions of the steady state, counted in one process under callgrind: after a warm-up of both
 * modes, ROUNDS rounds of one pass without rules and one with them. The child reads `process.ppid`
 * between segments, which calls getppid(), and callgrind dumps its counters there
 * (`--dump-before=getppid`), one file per segment; the child prints the segments' labels in order.
 * With callgrind's cache simulation on, it also counts first-level cache misses (instructions and
 * data), which the instruction count does not price and wall time does.
 * Returns the medians per decision of each mode.
 */
interface Counted {
  instructions: number;
  /** First-level instruction-cache and data-cache (read) misses. */
  instructionMisses: number;
  dataMisses: number;
}

function countInstructions(): { none: Counted; rules: Counted } {
  const dir = mkdtempSync(join(tmpdir(), 'restrictions-cost-'));
  try {
    const child = spawnSync(
      'valgrind',
      ['--tool=callgrind', '--cache-sim=yes', '--dump-before=getppid', `--callgrind-out-file=${join(dir, 'out')}`, process.execPath, '--single-threaded', ...process.execArgv, fileURLToPath(import.meta.url), '--count', '--policies', String(policies), '--requests', String(requestCount)],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    if (child.status !== 0) throw new Error(`callgrind run failed: ${child.stderr.slice(-2000)}`);
    const labels = child.stdout.trim().split('\n').at(-1)!.split(',');
    // Node calls getppid() during startup too: the child's segments are the last dumps.
    const dumps = readdirSync(dir).filter((f) => /^out\.\d+$/.test(f)).length;
    const offset = dumps - labels.length;
    const counts: Record<string, Array<Record<string, number>>> = { none: [], rules: [] };
    labels.forEach((label, i) => {
      const dump = readFileSync(join(dir, `out.${offset + i + 1}`), 'utf8');
      const events = /^events: (.+)$/m.exec(dump)?.[1]?.split(' ');
      const totals = /^totals: (.+)$/m.exec(dump)?.[1]?.split(' ').map(Number);
      if (!events || !totals) throw new Error(`no totals in callgrind dump ${offset + i + 1}`);
      counts[label]?.push(Object.fromEntries(events.map((event, k) => [event, (totals[k] ?? 0) / requestCount])));
    });
    const of = (mode: string): Counted => {
      const per = (event: string) => median(counts[mode]!.map((c) => c[event] ?? 0));
      return { instructions: per('Ir'), instructionMisses: per('I1mr'), dataMisses: per('D1mr') };
    };
    return { none: of('none'), rules: of('rules') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv.includes('--count')) {
  const { plain, ruled, requests } = setUp();
  const labels: string[] = [];
  const mark = (label: string) => {
    labels.push(label);
    if (process.ppid < 0) throw new Error('no parent process');
  };
  // Both modes optimized, and the setup's garbage collected and swept, before anything is counted.
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    run(plain, requests, 1);
    run(ruled, requests, 1);
  }
  gc();
  run(plain, requests, 1);
  run(ruled, requests, 1);
  mark('setup');
  for (let round = 0; round < COUNTED_ROUNDS; round++) {
    run(plain, requests, 1);
    mark('none');
    run(ruled, requests, 1);
    mark('rules');
  }
  process.stdout.write(`${labels.join(',')}\n`);
  process.exit(0);
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
process.stderr.write(`${fmt(policies)} policies, ${fmt(requestCount)} requests with client addresses, ${fmt(RULES)} rules over ${fmt(ZONES)} zones\n`);

const { plain, ruled, requests } = setUp();
const permitRate = (snapshot: Snapshot, mode: string) => {
  const rate = run(snapshot, requests, 1) / requests.length;
  process.stderr.write(`permitted ${mode}: ${fmt(rate * 100, 1)} %\n`);
  return rate;
};
const permitWithout = permitRate(plain, 'without rules');
const permitWith = permitRate(ruled, 'with rules');

const rates = { none: [] as number[], rules: [] as number[] };
for (let round = 0; round < ROUNDS; round++) {
  rates.none.push(perCpuSecond(plain, requests));
  rates.rules.push(perCpuSecond(ruled, requests));
}
const none = median(rates.none);
const rules = median(rates.rules);

process.stderr.write('counting instructions under callgrind… ');
const { none: countedNone, rules: countedRules } = countInstructions();
const instructionsNone = countedNone.instructions;
const instructionsRules = countedRules.instructions;
process.stderr.write('done\n');

console.log('');
console.log('                 | instructions / decision | decisions / CPU-second | permit %');
console.log(`without rules    | ${fmt(instructionsNone).padStart(23)} | ${fmt(none).padStart(22)} | ${fmt(permitWithout * 100, 1).padStart(8)}`);
console.log(`with rules       | ${fmt(instructionsRules).padStart(23)} | ${fmt(rules).padStart(22)} | ${fmt(permitWith * 100, 1).padStart(8)}`);
// The target's terms: the rate with rules against the rate without (≥ 80 %), instructions read as a rate.
console.log(
  `rate with rules   | ${`${fmt((instructionsNone / instructionsRules) * 100, 1)} %`.padStart(23)} | ${`${fmt((rules / none) * 100, 1)} %`.padStart(22)} | of the rate without rules (target ≥ 80 %)`,
);
console.log('');
console.log('first-level cache misses / decision (callgrind\'s cache simulation) | instruction | data (reads)');
console.log(`without rules                                                     | ${fmt(countedNone.instructionMisses, 1).padStart(11)} | ${fmt(countedNone.dataMisses, 1).padStart(12)}`);
console.log(`with rules                                                        | ${fmt(countedRules.instructionMisses, 1).padStart(11)} | ${fmt(countedRules.dataMisses, 1).padStart(12)}`);
