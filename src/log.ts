/** One logger for every part of a process: JSON lines on stdout (journald and SIEM friendly). */
import { pino, type Logger } from 'pino';

export function createLogger(level = process.env.TRIPLINE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
