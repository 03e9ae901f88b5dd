import { describe, expect, it } from 'vitest';
import { destinationSpecs, parseDestinationSpec } from './spec.js';

describe('--notify specs', () => {
  it('reads kind+URL for chat webhooks, with a display name that hides the token', () => {
    const spec = parseDestinationSpec('slack+https://hooks.slack.com/services/T000/B000/SECRETTOKEN');
    expect(spec).toMatchObject({ kind: 'slack', url: 'https://hooks.slack.com/services/T000/B000/SECRETTOKEN', key: 'slack:https://hooks.slack.com/services/T000/B000/SECRETTOKEN', filter: null });
    expect(spec.display).toMatch(/^slack:https:\/\/hooks\.slack\.com\/…#[0-9a-f]{8}$/);
    const teams = parseDestinationSpec('teams+https://prod-00.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SIGSECRET');
    expect(teams.kind).toBe('teams');
    expect(teams.display).not.toMatch(/SIGSECRET|abc/);
    const discord = parseDestinationSpec('discord+https://discord.com/api/webhooks/123/TOKEN');
    expect(discord.display).not.toContain('TOKEN');
  });

  it('tells two hooks on one host apart in their display names', () => {
    const a = parseDestinationSpec('slack+https://hooks.slack.com/services/T/B/one');
    const b = parseDestinationSpec('slack+https://hooks.slack.com/services/T/B/two');
    expect(a.display).not.toBe(b.display);
  });

  it('keeps the queue keys --webhook and --syslog always used, so queued rows stay deliverable', () => {
    expect(parseDestinationSpec('https://siem.example/hook?token=x').key).toBe('webhook:https://siem.example/hook?token=x');
    expect(destinationSpecs({ webhooks: ['http://127.0.0.1:9/hook'] })[0]!.key).toBe('webhook:http://127.0.0.1:9/hook');
    expect(destinationSpecs({ syslog: ['tcp://127.0.0.1:514'] })[0]!.key).toBe('syslog:tcp://127.0.0.1:514');
    expect(parseDestinationSpec('syslog+tcp://127.0.0.1:514').key).toBe('syslog:tcp://127.0.0.1:514');
  });

  it('takes a filter prefix that cannot clash with the webhook URL or its query', () => {
    const spec = parseDestinationSpec('red,severity>=high:slack+https://hooks.slack.com/services/x?a=b:c');
    expect(spec.kind).toBe('slack');
    expect(spec.filter).toMatchObject({ minSeverity: 'high' });
    expect([...spec.filter!.classes!]).toEqual(['red']);
    expect(spec.kind === 'slack' && spec.url).toBe('https://hooks.slack.com/services/x?a=b:c');
    expect(spec.display).toMatch(/ \[red,severity>=high\]$/);
    expect(parseDestinationSpec('https://x.example/h?filter=red:1').filter).toBeNull();
  });

  it('reads syslog over udp, tcp and tls, with a CA file and default ports', () => {
    expect(parseDestinationSpec('syslog+tls://collector.example?ca=/etc/ssl/siem-ca.pem')).toMatchObject({ kind: 'syslog', transport: 'tls', host: 'collector.example', port: 6514, caFile: '/etc/ssl/siem-ca.pem', display: 'syslog:tls://collector.example:6514' });
    expect(parseDestinationSpec('tls://127.0.0.1:7000')).toMatchObject({ transport: 'tls', port: 7000, caFile: null });
    expect(parseDestinationSpec('udp://[::1]')).toMatchObject({ transport: 'udp', host: '::1', port: 514, display: 'syslog:udp://[::1]:514' });
  });

  it('reads MQTT: topic prefix from the path, site from the query, password hidden', () => {
    const spec = parseDestinationSpec('mqtt://tripline:pa%40ss@broker.plant:1883/ot/alerts?site=plant-a');
    expect(spec).toMatchObject({ kind: 'mqtt', secure: false, host: 'broker.plant', port: 1883, username: 'tripline', password: 'pa@ss', topicPrefix: 'ot/alerts', site: 'plant-a' });
    expect(spec.display).toBe('mqtt:mqtt://tripline@broker.plant:1883/ot/alerts?site=plant-a');
    expect(parseDestinationSpec('mqtts://broker')).toMatchObject({ secure: true, port: 8883, topicPrefix: 'tripline', site: 'default' });
    expect(() => parseDestinationSpec('mqtt://broker/a/#')).toThrow(/# or \+/);
    expect(() => parseDestinationSpec('mqtt://broker/a/%2B')).toThrow(/# or \+/);
  });

  it('reads SMTP with from and to, password hidden, and refuses addresses that could smuggle headers', () => {
    const spec = parseDestinationSpec('smtp://soc:s3cret@mail.plant:587?from=tripline@plant.example&to=soc@plant.example,oncall@plant.example');
    expect(spec).toMatchObject({ kind: 'smtp', host: 'mail.plant', port: 587, username: 'soc', password: 's3cret', from: 'tripline@plant.example', to: ['soc@plant.example', 'oncall@plant.example'] });
    expect(spec.display).toBe('smtp:smtp://soc@mail.plant:587 to soc@plant.example,oncall@plant.example');
    expect(() => parseDestinationSpec('smtp://mail?to=a@b')).toThrow(/from=ADDRESS is required/);
    expect(() => parseDestinationSpec('smtp://mail?from=a@b&to=x@y%0d%0aBcc:z@w')).toThrow(/to=ADDRESS/);
  });

  it('refuses bad specs with a message that names no secret', () => {
    const bad = ['slack+udp://x', 'gopher://x', 'purple:https://x', 'red', 'red:notaurl', 'syslog+https://x', 'https://'];
    for (const spec of bad) expect(() => parseDestinationSpec(spec), spec).toThrow();
    try {
      parseDestinationSpec('bogus+https://user:hunter2@hooks.example/SECRETPATH');
    } catch (err) {
      expect((err as Error).message).not.toMatch(/hunter2|SECRETPATH/);
      expect((err as Error).message).toMatch(/unknown destination kind bogus/);
    }
  });

  it('refuses one destination given twice', () => {
    expect(() => destinationSpecs({ webhooks: ['https://a.example/h'], specs: ['https://a.example/h'] })).toThrow(/given twice/);
  });
});
