/**
 * Who the OPC UA decoy says it is, from the profile and the deployment seed: build info,
 * application description, certificate subject and names, endpoint host name. Pure. Nothing
 * here may fall back to the library's own defaults: a scanner that sees them has found a decoy.
 */
import type { Profile } from '../../profile/schema.js';
import { derive } from '../../gateway/deployment.js';

export interface OpcUaIdentity {
  serial: string;
  hostname: string;
  applicationName: string;
  applicationUri: string;
  productUri: string;
  namespaceUri: string;
  rootObject: string;
  buildInfo: { productName: string; manufacturerName: string; productUri: string; softwareVersion: string; buildNumber: string; buildDate: Date };
  certificate: { subject: string; dns: string[]; startDate: Date; validityDays: number };
}

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

/** `profile` must be personalised already: its serial is this deployment's. */
export function opcUaIdentity(profile: Profile, seed: Buffer): OpcUaIdentity {
  const id = profile.identity;
  const ua = profile.opcua ?? { anonymous: true, methods: [] };
  const serial = id.serial;
  const product = id.productName ?? id.productCode;
  const productUri = ua.productUri ?? `urn:${slug(id.vendor)}:${slug(id.productCode)}`;
  const hostname = ua.hostname ?? `${slug(id.productCode).slice(0, 40)}-${serial.slice(-6).toLowerCase()}`;
  const buildDate = new Date(ua.buildDate ?? '2022-06-01T00:00:00Z');
  // Commissioned some days after the firmware build: a per-deployment date, stable across restarts.
  const commissioned = new Date(buildDate.getTime() + (30 + (derive(seed, 'commissioned').readUInt16BE(0) % 300)) * 86_400_000);
  return {
    serial,
    hostname,
    applicationName: ua.applicationName ?? `${id.vendor} ${product} OPC UA Server`,
    applicationUri: `urn:${hostname}:${slug(id.vendor)}:${slug(product)}:${serial}`,
    productUri,
    namespaceUri: ua.namespaceUri ?? `urn:${slug(id.vendor)}:${slug(id.productCode)}:${serial}`,
    rootObject: ua.rootObject ?? product,
    buildInfo: {
      productName: product,
      manufacturerName: id.vendor,
      productUri,
      softwareVersion: ua.softwareVersion ?? id.revision,
      buildNumber: ua.buildNumber ?? id.revision.replace(/^[Vv]/, ''),
      buildDate,
    },
    certificate: {
      subject: `/CN=${product} ${serial}/O=${id.vendor}/DC=${hostname}`,
      dns: [hostname],
      startDate: commissioned,
      validityDays: 3650,
    },
  };
}
