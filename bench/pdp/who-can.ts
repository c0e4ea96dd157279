/**
 * The reverse query's cost: `whoCan` (one pass over the account's policies, then the granting
 * groups' members) on the bench model of run.ts at 5,000 and 50,000 policies, per question, beside
 * one decision. Run: `node --import tsx bench/pdp/who-can.ts`.
 */
import { decide } from '../../src/pdp/authorize.js';
import { Snapshot } from '../../src/pdp/snapshot.js';
import { whoCan } from '../../src/pdp/who-can.js';
import { buildModel, buildRequests, snapshotInput } from './model.js';

const NOW = Date.parse('2024-06-03T12:00:00Z');
const QUESTIONS = 200;

for (const policies of [5_000, 50_000]) {
  const model = buildModel(policies);
  const { snapshot } = Snapshot.build(snapshotInput(model));
  const requests = buildRequests(model, QUESTIONS);
  for (const r of requests.slice(0, 20)) whoCan(r, snapshot, { now: NOW }); // warm-up
  const times: number[] = [];
  let named = 0;
  for (const { subject: _subject, ...question } of requests) {
    const start = performance.now();
    named += whoCan(question, snapshot, { now: NOW }).identities.length;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const decisionStart = performance.now();
  for (const r of requests) decide(r, snapshot, NOW);
  const decisionUs = ((performance.now() - decisionStart) * 1000) / requests.length;
  const ms = (q: number) => times[Math.floor(q * (times.length - 1))]!.toFixed(2);
  console.log(`${policies.toLocaleString('en')} policies: who-can p50 ${ms(0.5)} ms, p99 ${ms(0.99)} ms, ${(named / QUESTIONS).toFixed(0)} identities a question; one decision ${decisionUs.toFixed(1)} µs`);
}
