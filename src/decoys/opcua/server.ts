/**
 * The OPC UA decoy: a node-opcua server dressed as the profile's device, every service call a
 * hit (recorded when its response leaves, so the hit carries the outcome), plus connections
 * that never finish the OPC UA handshake (HTTP probes, port scanners).
 *
 * node-opcua is loaded only when a gateway serves OPC UA: it is most of the gateway's memory.
 */
import { join } from 'node:path';
import type net from 'node:net';
import type { Logger } from 'pino';
import type * as UA from 'node-opcua';
import type { Profile } from '../../profile/schema.js';
import type { TagStore } from '../../tags/tag-store.js';
import type { HitRecorder } from '../../gateway/recorder.js';
import { MAX_RAW_BYTES, newHitId, type Hit, type HitOutcome } from '../../core/hit.js';
import { normaliseIp } from '../modbus/tcp-server.js';
import { opcUaIdentity, type OpcUaIdentity } from './identity.js';
import { buildAddressSpace } from './address-space.js';
import { serviceFacts, type ServiceFacts } from './service-facts.js';
import { fileService, type DecoyFile } from './file-node.js';
import { ensureCertificate } from './certificate.js';

/** What the gateway knows about planted credentials. */
export interface CredentialCheck {
  check(user: string, password: string): Promise<{ kind: 'canary'; memo: string } | { kind: 'wrong-password' } | { kind: 'unknown-user' }>;
  /** A keyed hash of an attempted password: repeated guesses correlate, the password is never kept. */
  passwordTag(password: string): string;
}

export interface OpcUaDecoyOptions {
  profile: Profile;
  tags: TagStore;
  dataDir: string;
  seed: Buffer;
  host: string;
  port: number;
  recorder: HitRecorder;
  credentials: CredentialCheck;
  log: Logger;
  /** What hits name as their decoy (default: the profile's name). */
  decoyName?: string;
  /** Sessions and connections allowed at once (node-opcua's default is 10: a scanner could lock out the next visitor). */
  maxSessions?: number;
  /** Stamped stubs offered as readable files under the device object (reading one is T0845). */
  files?: DecoyFile[];
}

/** Requests awaiting their response, per channel and request handle; bounded. */
const MAX_PENDING = 4096;

interface Pending {
  facts: ServiceFacts;
  src: { ip: string; port: number };
  at: string;
}

export class OpcUaDecoy {
  private constructor(
    private readonly server: UA.OPCUAServer,
    readonly identity: OpcUaIdentity,
    readonly port: number,
  ) {}

  get endpointUrl(): string {
    return `opc.tcp://${this.identity.hostname}:${this.port}`;
  }

  static async start(options: OpcUaDecoyOptions): Promise<OpcUaDecoy> {
    const { log } = options;
    // The library logs to the console from the moment it loads: route it to our log first.
    const debug = await import('node-opcua-debug');
    debug.setWarningLogger((...args: unknown[]) => log.debug({ opcua: args.map(String).join(' ').slice(0, 500) }, 'opcua library warning'));
    debug.setErrorLogger((...args: unknown[]) => log.debug({ opcua: args.map(String).join(' ').slice(0, 500) }, 'opcua library error'));
    const ua = await import('node-opcua');
    const identity = opcUaIdentity(options.profile, options.seed);
    const maxSessions = options.maxSessions ?? 100;

    const pkiRoot = join(options.dataDir, 'opcua-pki');
    const certificates = new ua.OPCUACertificateManager({ rootFolder: pkiRoot, automaticallyAcceptUnknownCertificate: true, name: 'pki' });
    await certificates.initialize();
    const certificateFile = join(pkiRoot, 'own', 'certs', 'application_instance.pem');
    const privateKeyFile = join(pkiRoot, 'own', 'private', 'application_instance.key');
    await ensureCertificate(identity, options.seed, certificateFile, privateKeyFile);

    let decoy: OpcUaDecoy | undefined;
    const pendingLogin = new Map<number, Pending>();
    const server = new ua.OPCUAServer({
      host: options.host,
      port: options.port,
      hostname: identity.hostname,
      resourcePath: '',
      serverCertificateManager: certificates,
      certificateFile,
      privateKeyFile,
      buildInfo: identity.buildInfo,
      serverInfo: {
        applicationName: { text: identity.applicationName, locale: 'en' },
        applicationUri: identity.applicationUri,
        productUri: identity.productUri,
      },
      allowAnonymous: options.profile.opcua?.anonymous ?? true,
      securityPolicies: [ua.SecurityPolicy.None, ua.SecurityPolicy.Basic256Sha256],
      securityModes: [ua.MessageSecurityMode.None, ua.MessageSecurityMode.Sign, ua.MessageSecurityMode.SignAndEncrypt],
      maxConnectionsPerEndpoint: maxSessions,
      serverCapabilities: { maxSessions, maxBrowseContinuationPoints: 10, maxHistoryContinuationPoints: 10 },
      disableDiscovery: true,
      // Bounded buffers whatever a client asks for in its HEL.
      transportSettings: {
        adjustTransportLimits: (hello) => ({
          ...hello,
          receiveBufferSize: Math.min(hello.receiveBufferSize || 65_535, 65_535),
          sendBufferSize: Math.min(hello.sendBufferSize || 65_535, 65_535),
          maxMessageSize: Math.min(hello.maxMessageSize || 1 << 20, 1 << 20),
          maxChunkCount: Math.min(hello.maxChunkCount || 32, 32),
        }),
      },
      userManager: {
        isValidUserAsync(this: UA.ServerSession, user: string, password: string, callback: (err: Error | null, ok?: boolean) => void) {
          const channel = this.channel as { channelId?: number } | undefined;
          const pending = channel?.channelId !== undefined ? pendingLogin.get(channel.channelId) : undefined;
          options.credentials.check(user, password).then(
            (result) => {
              if (pending) {
                pending.facts.attributes.credential = result.kind;
                pending.facts.attributes.passwordHash = options.credentials.passwordTag(password);
                if (result.kind === 'canary') pending.facts.attributes.memo = result.memo.slice(0, 200);
              }
              callback(null, result.kind === 'canary');
            },
            (err: unknown) => callback(err as Error),
          );
        },
      },
    });
    await server.initialize();
    const { pointOf } = buildAddressSpace(ua, server, identity, options.profile, options.tags, options.files);

    // Service calls: facts when the request arrives, a hit when its response leaves.
    const pending = new Map<string, Pending>();
    const keyOf = (channel: { channelId?: number } | undefined, handle: number) => `${channel?.channelId ?? '?'}:${handle}`;
    server.on('request', (request: UA.Request, channel: UA.ServerSecureChannelLayer) => {
      try {
        const facts = serviceFacts(request as unknown as Record<string, unknown>, (id) => pointOf.get(id));
        // A Call that opens or reads a decoy file is that, not a command to the process.
        if (facts.service === 'Call') facts.service = fileService(facts.points) ?? 'Call';
        const entry = { facts, src: { ip: normaliseIp(channel.remoteAddress), port: channel.remotePort ?? 0 }, at: new Date().toISOString() };
        if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value!);
        pending.set(keyOf(channel, request.requestHeader.requestHandle), entry);
        if (facts.service === 'ActivateSession') pendingLogin.set(channel.channelId ?? -1, entry);
      } catch (err) {
        log.warn({ err }, 'could not describe an OPC UA request');
      }
    });
    server.on('response', (response: UA.Response, channel: UA.ServerSecureChannelLayer) => {
      const key = keyOf(channel, response.responseHeader.requestHandle);
      const entry = pending.get(key);
      if (!entry) return;
      pending.delete(key);
      if (entry.facts.service === 'ActivateSession') pendingLogin.delete(channel.channelId ?? -1);
      const status = response.responseHeader.serviceResult;
      const results = (response as unknown as { results?: unknown[] }).results;
      const bad = Array.isArray(results) ? results.map((r) => (r as { statusCode?: UA.StatusCode }).statusCode ?? r).filter((s) => s && typeof s === 'object' && 'isGood' in (s as object) && !(s as UA.StatusCode).isGood()) : [];
      const outcome: HitOutcome = status.isGood() && bad.length === 0 ? 'ok' : 'exception';
      const detail = !status.isGood() ? status.name : bad.length > 0 ? `${bad.length} of ${results!.length} failed: ${(bad[0] as UA.StatusCode).name}` : null;
      decoy?.record(entry, outcome, detail, options);
    });

    // Connections that never become a secure channel: record what they sent.
    const handshaken = new Set<string>();
    server.on('newChannel', (channel: UA.ServerSecureChannelLayer) => handshaken.add(`${normaliseIp(channel.remoteAddress)}:${channel.remotePort}`));
    await server.start();
    for (const endpoint of server.endpoints) {
      const listener = (endpoint as unknown as { _server?: net.Server })._server;
      listener?.on('connection', (socket: net.Socket) => {
        const src = { ip: normaliseIp(socket.remoteAddress), port: socket.remotePort ?? 0 };
        const key = `${src.ip}:${src.port}`;
        let first = Buffer.alloc(0);
        const at = new Date().toISOString();
        socket.on('data', (d: Buffer) => {
          if (first.length < MAX_RAW_BYTES) first = Buffer.concat([first, d.subarray(0, MAX_RAW_BYTES - first.length)]);
        });
        socket.once('close', () => {
          if (handshaken.delete(key)) return;
          const detail = first.length === 0 ? 'connection closed without a byte' : 'connection closed before the OPC UA handshake (HEL/ACK, OpenSecureChannel)';
          decoy?.record({ facts: { service: 'Connect', points: [], values: null, attributes: {}, detail }, src, at }, 'malformed', detail, options, first);
        });
      });
    }
    const port = (server.endpoints[0] as unknown as { port: number }).port;
    decoy = new OpcUaDecoy(server, identity, port);
    log.info({ endpoint: decoy.endpointUrl, port, applicationUri: identity.applicationUri }, 'OPC UA decoy listening');
    return decoy;
  }

  private record(entry: Pending, outcome: HitOutcome, detail: string | null, options: OpcUaDecoyOptions, raw?: Buffer): void {
    const { facts } = entry;
    const hit: Hit = {
      id: newHitId(),
      at: entry.at,
      decoy: options.decoyName ?? options.profile.name,
      protocol: 'opcua',
      src: entry.src,
      dstPort: this.port,
      unitId: null,
      functionCode: null,
      address: null,
      quantity: null,
      values: facts.values,
      outcome,
      exceptionCode: null,
      points: facts.points.slice(0, 64),
      detail: (detail ?? facts.detail)?.slice(0, 500) ?? null,
      raw: raw && raw.length > 0 ? raw.toString('hex') : null,
      service: facts.service,
      attributes: facts.attributes,
    };
    options.recorder.record(hit).catch((err: unknown) => options.log.error({ err }, 'could not record an OPC UA hit'));
  }

  async stop(): Promise<void> {
    await this.server.shutdown(0);
  }
}
