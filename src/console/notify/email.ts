/**
 * Email over SMTP (nodemailer): a plain-text message per event, no HTML, so nothing in it can be
 * markup. The subject is the headline with every control character (CR and LF above all) removed,
 * so an attacker string cannot add a header. `smtps://` is TLS from the start; `smtp://` upgrades
 * with STARTTLS when the server offers it. Certificates are verified (`?ca=FILE` for a private CA).
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { DeliveryError, isCertificateError, type Destination } from './notifier.js';
import type { IncidentEvent } from './event.js';
import type { EventFilter } from './filter.js';
import type { DestinationSpec } from './spec.js';
import { clip, facts, headline } from './describe.js';

type SmtpSpec = Extract<DestinationSpec, { kind: 'smtp' }>;

/** RFC 5322 section 2.1.1 wants lines under 78 characters; a subject stays well short of folding trouble. */
const SUBJECT_MAX = 200;
const TIMEOUT_MS = 15_000;

/** A header-safe line: no CR, LF or other control character survives. */
export function headerText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
}

export function emailSubject(event: IncidentEvent): string {
  return clip(headerText(`[Tripline] ${headline(event)}`), SUBJECT_MAX);
}

export function emailBody(event: IncidentEvent): string {
  const width = Math.max(...facts(event).map((f) => f.label.length));
  return [
    headline(event),
    '',
    ...facts(event).map((f) => `${`${f.label}:`.padEnd(width + 2)}${f.value}`),
    '',
    `Event ${event.type} ${event.id} at ${event.at}.`,
    'Values an attacker chose are shown as text: line breaks as \\n, URLs defanged as [:]//.',
    '',
  ].join('\n');
}

export class EmailDestination implements Destination {
  readonly name: string;
  readonly display: string;
  readonly filter: EventFilter | null;
  private readonly transport: Transporter;

  constructor(private readonly spec: SmtpSpec) {
    this.name = spec.key;
    this.display = spec.display;
    this.filter = spec.filter;
    const ca = spec.caFile ? readCa(spec.caFile) : undefined;
    this.transport = nodemailer.createTransport({
      host: spec.host,
      port: spec.port,
      secure: spec.secure,
      ...(spec.username !== null ? { auth: { user: spec.username, pass: spec.password ?? '' } } : {}),
      tls: { rejectUnauthorized: true, ...(ca ? { ca } : {}), ...(isIP(spec.host) ? {} : { servername: spec.host }) },
      connectionTimeout: TIMEOUT_MS,
      greetingTimeout: TIMEOUT_MS,
      socketTimeout: TIMEOUT_MS,
    });
  }

  async send(event: IncidentEvent): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.spec.from,
        to: this.spec.to,
        subject: emailSubject(event),
        text: emailBody(event),
        headers: { 'X-Tripline-Event': event.id },
      });
    } catch (err) {
      const e = err as Error & { code?: string; responseCode?: number; cause?: unknown };
      // Rejected credentials, a 5xx refusal (bad sender or recipient) or an untrusted certificate need the operator.
      const permanent = e.code === 'EAUTH' || (e.responseCode !== undefined && e.responseCode >= 500) || isCertificateError(e) || isCertificateError(e.cause);
      throw new DeliveryError(`${this.display}: ${e.code ? `${e.code} ` : ''}${e.message}`.slice(0, 300), permanent);
    }
  }

  close(): void {
    this.transport.close();
  }
}

function readCa(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new RangeError(`smtp ca=${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}: give the PEM file of the mail server's CA`);
  }
}
