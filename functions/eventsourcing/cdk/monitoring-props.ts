import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { FailureRecords } from './failure-records.js';
import type { SystemFunction } from './functions.js';
import type { SystemHttpApi } from './http-api.js';

export type ConsumerKind = 'projection' | 'reaction' | 'batch';

export interface SystemMonitoringProps {
  readonly stage: string;
  /** Namespace of the functions' Powertools metrics. */
  readonly metricsNamespace: string;
  readonly functions: readonly SystemFunction[];
  readonly httpApi?: SystemHttpApi;
  /** Route keys (`POST /accounts`) of the routes that run commands, graphed one by one. */
  readonly commandRoutes?: readonly string[];
  /** The events table: its writes are the system's append rate. */
  readonly eventsTable?: ITable;
  /** The stream hosts with their consumers, and their failure destination. */
  readonly streams?: {
    readonly hosts: readonly {
      readonly fn: SystemFunction;
      /** The table whose stream the host reads. */
      readonly source: ITable;
      /** Id of the host's event source mapping (its `EventSourceMappingUUID`). */
      readonly mappingId: string;
      /**
       * Its consumers. A `batch` consumer reports its own metrics (the global-log indexer its
       * `GlobalLogLag`), so only the others get a `ConsumerLag` alarm.
       */
      readonly consumers: readonly { readonly name: string; readonly kind: ConsumerKind }[];
    }[];
    readonly failureRecords: FailureRecords;
  };
  readonly alarmEmail?: string;
  /** The system keeps a global log: alarm on its indexer's lag and graph its throughput. */
  readonly globalLog?: boolean;
  /** Metrics functions emit to say something needs an operator (declared `alarmMetrics`). */
  readonly problemMetrics?: readonly {
    readonly service: string;
    readonly metric: string;
    readonly description: string;
  }[];
}
