import cluster from 'node:cluster';
import { AggregatorRegistry, Registry } from 'prom-client';

/**
 * With PACS_WORKERS > 1 the shared HTTP port hands a scrape to any one worker, which alone would
 * show only its own series, a different worker each scrape. So a worker's /metrics asks the
 * primary, which collects every worker's registry (prom-client's AggregatorRegistry, over the
 * cluster's IPC channel) and answers with all of them: one scrape shows every worker, each
 * series labelled with its worker's PACS_NODE_ID (`<node>/w<n>`).
 */
const REQUEST = 'pacs-metrics-request';
const ANSWER = 'pacs-metrics-answer';
/** prom-client's own collection gives up after 5 s; a worker waits a little longer for the answer. */
const ANSWER_TIMEOUT_MS = 6000;

interface MetricsAnswer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

/** In the primary: answers workers' requests with the series of every worker. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: string; id: number }) => {
    if (message?.type !== REQUEST) return;
    const answer = (a: Omit<MetricsAnswer, 'type' | 'id'>) => {
      if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id, ...a } satisfies MetricsAnswer);
    };
    aggregator.clusterMetrics().then(
      (text) => answer({ text }),
      (err: Error) => answer({ error: err.message }),
    );
  });
}

/**
 * In a worker: lets the primary collect `registry`, and returns what a scrape calls to get every
 * worker's series; undefined outside a cluster worker. Rejects when the primary gives no answer.
 */
export function clusterExposition(registry: Registry): (() => Promise<string>) | undefined {
  if (!cluster.isWorker || !process.send) return undefined;
  new AggregatorRegistry(); // installs the worker's side of the collection
  AggregatorRegistry.setRegistries([registry]);
  const waiting = new Map<number, (answer: MetricsAnswer | undefined) => void>();
  let next = 0;
  process.on('message', (message: MetricsAnswer) => {
    if (message?.type === ANSWER) waiting.get(message.id)?.(message);
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => settle(undefined), ANSWER_TIMEOUT_MS);
      const settle = (answer: MetricsAnswer | undefined) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (answer?.text !== undefined) resolve(answer.text);
        else reject(new Error(`the workers' metrics could not be collected: ${answer?.error ?? 'no answer from the primary process'}`));
      };
      waiting.set(id, settle);
      process.send!({ type: REQUEST, id });
    });
}
