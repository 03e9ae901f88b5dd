import { describe, expect, it } from 'vitest';
import { ProcessEngine } from './engine.js';
import { TagStore } from '../tags/tag-store.js';
import { loadProfile } from '../profile/load.js';

function liftStation() {
  const profile = loadProfile('water-lift-station');
  const tags = new TagStore(profile);
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const engine = new ProcessEngine(profile.process!.models, tags, random);
  return { tags, engine };
}

/** Runs the plant for `seconds` of simulated time in 500 ms scans, sampling each scan. */
function run(engine: ProcessEngine, tags: TagStore, seconds: number, start = Date.parse('2026-06-01T08:00:00Z')) {
  const samples: { level: number; running: boolean; current: number }[] = [];
  for (let t = 0; t < seconds * 2; t++) {
    engine.step(0.5, start + t * 500);
    samples.push({ level: tags.read('WetWell.Level') as number, running: tags.read('Pump1.Running') as boolean, current: tags.read('Pump1.MotorCurrent') as number });
  }
  return samples;
}

describe('the lift station plant', () => {
  it('cycles its lead pump between the start and stop levels, counting starts and run hours', () => {
    const { tags, engine } = liftStation();
    const hours0 = tags.read('Pump1.RunHours') as number;
    const starts0 = tags.read('Pump1.Starts') as number;
    const samples = run(engine, tags, 2 * 3600);
    for (const s of samples) expect(s.level).toBeGreaterThanOrEqual(0.05);
    // The level never passes far beyond the start level (1.80 m) nor below the stop level (0.60 m).
    expect(Math.max(...samples.map((s) => s.level))).toBeLessThan(2.0);
    expect(Math.min(...samples.slice(600).map((s) => s.level))).toBeGreaterThan(0.5);
    const starts = (tags.read('Pump1.Starts') as number) - starts0;
    expect(starts).toBeGreaterThanOrEqual(5);
    expect((tags.read('Pump1.RunHours') as number) - hours0).toBeGreaterThan(0.2);
    // Falling while the pump runs, rising while it rests; current only while running.
    for (let i = 20; i < samples.length; i++) {
      const [a, b] = [samples[i - 1]!, samples[i]!];
      if (a.running && b.running) expect(b.level).toBeLessThan(a.level + 0.002);
      // Stopped for 10 s: the motor current has decayed to a clean zero.
      if (samples.slice(i - 20, i + 1).every((s) => !s.running)) expect(b.current).toBe(0);
    }
    expect(Math.max(...samples.map((s) => s.current))).toBeGreaterThan(38);
    // The flow totaliser moved with the pumped volume.
    expect(tags.read('Station.FlowTotal') as number).toBeGreaterThan(184_223);
  });

  it('lets a setpoint write change behaviour: a lower start level starts the pump sooner', () => {
    const { tags, engine } = liftStation();
    tags.write('LS.PumpStartLevel', 1.0);
    const samples = run(engine, tags, 5);
    expect(samples.at(-1)!.running).toBe(true);
    tags.write('Pump1.Enable', false);
    expect(run(engine, tags, 2).at(-1)!.running).toBe(false);
  });

  it('latches a high-level alarm until reset, and the reset is momentary', () => {
    const { tags, engine } = liftStation();
    tags.write('Pump1.Enable', false);
    tags.write('Pump2.Enable', false);
    tags.write('WetWell.Level', 2.7);
    run(engine, tags, 1);
    expect(tags.read('Alarm.HighLevel')).toBe(true);
    tags.write('WetWell.Level', 1.0);
    run(engine, tags, 1);
    expect(tags.read('Alarm.HighLevel')).toBe(true);
    tags.write('Alarm.Reset', true);
    run(engine, tags, 1);
    expect(tags.read('Alarm.HighLevel')).toBe(false);
    expect(tags.read('Alarm.Reset')).toBe(false);
  });
});
