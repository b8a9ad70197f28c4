import { spawn } from 'node:child_process';

/**
 * The watchdog's program (plain JavaScript for `node -e`): every 200 ms it checks that the guarded
 * process is still alive; once it is gone, or the watchdog itself is asked to stop, it ends the
 * child (SIGTERM, SIGKILL 5 s later) and exits. It exits as soon as the child is gone.
 */
const WATCHDOG = `
const [guarded, child] = process.argv.slice(1).map(Number);
const alive = (pid) => {
  try { process.kill(pid, 0); return true; } catch (error) { return error.code === 'EPERM'; }
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
