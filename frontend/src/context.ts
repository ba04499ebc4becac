import type { Dataset, DatasetSummary } from './gen/mizan/v1/catalog_pb';
import type { AppState } from './lib/url';
import type { NumOpts } from './lib/format';
import type { T } from './hooks';

/** What every view gets: the state, the catalog and the resolved dataset version. */
export interface ViewProps {
  s: AppState;
  all: DatasetSummary[];
  ds: Dataset;
  t: T;
  num: NumOpts;
}
