import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { ConnectionLimiter, sourceKey } from './connection-limiter.js';

class FakeSocket extends EventEmitter {
  destroyed = false;
  destroy() {
    this.destroyed = true;
    this.emit('close');
  }
}
const socket = () => new FakeSocket() as unknown as net.Socket & FakeSocket;

describe('connection limiter', () => {
  it('drops a slot-holder after 2 s, never a client that polls, to admit a newcomer', () => {
    let now = 0;
    const limiter = new ConnectionLimiter(2, 8, 2_000, 30_000, () => now);
    const poller = socket();
    const holder = socket();
    expect(limiter.admit(poller, '10.0.0.1')).toBe(true);
    expect(limiter.admit(holder, '10.0.0.2')).toBe(true);
    now = 1_000;
    limiter.touch(poller);
    expect(limiter.admit(socket(), '10.0.0.3')).toBe(false); // the holder is not yet 2 s old
    now = 3_500;
    const newcomer = socket();
    expect(limiter.admit(newcomer, '10.0.0.3')).toBe(true);
    expect(holder.destroyed).toBe(true);
    expect(poller.destroyed).toBe(false);
    // The poller, quiet for 3 s (a normal polling interval), is not dropped for the next one.
    now = 6_000;
    limiter.touch(newcomer);
    expect(limiter.admit(socket(), '10.0.0.4')).toBe(false);
    expect(poller.destroyed).toBe(false);
    // Idle for 30 s it is.
    now = 40_000;
    expect(limiter.admit(socket(), '10.0.0.4')).toBe(true);
    expect(poller.destroyed).toBe(true);
  });

  it('counts IPv6 sources per /64', () => {
    expect(sourceKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('::1')).toBe('0:0:0:0::/64');
    expect(sourceKey('192.0.2.7')).toBe('192.0.2.7');
    const limiter = new ConnectionLimiter(100, 2);
    expect(limiter.admit(socket(), '2001:db8:1:2::10')).toBe(true);
    expect(limiter.admit(socket(), '2001:db8:1:2::20')).toBe(true);
    expect(limiter.admit(socket(), '2001:db8:1:2:9::30')).toBe(false);
    expect(limiter.admit(socket(), '2001:db8:1:3::10')).toBe(true);
  });
});
