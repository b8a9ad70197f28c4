import { spawn } from 'node:child_process';

/**
 * The watchdog's program (plain JavaScript for `node -e`): every 200 ms it checks that the guarded
 * process is still alive; once it is gone, or the watchdog itself is asked to stop, it ends the
 * child (SIGTERM, SIGKILL 5 s later) and exits. It exits as soon as the child is gone. A zombie
 * (a process that has ended but that its parent has not reaped yet, e.g. an orphan in a container
 * whose first process reaps nothing) counts as gone, where /proc tells.
 */
const WATCHDOG = `
const [guarded, child] = process.argv.slice(1).map(Number);
const running = (pid) => {
  try {
    const stat = require('node:fs').readFileSync('/proc/' + pid + '/stat', 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch { return true; }
};
const alive = (pid) => {
  try { process.kill(pid, 0); } catch (error) { return error.code === 'EPERM'; }
  return running(pid);
};
let ending = false;
const end = () => {
  if (ending) return;
  ending = true;
  try { process.kill(child, 'SIGTERM'); } catch {}
  setTimeout(() => { try { process.kill(child, 'SIGKILL'); } catch {} }, 5000).unref();
};
process.on('SIGTERM', end);
process.on('SIGINT', end);
process.on('SIGHUP', end);
setInterval(() => {
  if (!alive(child)) process.exit(0);
  if (!alive(guarded)) end();
}, 200);
`;

/**
 * Starts a small process, in a process group of its own, that ends `childPid` when this process
 * disappears, even by SIGKILL, which leaves no chance to clean up. Signals the watchdog itself
 * receives end the child too, so stopping any process of the stack stops it.
 */
export function guardChild(childPid: number): void {
  const watchdog = spawn(
    process.execPath,
    ['-e', WATCHDOG, String(process.pid), String(childPid)],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();
}
