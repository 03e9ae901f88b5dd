/**
 * The plant behind a decoy: process models stepped on a scan cycle, so level, flow, currents and
 * counters move as the real equipment's would, and writes to setpoints and commands change what
 * happens next. Pure: values are read and written through `Points`, time and chance are passed in.
 */
import type { ProcessModel } from '../profile/schema.js';

export interface Points {
  read(name: string): number | boolean | string;
  write(name: string, value: number | boolean): void;
}

export class ProcessEngine {
  /** Fractional state the registers cannot hold (run hours in tenths, totals in whole m³). */
  private readonly accumulators = new Map<number, number>();
  private readonly previous = new Map<number, boolean>();
  private readonly latched = new Map<number, boolean>();

  constructor(private readonly models: readonly ProcessModel[], private readonly points: Points, private readonly random = Math.random) {}

  /** Advances the plant by `dtSeconds` at wall-clock time `now` (ms). */
  step(dtSeconds: number, now: number): void {
    this.models.forEach((model, i) => this.apply(model, i, dtSeconds, now));
  }

  private num(ref: number | string): number {
    if (typeof ref === 'number') return ref;
    const v = this.points.read(ref);
    return typeof v === 'number' ? v : v === true ? 1 : 0;
  }

  private bool(name: string | undefined, fallback: boolean): boolean {
    if (name === undefined) return fallback;
    const v = this.points.read(name);
    return v === true || (typeof v === 'number' && v !== 0);
  }

  private noise(amount: number): number {
    return amount === 0 ? 0 : (this.random() * 2 - 1) * amount;
  }

  private apply(model: ProcessModel, i: number, dt: number, now: number): void {
    switch (model.kind) {
      case 'tank': {
        const phase = (2 * Math.PI * (now / 3_600_000)) / model.inflow.periodHours;
        const inflow = Math.max(0, model.inflow.mean + model.inflow.amplitude * Math.sin(phase) + this.noise(model.inflow.noise));
        const outflow = model.outflows.reduce((sum, o) => sum + (this.bool(o.while, false) ? o.rate : 0), 0);
        const level = this.num(model.level) + (inflow - outflow) * dt;
        this.points.write(model.level, clamp(level, model.min, model.max));
        return;
      }
      case 'hysteresis': {
        const running = this.bool(model.output, false);
        const level = this.num(model.input);
        const allowed = this.bool(model.enable, true) && !this.bool(model.inhibit, false);
        const auto = running ? level > this.num(model.off) : level >= this.num(model.on);
        this.points.write(model.output, allowed && (this.bool(model.command, false) || auto));
        return;
      }
      case 'counter': {
        let value = this.accumulators.get(i) ?? this.num(model.point);
        if (model.perHour !== undefined && this.bool(model.while, true)) value += (model.perHour * dt) / 3600;
        if (model.risingEdge !== undefined) {
          const now_ = this.bool(model.risingEdge, false);
          if (now_ && this.previous.get(i) === false) value += 1;
          this.previous.set(i, now_);
        }
        this.accumulators.set(i, value);
        this.points.write(model.point, value);
        return;
      }
      case 'lag': {
        const target = model.terms
          ? model.terms.reduce((sum, t) => sum + (this.bool(t.when, false) ? this.num(t.value) : 0), 0)
          : this.bool(model.when, true) ? this.num(model.value) : this.num(model.otherwise);
        // Kept unquantised between scans: a register's resolution must not stall the decay.
        const current = this.accumulators.get(i) ?? this.num(model.point);
        const next = current + (target - current) * (1 - Math.exp(-dt / model.tauSeconds));
        this.accumulators.set(i, next);
        // Noise only on a live signal: a stopped motor reads a clean zero.
        this.points.write(model.point, target === 0 && Math.abs(next) < 0.05 ? 0 : next + this.noise(model.noise));
        return;
      }
      case 'walk':
        this.points.write(model.point, clamp(this.num(model.point) + this.noise(model.step), model.min, model.max));
        return;
      case 'daily': {
        const phase = (2 * Math.PI * (now / 3_600_000 - model.phaseHours)) / model.periodHours;
        const value = model.mean + model.amplitude * Math.sin(phase) + this.noise(model.noise);
        // Clamped like the real signal: no negative sunshine at night.
        this.points.write(model.point, clamp(value, model.min ?? -Infinity, model.max ?? Infinity));
        return;
      }
      case 'totaliser': {
        const value = (this.accumulators.get(i) ?? this.num(model.point)) + Math.max(0, this.num(model.rate)) * model.factor * dt;
        this.accumulators.set(i, value);
        this.points.write(model.point, value);
        return;
      }
      case 'scaled':
        this.points.write(model.point, this.num(model.from) * model.factor + model.offset);
        return;
      case 'latch': {
        const input = this.num(model.input);
        const tripped = (model.above !== undefined && input > this.num(model.above)) || (model.below !== undefined && input < this.num(model.below));
        if (model.reset === undefined) {
          this.points.write(model.point, tripped);
          return;
        }
        // A reset clears the latch unless the condition persists.
        if (this.bool(model.reset, false)) this.latched.set(i, tripped);
        else if (tripped) this.latched.set(i, true);
        this.points.write(model.point, this.latched.get(i) ?? this.bool(model.point, false));
        return;
      }
      case 'pulse':
        this.points.write(model.point, false);
        return;
    }
  }
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
