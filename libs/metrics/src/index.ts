// Public API of @pacs/metrics: the Prometheus registry and GET /metrics.
export { MetricsModule } from './metrics.module';
export { PacsMetrics } from './pacs-metrics';
export { serveClusterMetrics } from './cluster-metrics';
