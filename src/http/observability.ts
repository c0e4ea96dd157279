import type { FastifyInstance } from 'fastify';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

/** Readiness: not ready while the schema is behind or the database is unreachable. */
export interface ReadinessProbe {
  ready(): Promise<{ ready: boolean; reason?: string }>;
}

const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

interface RouteStats {
  method: string;
  route: string;
  /** Requests by status code. */
  statuses: Map<number, number>;
  /** Per bucket (non-cumulative), plus one overflow slot. */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * Prometheus metrics of one app instance (its own registry, so tests can build many apps).
 * Per-request figures are plain counters keyed by method and route, turned into Prometheus
 * series only when scraped: prom-client's labelled inc/observe cost about a tenth of a decision
 * call's time.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const routes = new Map<string, RouteStats>();

  const record = (method: string, route: string, status: number, seconds: number) => {
    const key = `${method} ${route}`;
    let stats = routes.get(key);
    if (!stats) {
      stats = { method, route, statuses: new Map(), buckets: new Array<number>(DURATION_BUCKETS.length + 1).fill(0), sum: 0, count: 0 };
      routes.set(key, stats);
    }
    stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
    let bucket = 0;
    while (bucket < DURATION_BUCKETS.length && seconds > DURATION_BUCKETS[bucket]!) bucket++;
    stats.buckets[bucket]! += 1;
    stats.sum += seconds;
    stats.count += 1;
  };

  new Counter({
    name: 'portcullis_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const s of routes.values()) {
        for (const [status, n] of s.statuses) this.inc({ method: s.method, route: s.route, status }, n);
      }
    },
  });
  // A histogram whose series are written at scrape time (prom-client's Histogram cannot be set).
  const duration = {
    name: 'portcullis_http_request_duration_seconds',
    help: 'HTTP request duration by route',
    type: 'histogram',
    aggregator: 'sum',
    get() {
      const values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }> = [];
      for (const s of routes.values()) {
        const labels = { method: s.method, route: s.route };
        let cumulative = 0;
        DURATION_BUCKETS.forEach((le, i) => {
          cumulative += s.buckets[i]!;
          values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le }, value: cumulative });
        });
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: s.count });
        values.push({ metricName: `${this.name}_sum`, labels, value: s.sum });
        values.push({ metricName: `${this.name}_count`, labels, value: s.count });
      }
      return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
    },
  };
  registry.registerMetric(duration as unknown as Parameters<Registry['registerMetric']>[0]);
  return { registry, record };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** `/healthz`, `/readyz`, `/metrics`, and per-request metrics. */
export function observabilityRoutes(app: FastifyInstance, readiness: ReadinessProbe, metrics: Metrics) {
  app.addHook('onResponse', (request, reply, done) => {
    metrics.record(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const state = await readiness.ready();
    return reply.status(state.ready ? 200 : 503).send(state.ready ? { status: 'ready' } : { status: 'not_ready', reason: state.reason });
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
}
