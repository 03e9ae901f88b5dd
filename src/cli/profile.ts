/** `tripline profile`: list, validate and show device profiles. */
import { Command } from 'commander';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { stringify } from 'yaml';
import { listBuiltinProfiles, loadProfile, parseProfile, ProfileError } from '../profile/load.js';
import { CsvImportError, importCsv } from '../profile/import-csv.js';
import { UsageError } from './options.js';
import type { Profile } from '../profile/schema.js';
import { terminalSafe } from './format.js';

export function profileCommand(): Command {
  const cmd = new Command('profile').description('device profiles: what a decoy imitates');
  cmd
    .command('list')
    .description('the profiles shipped with Tripline')
    .action(() => {
      const rows = listBuiltinProfiles().map((name) => {
        const p = loadProfile(name);
        return [name, `${p.identity.vendor} ${p.identity.productName ?? p.identity.productCode}`, protocols(p), p.description];
      });
      process.stdout.write(table(['NAME', 'IMITATES', 'PROTOCOLS', 'DESCRIPTION'], rows));
    });
  cmd
    .command('validate')
    .description('check profile files; prints file:line:col and a reason for each mistake')
    .argument('<file...>', 'profile files (or shipped names)')
    .action((files: string[]) => {
      let bad = 0;
      for (const file of files) {
        try {
          const p = loadProfile(file);
          process.stdout.write(`${file}: ok (${p.name}, ${p.points.length} points)\n`);
        } catch (err) {
          if (!(err instanceof ProfileError)) throw err;
          bad++;
          for (const problem of err.problems) process.stderr.write(`${terminalSafe(problem)}\n`);
        }
      }
      if (bad > 0) process.exit(1);
    });
  cmd
    .command('show')
    .description('identity, units and points of a profile')
    .argument('<name|file>')
    .action((name: string) => {
      const p = loadProfile(name);
      const id = p.identity;
      const lines = [
        `${p.name}: ${p.description}`,
        `vendor     ${id.vendor}`,
        `product    ${id.productName ?? '-'}, code ${id.productCode}${id.model ? `, model ${id.model}` : ''}, revision ${id.revision}`,
        `serial     shaped like ${id.serial} (each deployment derives its own)`,
        `protocols  ${protocols(p)}`,
        ...(p.modbus ? p.modbus.units.map((u) => `unit ${u.id}     coils ${u.coils}, discrete inputs ${u.discreteInputs}, holding registers ${u.holdingRegisters}, input registers ${u.inputRegisters}`) : []),
        ...(p.process ? [`process    ${p.process.models.length} models every ${p.process.scanMs} ms`] : []),
        '',
      ];
      const rows = p.points.map((pt) => [
        pt.name,
        pt.modbus ? `${pt.modbus.unit}:${pt.modbus.table}:${pt.modbus.address}${pt.modbus.bit !== undefined ? `.${pt.modbus.bit}` : ''}` : '-',
        pt.type + (pt.length ? `[${pt.length}]` : ''),
        pt.unit ?? '',
        pt.access,
        pt.description,
      ]);
      process.stdout.write(lines.join('\n') + '\n' + table(['POINT', 'MODBUS', 'TYPE', 'UNIT', 'ACCESS', 'DESCRIPTION'], rows));
    });
  cmd
    .command('import-csv')
    .description('turn a register table (name, address, type, unit, scale, access) into a profile skeleton')
    .argument('<file>', 'CSV with a header row; addresses like 40001, or plain ones with a table column')
    .requiredOption('--name <name>', 'profile name (lower-case letters, digits, dashes)')
    .option('--vendor <vendor>', 'vendor name for the identity')
    .option('--product-code <code>', 'product code for the identity')
    .option('--out <file>', 'write the profile here (default: stdout)')
    .action((file: string, opts) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
      }
      let profile: object;
      try {
        profile = importCsv(text, { name: opts.name, vendor: opts.vendor, productCode: opts.productCode });
      } catch (err) {
        if (err instanceof CsvImportError) throw new UsageError(`${file}: ${err.message}`);
        throw err;
      }
      const yaml = `# Imported from ${basename(file)} by tripline profile import-csv\n${stringify(profile, { lineWidth: 0 })}`;
      // Check what was made: the skeleton must load as it is.
      parseProfile(yaml, opts.out ?? '(output)');
      if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(opts.name)) throw new UsageError('--name: lower-case letters, digits and dashes (max 64)');
      if (!opts.out) {
        process.stdout.write(yaml);
        return;
      }
      if (existsSync(opts.out)) throw new UsageError(`${opts.out} exists already; choose another --out`);
      writeFileSync(opts.out, yaml, { flag: 'wx' });
      process.stdout.write(`${opts.out}: profile ${opts.name} with ${(profile as { points: unknown[] }).points.length} points; fill in identity and initial values, then \`tripline profile validate ${opts.out}\`\n`);
    });
  return cmd;
}

function protocols(p: Profile): string {
  return [p.modbus ? 'modbus-tcp' : '', p.opcua ? 'opcua' : ''].filter(Boolean).join(', ');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].map(terminalSafe).join('\n') + '\n';
}
