"""The store contract suite, run through RestStore against `mlf server`.

Every contract test applies except the permanent-deletion ones: the REST
API has no hard delete, so RestStore refuses those calls with a clear error
(checked below) and `mlf gc` works on the server's backend store instead.
"""

import pytest

from runtime.errors import MlfError
from tests.store_contract.test_experiments import *  # noqa: F401,F403 - collected here with the REST store
from tests.store_contract.test_runs import *  # noqa: F401,F403
from tests.store_contract.test_runs import _run
from tests.store_contract.test_search_runs import *  # noqa: F401,F403

# Permanent deletion is not part of the REST API.
del test_hard_delete  # noqa: F821
del test_delete_restore_run  # noqa: F821


def test_delete_restore_run_over_rest(store, experiment_id):
    from runtime.entities import LifecycleStage, Metric
    from runtime.errors import InvalidState

    run_id = _run(store, experiment_id).info.run_id
    store.delete_run(run_id)
    assert store.get_run(run_id).info.lifecycle_stage == LifecycleStage.DELETED
    with pytest.raises(InvalidState, match="must be in the 'active' state"):
        store.log_metric(run_id, Metric("m", 1.0, 1, 0))
    store.restore_run(run_id)
    assert store.get_run(run_id).info.lifecycle_stage == LifecycleStage.ACTIVE


@pytest.mark.parametrize("call", ["get_deleted_runs", "get_deleted_experiments", "hard_delete_run",
                                  "hard_delete_experiment"])
def test_permanent_deletion_is_refused_with_a_pointer_to_gc(store, call):
    with pytest.raises(MlfError, match="mlf gc"):
        getattr(store, call)("0") if call.startswith("hard") else getattr(store, call)()
