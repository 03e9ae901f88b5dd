/**
 * What each OPC UA service request tells an analyst, as hit facts: the service, the nodes it
 * touched (by browse name where the node is ours), written values, client identity. Never a
 * password. Pure over the decoded request objects node-opcua hands over.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { WrittenValue } from '../../core/hit.js';

export interface ServiceFacts {
  service: string;
  points: string[];
  values: WrittenValue[] | null;
  attributes: Record<string, string | number | boolean | null>;
  detail: string | null;
}

const MAX_NODES = 32;
const MAX_TEXT = 200;

type Loose = Record<string, unknown> | undefined | null;
const text = (value: unknown): string | null => {
  if (value === undefined || value === null) return null;
  const s = typeof value === 'object' && value !== null && 'text' in value ? String((value as { text: unknown }).text ?? '') : String(value);
  return s.slice(0, MAX_TEXT);
};
const nodeText = (nodeId: unknown) => text((nodeId as { toString?: () => string } | undefined)?.toString?.());

/** Plain JSON-safe values from an OPC UA Variant; anything exotic becomes a short string. */
export function variantValues(variant: Loose): WrittenValue[] {
  const value = (variant as { value?: unknown } | undefined)?.value;
  const list = Array.isArray(value) || ArrayBuffer.isView(value) ? Array.from(value as ArrayLike<unknown>).slice(0, 64) : [value];
  return list.map((v) => {
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'bigint') return v.toString();
    return String(v).slice(0, 256);
  });
}

/**
 * `browseNameOf` maps a node id string to the profile point it carries (or undefined for nodes
 * that are not points).
 */
export function serviceFacts(request: Loose, browseNameOf: (nodeId: string) => string | undefined): ServiceFacts {
  const name = String((request as { schema?: { name?: string } } | undefined)?.schema?.name ?? 'Unknown').replace(/Request$/, '');
  const facts: ServiceFacts = { service: name, points: [], values: null, attributes: {}, detail: null };
  const nodes = (list: unknown, key: string) => {
    const items = Array.isArray(list) ? list.slice(0, MAX_NODES) : [];
    const ids = items.map((item) => nodeText((item as Record<string, unknown>)[key]) ?? '?');
    for (const id of ids) {
      const point = browseNameOf(id);
      if (point && !facts.points.includes(point)) facts.points.push(point);
    }
    facts.attributes.nodes = ids.join(' ').slice(0, 500);
    facts.attributes.nodeCount = Array.isArray(list) ? list.length : 0;
  };
  const r = request as Record<string, unknown>;
  switch (name) {
    case 'Read':
      nodes(r.nodesToRead, 'nodeId');
      break;
    case 'Write': {
      nodes(r.nodesToWrite, 'nodeId');
      const writes = Array.isArray(r.nodesToWrite) ? r.nodesToWrite.slice(0, MAX_NODES) : [];
      facts.values = writes.flatMap((w) => variantValues((w as { value?: { value?: Loose } }).value?.value)).slice(0, 64);
      break;
    }
    case 'Browse':
      nodes(r.nodesToBrowse, 'nodeId');
      break;
    case 'TranslateBrowsePathsToNodeIds':
      nodes(r.browsePaths, 'startingNode');
      break;
    case 'CreateMonitoredItems':
      nodes(Array.isArray(r.itemsToCreate) ? r.itemsToCreate.map((i) => (i as { itemToMonitor?: unknown }).itemToMonitor) : [], 'nodeId');
      break;
    case 'Call': {
      nodes(r.methodsToCall, 'methodId');
      const calls = Array.isArray(r.methodsToCall) ? r.methodsToCall.slice(0, MAX_NODES) : [];
      facts.values = calls.flatMap((c) => ((c as { inputArguments?: Loose[] }).inputArguments ?? []).flatMap(variantValues)).slice(0, 64);
      break;
    }
    case 'CreateSession': {
      const client = r.clientDescription as Record<string, unknown> | undefined;
      facts.attributes.clientName = text(client?.applicationName);
      facts.attributes.clientUri = text(client?.applicationUri);
      facts.attributes.clientProductUri = text(client?.productUri);
      facts.attributes.sessionName = text(r.sessionName);
      facts.attributes.endpointUrl = text(r.endpointUrl);
      Object.assign(facts.attributes, certificateFacts(r.clientCertificate));
      break;
    }
    case 'GetEndpoints':
    case 'FindServers':
      facts.attributes.endpointUrl = text(r.endpointUrl);
      break;
    case 'ActivateSession': {
      const token = (r.userIdentityToken as { schema?: { name?: string }; userName?: string } | undefined) ?? undefined;
      facts.attributes.identity = text(token?.schema?.name) ?? 'none';
      if (token?.userName !== undefined) facts.attributes.user = text(token.userName);
      break;
    }
    default:
      break;
  }
  return facts;
}

/** A client certificate, as an analyst would look it up: thumbprint, subject, application URI. */
function certificateFacts(der: unknown): Record<string, string | null> {
  if (!Buffer.isBuffer(der) || der.length === 0) return {};
  const facts: Record<string, string | null> = { certThumbprint: createHash('sha1').update(der).digest('hex') };
  try {
    const cert = new X509Certificate(der);
    facts.certSubject = cert.subject.replace(/\n/g, ', ').slice(0, MAX_TEXT);
    facts.certUri = /URI:([^,\s]+)/.exec(cert.subjectAltName ?? '')?.[1]?.slice(0, MAX_TEXT) ?? null;
  } catch {
    facts.certSubject = 'unparsable certificate';
  }
  return facts;
}
