"""One of many clients logging at once: a run with batches of metric points plus single calls.

    python concurrent_logger.py URL EXPERIMENT_ID WORKER BATCHES POINTS_PER_BATCH
Prints the run id. Uses mlf's REST store, as `mlf` commands do.
"""

import sys
import time

from runtime.entities import Metric, Param, RunTag
from runtime.store.rest.store import RestStore


def main(url, experiment_id, worker, batches, per_batch):
    store = RestStore(url)
    run = store.create_run(experiment_id, user_id=f"worker-{worker}", start_time=int(time.time() * 1000),
                           tags={"worker": str(worker)}, run_name=f"worker-{worker}")
    run_id = run.info.run_id
    store.log_param(run_id, Param("worker", str(worker)))
    step = 0
    for batch in range(batches):
        metrics = []
        for _ in range(per_batch):
            metrics.append(Metric("loss", 1.0 / (step + 1), int(time.time() * 1000), step))
            step += 1
        store.log_batch(run_id, metrics=metrics, tags=[RunTag("batch", str(batch))])
        store.log_metric(run_id, Metric("single", float(batch), int(time.time() * 1000), batch))
    store.update_run_info(run_id, status="FINISHED", end_time=int(time.time() * 1000))
    store.close()
    print(run_id)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
