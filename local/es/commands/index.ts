import type { EsCommand } from '../command';
import { backfill } from './backfill';
import { checkpoint } from './checkpoint';
import { clean } from './clean';
import { consumers } from './consumers';
import { corrupt } from './corrupt';
import { erase } from './erase';
import { log } from './log';
import { parked } from './parked';
import { read } from './read';
import { rebuild } from './rebuild';
import { redrive } from './redrive';
import { stream } from './stream';
import { streams } from './streams';
import { tail } from './tail';
import { trace } from './trace';
import { verify } from './verify';

/** Every operator command, in the order the help lists them. */
export const commands: readonly EsCommand[] = [
  streams,
  stream,
  tail,
  consumers,
  parked,
  redrive,
  rebuild,
  clean,
  corrupt,
  log,
  trace,
  read,
  backfill,
  checkpoint,
  verify,
  erase,
];
