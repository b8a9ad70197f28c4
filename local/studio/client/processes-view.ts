import type {
  InstanceDetail,
  InstanceStep,
  InstanceSummary,
  PendingCommandView,
  ProcessOverview,
  TimerView,
} from '../../es/views/process-instance-views';
import { byId, element, getJson, row, streamLink } from './dom';

/** A link that opens a process (`#process=NAME`) or one of its instances (`#process=NAME/ID`). */
export const processLink = (name: string, instanceId?: string) =>
  element('a', instanceId ?? name, {
    href: `#process=${encodeURIComponent(instanceId === undefined ? name : `${name}/${instanceId}`)}`,
  });

const list = (items: readonly (string | Node)[]) => {
  const ul = element('ul');
  for (const item of items) {
    const li = element('li');
    li.append(item);
    ul.append(li);
  }
  return ul;
};

const pendingItem = (command: PendingCommandView) => {
  const item = document.createDocumentFragment();
  item.append(`${command.type} to `, streamLink(command.streamId));
  return item;
};

const timerText = (timer: TimerView) =>
  `${timer.timer} due ${timer.at}${timer.overdue ? ' (overdue)' : ''}`;

const instanceRow = (name: string, instance: InstanceSummary) =>
  row([
    processLink(name, instance.instanceId),
    String(instance.version),
    instance.lastAt,
    element('code', instance.state),
    list(instance.pending.map(pendingItem)),
    list(instance.timers.map(timerText)),
  ]);

/** Lists the declared process managers with their instance counts. */
export async function refreshProcesses(): Promise<void> {
  const { processes } = await getJson<{ processes: ProcessOverview[] }>('/studio/api/processes');
  byId('processes-list').replaceChildren(
    ...(processes.length > 0
      ? processes.map((p) =>
          row([
            processLink(p.name),
            String(p.running),
            String(p.completed),
            String(p.parked.length),
            p.description,
          ]),
        )
      : [row(['No process manager is declared.'])]),
  );
}

async function showProcess(name: string): Promise<void> {
  const { processes } = await getJson<{ processes: ProcessOverview[] }>(
    `/studio/api/processes?name=${encodeURIComponent(name)}`,
  );
  const overview = processes[0]!;
  byId('process').hidden = false;
  byId('process-title').textContent =
    `Process ${name}: ${overview.running} running, ${overview.completed} completed`;
  byId('instances').replaceChildren(
    ...overview.instances.map((instance) => instanceRow(name, instance)),
  );
  byId('process-parked').replaceChildren(
    ...overview.parked.map((record) => {
      const item = element('li');
      item.append(
        streamLink(record.streamId),
        ` ${record.status} at version ${record.version}: ${record.error}`,
      );
      return item;
    }),
  );
}

const stepRow = (step: InstanceStep) =>
  step.kind === 'command-done'
    ? row([String(step.version), step.at, `command ${step.commandId} sent`, ''])
    : row([
        String(step.version),
        step.at,
        `${step.type} (${step.inputId})`,
        list(step.outputs.map((output) => output.text)),
      ]);

async function showInstance(name: string, instanceId: string): Promise<void> {
  const detail = await getJson<InstanceDetail>(
    `/studio/api/processes?name=${encodeURIComponent(name)}&instance=${encodeURIComponent(instanceId)}`,
  );
  byId('instance').hidden = false;
  byId('instance-title').textContent =
    `Instance ${instanceId} of ${name}: ${detail.completed ? 'completed' : 'running'}, version ${detail.version}`;
  byId('instance-stream').replaceChildren(streamLink(detail.streamId));
  byId('instance-state').textContent = JSON.stringify(detail.state, null, 2);
  byId('instance-history').replaceChildren(...detail.history.map(stepRow));
  byId('instance-todo').replaceChildren(
    ...detail.pending.map((command) => {
      const item = element('li', 'Pending: ');
      item.append(pendingItem(command));
      return item;
    }),
    ...detail.timers.map((timer) => element('li', `Timer ${timerText(timer)}`)),
  );
}

/** Opens `NAME` (its instances) or `NAME/ID` (that instance in full, below its process). */
export async function openProcess(value: string): Promise<void> {
  const [name, instanceId] = value.split(/\/(.*)/s);
  byId('instance').hidden = true;
  await showProcess(name!);
  if (instanceId) await showInstance(name!, instanceId);
}
