/**
 * The lift station is live: over 20 Modbus reads one second apart its values move within their
 * bounds and stay physically consistent, and a setpoint write changes what the plant does.
 */
import { describe, expect, it } from 'vitest';
import { startStack } from './helpers/stack.js';
import { modbusClient } from './helpers/modbus.js';

const float32 = (words: number[]) => {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(words[0]!, 0);
  b.writeUInt16BE(words[1]!, 2);
  return b.readFloatBE(0);
};

describe('the live lift station', () => {
  it('moves within bounds, and a lower start level starts the lead pump, which draws the well down', async () => {
    const stack = await startStack();
    try {
      const client = await modbusClient(stack.gateway.modbusPort);
      const samples: { level: number; running: boolean; current: number; voltage: number; starts: number }[] = [];
      for (let i = 0; i < 20; i++) {
        // After five reads, the operator (or an intruder) lowers the start level to 1.00 m.
        if (i === 5) await client.writeRegister(0, 100);
        const words = (await client.readHoldingRegisters(10, 17)).data;
        const running = (await client.readDiscreteInputs(0, 1)).data[0]!;
        samples.push({ level: float32(words.slice(0, 2)), current: ((words[14]! << 16) >> 16) / 10, voltage: words[16]! / 10, starts: (words[10]! << 16) | words[11]!, running });
        await new Promise((r) => setTimeout(r, 1_000));
      }
      client.close(() => {});
      console.log(`lift station samples: ${JSON.stringify(samples.map((s) => [s.level.toFixed(3), s.running ? 'run' : 'stop', s.current]))}`);
      // Not frozen, and within the well and the supply's bounds.
      expect(new Set(samples.map((s) => s.level.toFixed(4))).size).toBeGreaterThan(10);
      for (const s of samples) {
        expect(s.level).toBeGreaterThan(0);
        expect(s.level).toBeLessThan(4.2);
        expect(s.voltage).toBeGreaterThanOrEqual(396);
        expect(s.voltage).toBeLessThanOrEqual(412);
      }
      // Before the write the pump rests (level 1.32 m, start 1.80 m); after it, the pump runs.
      expect(samples.slice(0, 5).every((s) => !s.running)).toBe(true);
      const running = samples.slice(8);
      expect(running.every((s) => s.running)).toBe(true);
      expect(running.at(-1)!.level).toBeLessThan(running[0]!.level);
      expect(Math.min(...running.map((s) => s.current))).toBeGreaterThan(30);
      expect(samples.at(-1)!.starts).toBe(samples[0]!.starts + 1);
    } finally {
      await stack.stop();
    }
  }, 60_000);
});
