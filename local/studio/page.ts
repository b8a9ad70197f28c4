import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import type { ToolRoutes } from '../tool-routes';

const CLIENT = fileURLToPath(new URL('./client/studio.ts', import.meta.url));

const STYLE = `
  :root { font: 15px/1.4 system-ui, sans-serif; color: #111; background: #fff; }
  body { margin: 0 auto; max-width: 72rem; padding: 1rem; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 1.5rem; }
  section { border-top: 1px solid #888; padding-top: .5rem; }
  table { border-collapse: collapse; width: 100%; font-size: .9rem; }
  th, td { border-bottom: 1px solid #ccc; padding: .25rem .4rem; text-align: left; vertical-align: top; }
  pre { margin: 0; white-space: pre-wrap; word-break: break-all; }
  button, input { font: inherit; padding: .3rem .6rem; }
  button { background: #0b4f9c; color: #fff; border: 0; border-radius: 3px; cursor: pointer; }
  button:focus-visible, input:focus-visible, a:focus-visible, summary:focus-visible { outline: 3px solid #8a4b00; outline-offset: 2px; }
  a { color: #0b4f9c; }
  #state { background: #f3f3f3; padding: .5rem; display: block; }
  .muted { color: #444; }
  button:disabled { background: #555; cursor: wait; }
  .seal-sealed { color: #1b5e20; font-weight: 600; }
  .seal-pending { color: #7a4500; font-weight: 600; }
  .seal-unsealed { color: #444; font-weight: 600; }
  details.hash summary { font-family: ui-monospace, monospace; cursor: pointer; }
  details.hash code { word-break: break-all; }
  header { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #888; z-index: 1; }
  header h1 { margin: .3rem 0; }
  nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; margin: 0 0 .4rem; padding: 0; }
  section { scroll-margin-top: 6rem; }
  #chart text { font-size: 11px; }
  .elapsed { display: inline-block; min-width: 5rem; font-variant-numeric: tabular-nums; }
  .bar { display: inline-block; height: .5rem; background: #0b4f9c; vertical-align: middle; max-width: 8rem; }
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Studio · dynamo-event-sourcing</title>
  <style>${STYLE}</style>
</head>
<body>
  <header><h1>Event sourcing studio</h1>
    <nav aria-label="Studio">
      <ul>
        <li><a href="#streams">Streams</a></li>
        <li><a href="#consumers-section">Consumers</a></li>
        <li><a href="#processes">Processes</a></li>
        <li><a href="#trace">Trace a request</a></li>
        <li><a href="#activity">Activity chart</a></li>
        <li><a href="#log-section">Global log</a></li>
        <li><a href="/docs">API docs</a></li>
      </ul>
    </nav></header>
  <main>
    <section aria-labelledby="streams-title" id="streams">
      <h2 id="streams-title">Streams</h2>
      <form id="search">
        <label for="query">Stream id or prefix</label>
        <input id="query" name="query" placeholder="account-" autocomplete="off">
        <button type="submit">Search</button>
      </form>
      <ul id="stream-list" aria-live="polite"></ul>
    </section>
    <section aria-labelledby="stream-title" id="stream" hidden>
      <h2 id="stream-title">Stream</h2>
      <label for="version">Time travel: state at version <output id="version-label" for="version">0</output></label>
      <input type="range" id="version" min="0" max="0" value="0" step="1">
      <pre><output id="state" for="version" aria-live="polite"></output></pre>
      <p><button type="button" id="seal-now" aria-describedby="seal-help">Seal the log now</button>
        <span id="seal-help" class="muted">Signs a checkpoint over every position of the global log not sealed yet, as the sealCheckpoints schedule does every few minutes.</span></p>
      <p id="seal-result" role="status"></p>
      <table><caption class="muted">Events</caption>
        <thead><tr><th scope="col">Version</th><th scope="col">Type</th><th scope="col">Recorded</th><th scope="col">Data</th><th scope="col">Metadata</th><th scope="col">Seal</th><th scope="col">Hash</th></tr></thead>
        <tbody id="events"></tbody></table>
    </section>
    <section aria-labelledby="consumers-title" id="consumers-section">
      <h2 id="consumers-title">Consumers</h2>
      <table><thead><tr><th scope="col">Consumer</th><th scope="col">Kind</th><th scope="col">Checkpoint</th><th scope="col">Pending</th><th scope="col">Lag (s)</th><th scope="col">Parked</th><th scope="col">Failing</th></tr></thead>
        <tbody id="consumers"></tbody></table>
      <p id="consumer-processes"></p>
      <h3>Parked and failing streams</h3>
      <ul id="parked"></ul>
      <p id="redrive-result" role="status"></p>
    </section>
    <section aria-labelledby="processes-title" id="processes">
      <h2 id="processes-title">Processes</h2>
      <table><caption class="muted">Process managers: their instances running and completed, and the streams they parked</caption>
        <thead><tr><th scope="col">Process</th><th scope="col">Running</th><th scope="col">Completed</th><th scope="col">Parked</th><th scope="col">What it does</th></tr></thead>
        <tbody id="processes-list"></tbody></table>
      <div id="process" hidden>
        <h3 id="process-title">Process</h3>
        <table><caption class="muted">The newest running instances</caption>
          <thead><tr><th scope="col">Instance</th><th scope="col">Version</th><th scope="col">Last written</th><th scope="col">State</th><th scope="col">Pending commands</th><th scope="col">Timers</th></tr></thead>
          <tbody id="instances"></tbody></table>
        <ul id="process-parked"></ul>
      </div>
      <div id="instance" hidden>
        <h3 id="instance-title">Instance</h3>
        <p>Its stream: <span id="instance-stream"></span></p>
        <pre id="instance-state"></pre>
        <table><caption class="muted">Inputs applied and commands sent, in order</caption>
          <thead><tr><th scope="col">Version</th><th scope="col">At</th><th scope="col">Step</th><th scope="col">Outputs decided</th></tr></thead>
          <tbody id="instance-history"></tbody></table>
        <ul id="instance-todo"></ul>
      </div>
    </section>
    <section aria-labelledby="trace-title" id="trace">
      <h2 id="trace-title">Trace a request</h2>
      <form id="trace-search">
        <label for="correlation">Correlation id</label>
        <input id="correlation" name="correlation" placeholder="the X-Correlation-Id of a request" autocomplete="off">
        <button type="submit">Trace</button>
      </form>
      <p id="trace-summary" role="status"></p>
      <table><caption class="muted">Everything the request caused, in time order: its events, those of the reactions and process steps they set off, integration events published, failures</caption>
        <thead><tr><th scope="col">After the request</th><th scope="col">At</th><th scope="col">What</th><th scope="col">Details</th></tr></thead>
        <tbody id="trace-entries"></tbody></table>
    </section>
    <section aria-labelledby="chart-title" id="activity">
      <h2 id="chart-title">Append rate and lag, last 5 minutes</h2>
      <svg id="chart" role="img" aria-label="Append rate and lag: waiting for the first figures" viewBox="0 0 640 220" width="100%"></svg>
      <p class="muted"><span style="color:#0b4f9c">■</span> events appended per 10 s (left axis, from the global log) · <span style="color:#b3261e">■</span> largest consumer lag in seconds (right axis, sampled every 2 s since this page opened). Point at the chart for the values of a 10-second span.</p>
      <p id="chart-readout" aria-live="polite"></p>
    </section>
    <section aria-labelledby="log-title" id="log-section">
      <h2 id="log-title">Global log, live</h2>
      <table><thead><tr><th scope="col">Position</th><th scope="col">Stream</th><th scope="col">Type</th><th scope="col">Recorded</th></tr></thead>
        <tbody id="log"></tbody></table>
    </section>
  </main>
  <script type="module" src="/studio/studio.js"></script>
</body>
</html>
`;

let bundle: Promise<string> | undefined;

/** The client, bundled from TypeScript once per process. */
function clientBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [CLIENT],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
  }).then((result) => result.outputFiles[0]!.text);
  return bundle;
}

/** `GET /studio`: the page and its script. */
export const studioPage: ToolRoutes = async ({ method, path }) => {
  if (method !== 'GET') return undefined;
  if (path === '/studio' || path === '/studio/') {
    return { status: 200, type: 'text/html; charset=utf-8', body: PAGE };
  }
  if (path === '/studio/studio.js') {
    return { status: 200, type: 'text/javascript', body: await clientBundle() };
  }
  return undefined;
};
