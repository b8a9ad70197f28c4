import type { EsCommand } from '../command';
import { archive } from './archive';
import { backfill } from './backfill';
import { checkpoint } from './checkpoint';
import { clean } from './clean';
import { close } from './close';
import { consumers } from './consumers';
import { corrupt } from './corrupt';
import { erase } from './erase';
import { failures } from './failures';
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
  failures,
  rebuild,
  clean,
  corrupt,
  log,
  trace,
  read,
  backfill,
  checkpoint,
  verify,
  close,
  archive,
  erase,
];
