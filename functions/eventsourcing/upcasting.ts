import { UpcastError } from './errors.js';
import type { RecordedEvent } from './types.js';
import { InvalidDeclarationError } from './declaration/errors.js';

/** Turns the data of one schema version into the data of the next. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/**
 * Per event type, the upcaster that lifts data *from* each schema version:
 * `{ MoneyDeposited: { 1: v1ToV2, 2: v2ToV3 } }` makes version 3 current.
 */
export type UpcasterRegistry = Readonly<Record<string, Readonly<Record<number, Upcaster>>>>;

/** Applies upcaster chains so every reader sees each event type at its current schema version. */
export class Upcasters {
  private readonly currentVersions = new Map<string, number>();

  constructor(private readonly registry: UpcasterRegistry = {}) {
    for (const [type, steps] of Object.entries(registry)) {
      const fromVersions = Object.keys(steps).map(Number);
      this.currentVersions.set(type, Math.max(...fromVersions) + 1);
    }
  }

  /**
   * The upcasters of several domains together, for a store that appends events of all of them
   * (a process manager writing to streams of different aggregates). Event types must not overlap.
   */
  static combine(...sets: readonly Upcasters[]): Upcasters {
    const registry: Record<string, Readonly<Record<number, Upcaster>>> = {};
    for (const set of sets) {
      for (const [type, steps] of Object.entries(set.registry)) {
        if (type in registry) {
          throw new InvalidDeclarationError([`Upcasters for '${type}' are declared twice`]);
        }
        registry[type] = steps;
      }
    }
    return new Upcasters(registry);
  }

  /** The schema version new events of this type are written at. */
  currentVersion(type: string): number {
    return this.currentVersions.get(type) ?? 1;
  }

  upcast<E extends RecordedEvent>(event: E): E {
    const target = this.currentVersions.get(event.type);
    if (target === undefined || event.schemaVersion >= target) return event;
    const steps = this.registry[event.type] ?? {};
    let data = event.data;
    for (let version = event.schemaVersion; version < target; version++) {
      const step = steps[version];
      if (!step) {
        throw new UpcastError(
          `No upcaster for '${event.type}' from schema version ${version} (event ${event.eventId})`,
        );
      }
      data = step(data);
    }
    return { ...event, data, schemaVersion: target };
  }
}
