/**
 * Files that set off a DNS token when run: the seed's `db_maintenance.bat` (native nslookup,
 * nothing PowerShell-blocking policies stop) and a POSIX shell equivalent. Each looks like a
 * routine maintenance script; the lookup is the first thing it does. Pure.
 */

const HOSTNAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

function checked(hostname: string): string {
  // It goes into a script verbatim: nothing but a DNS name may.
  if (!HOSTNAME.test(hostname) || hostname.length > 253) throw new RangeError(`"${hostname}" is not a DNS hostname`);
  return hostname;
}

/** CRLF line ends, as cmd.exe files have. */
export function batchFile(hostname: string): string {
  const host = checked(hostname);
  return [
    '@echo off',
    'REM Nightly SQL maintenance: check the backup server, then compact and copy the backups.',
    'REM Runs from Task Scheduler as the backup service account. Do not edit without change ticket.',
    'setlocal',
    `set BACKUP_HOST=${host}`,
    'echo [%DATE% %TIME%] checking backup server %BACKUP_HOST%',
    `nslookup ${host}`,
    'if errorlevel 1 (',
    '  echo backup server not reachable, aborting',
    '  exit /b 1',
    ')',
    'echo [%DATE% %TIME%] starting maintenance',
    'sqlcmd -S localhost -E -Q "EXEC msdb.dbo.sp_start_job N\'Nightly Backup Maintenance\'"',
    'robocopy D:\\SQLBackup \\\\%BACKUP_HOST%\\sqlbackup$ *.bak /Z /R:2 /W:5 /NP',
    'endlocal',
    '',
  ].join('\r\n');
}

export function shellScript(hostname: string): string {
  const host = checked(hostname);
  return [
    '#!/bin/sh',
    '# Nightly historian backup: check the backup server, then copy the archive.',
    '# Run from cron as the backup account. Do not edit without change ticket.',
    `BACKUP_HOST=${host}`,
    'echo "$(date) checking backup server $BACKUP_HOST"',
    `nslookup ${host} >/dev/null 2>&1 || getent hosts ${host} >/dev/null 2>&1 || { echo "backup server not reachable"; exit 1; }`,
    'echo "$(date) starting maintenance"',
    'tar czf /tmp/historian-$(date +%Y%m%d).tar.gz /var/lib/historian/archive 2>/dev/null',
    'scp -q /tmp/historian-$(date +%Y%m%d).tar.gz "backup@$BACKUP_HOST:/srv/backup/" 2>/dev/null',
    '',
  ].join('\n');
}
