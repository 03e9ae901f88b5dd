#!/usr/bin/env node
/** `tripline`: one binary, one command per role. */
import { Command } from 'commander';
import { consoleCommand } from './console.js';
import { gatewayCommand } from './gateway.js';
import { demoCommand } from './demo.js';
import { hitsCommand } from './hits.js';
import { profileCommand } from './profile.js';
import { tokenCommand } from './token.js';
import { stubCommand } from './stub.js';
import { doctorCommand } from './doctor.js';
import { reportFatal } from './options.js';

const program = new Command('tripline')
  .description('Canary gateway for industrial networks: decoy PLCs whose every touch alerts the SOC')
  .version('0.1.0')
  .enablePositionalOptions()
  .addCommand(consoleCommand())
  .addCommand(gatewayCommand())
  .addCommand(demoCommand())
  .addCommand(hitsCommand())
  .addCommand(profileCommand())
  .addCommand(tokenCommand())
  .addCommand(stubCommand())
  .addCommand(doctorCommand());

program.parseAsync(process.argv).catch(reportFatal);
