// The Connect-RPC clients (JSON over HTTP, same origin) and small helpers
// around the generated types.
import { createClient, type Client } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-web';
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { CatalogService, type Dataset, type DatasetSummary } from '../gen/mizan/v1/catalog_pb';
import { QueryService, ExportFormat, type AggregateRequestSchema, type ExportResponse, type FactsRequestSchema } from '../gen/mizan/v1/query_pb';
import { CutSchema, type Cut } from '../gen/mizan/v1/common_pb';

export { ExportFormat };

const transport = createConnectTransport({
  baseUrl: typeof location !== 'undefined' ? location.origin : 'http://localhost',
  useBinaryFormat: false,
});

export const catalog: Client<typeof CatalogService> = createClient(CatalogService, transport);
export const query: Client<typeof QueryService> = createClient(QueryService, transport);

/** Request shapes as plain objects (what the clients accept). */
export type AggregateInit = MessageInitShape<typeof AggregateRequestSchema> & { dataset: string };
export type FactsInit = MessageInitShape<typeof FactsRequestSchema> & { dataset: string };
export type CutInit = MessageInitShape<typeof CutSchema> & { dimension: string };

export function cut(dimension: string, values: (string | number)[]): CutInit {
  return { dimension, values: values.map(String) };
}

export function toCut(c: CutInit): Cut {
  return create(CutSchema, c);
}

const memo = new Map<string, Promise<unknown>>();

/** Memoises idempotent calls by their request; failed calls are forgotten. */
export function cached<T>(key: string, fn: () => Promise<T>): Promise<T> {
  let p = memo.get(key) as Promise<T> | undefined;
  if (!p) {
    p = fn();
    memo.set(key, p);
    p.catch(() => memo.delete(key));
    if (memo.size > 500) memo.delete(memo.keys().next().value as string);
  }
  return p;
}

function keyOf(method: string, req: unknown): string {
  return method + JSON.stringify(req, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

export function listDatasets(): Promise<DatasetSummary[]> {
  return cached('ListDatasets', () => catalog.listDatasets({}).then((r) => r.datasets));
}

export function getDataset(dataset: string, version: number): Promise<Dataset> {
  return cached(keyOf('GetDataset', { dataset, version }), () =>
    catalog.getDataset({ dataset, version }).then((r) => {
      if (!r.dataset) throw new Error(`dataset ${dataset} not found`);
      return r.dataset;
    }),
  );
}

export function aggregate(req: AggregateInit) {
  return cached(keyOf('Aggregate', req), () => query.aggregate(req));
}

export function execution(req: Parameters<typeof query.execution>[0]) {
  return cached(keyOf('Execution', req), () => query.execution(req));
}

export function facts(req: FactsInit) {
  return cached(keyOf('Facts', req), () => query.facts(req));
}

export function listMembers(req: Parameters<typeof catalog.listMembers>[0]) {
  return cached(keyOf('ListMembers', req), () => catalog.listMembers(req));
}

export function ingestReport(req: Parameters<typeof catalog.getIngestReport>[0]) {
  return cached(keyOf('GetIngestReport', req), () => catalog.getIngestReport(req));
}

/** Streams an export and returns the file. */
export async function exportFile(
  q: { aggregate: AggregateInit } | { facts: FactsInit },
  format: ExportFormat,
  signal?: AbortSignal,
): Promise<{ blob: Blob; filename: string }> {
  const queryField =
    'aggregate' in q
      ? { case: 'aggregate' as const, value: { ...q.aggregate, pageSize: 0, pageToken: '' } }
      : { case: 'facts' as const, value: { ...q.facts, pageSize: 0, pageToken: '' } };
  return collectExport(query.export({ query: queryField, format }, { signal }), 'mizan-export');
}

/** The file an export stream carries: its header's name and type, then its chunks. */
export async function collectExport(stream: AsyncIterable<Pick<ExportResponse, 'part'>>, fallbackName: string): Promise<{ blob: Blob; filename: string }> {
  const chunks: Uint8Array[] = [];
  let filename = fallbackName;
  let type = 'application/octet-stream';
  for await (const msg of stream) {
    if (msg.part.case === 'header') {
      filename = msg.part.value.filename || filename;
      type = msg.part.value.contentType || type;
    } else if (msg.part.case === 'data') {
      chunks.push(msg.part.value);
    }
  }
  return { blob: new Blob(chunks as BlobPart[], { type }), filename };
}

/** The JSON body of a request as curl would send it (for the Data view's examples). */
export function jsonBody(req: unknown): string {
  return JSON.stringify(req);
}
