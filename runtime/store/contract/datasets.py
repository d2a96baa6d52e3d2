"""The GenAI evaluation dataset contract: named sets of records (inputs, outputs,
expectations) linked to experiments, as mlflow's SQL tracking store keeps them.

Only SQL backends implement it; mlflow's file store refuses these calls with
FEATURE_DISABLED and so does mlf's (runtime.store.contract.sql_only). Datasets travel as
wire-shaped dicts (``tags`` a JSON string, times in ms); records as the dicts
mlflow's ``GetDatasetRecords`` serialises.

Semantics follow mlflow: ids are ``d-<hex>`` and ``dr-<hex>``; the digest is the
first 8 hex digits of sha256("<name>:<last_update_time>"); records are keyed by
the sha256 of their JSON-sorted inputs, so upserting the same inputs merges
outputs (replaced), expectations and tags (updated) into the existing record;
deleting a missing dataset or tag is a no-op.
"""

from abc import ABC, abstractmethod


DATASET_ID_PREFIX = "d-"
RECORD_ID_PREFIX = "dr-"
DEFAULT_RECORDS_PAGE = 1000
DEFAULT_SEARCH_RESULTS = 1000


class EvaluationDatasetStore(ABC):
    @abstractmethod
    def create_dataset(self, name, tags=None, experiment_ids=None):
        """A new dataset (wire dict, experiment_ids included)."""

    @abstractmethod
    def get_dataset(self, dataset_id):
        """The dataset; NotFound when missing."""

    @abstractmethod
    def delete_dataset(self, dataset_id):
        """Delete it, its records, tags and experiment links; a missing dataset is a no-op."""

    @abstractmethod
    def search_datasets(self, experiment_ids=None, filter_string=None, max_results=None, order_by=None,
                        page_token=None):
        """A PagedList of datasets."""

    @abstractmethod
    def set_dataset_tags(self, dataset_id, tags):
        """Merge tags (a None value is skipped); NotFound when the dataset is missing."""

    @abstractmethod
    def delete_dataset_tag(self, dataset_id, key):
        """Remove one tag; a no-op when either is missing."""

    @abstractmethod
    def upsert_dataset_records(self, dataset_id, records):
        """Insert or merge records; returns (inserted, updated)."""

    @abstractmethod
    def get_dataset_records(self, dataset_id, max_results=None, page_token=None):
        """(records, next_page_token), oldest first."""

    @abstractmethod
    def delete_dataset_records(self, dataset_id, record_ids):
        """The number of records deleted."""

    @abstractmethod
    def get_dataset_experiment_ids(self, dataset_id):
        """The experiment ids the dataset is linked to."""

    @abstractmethod
    def add_dataset_to_experiments(self, dataset_id, experiment_ids):
        """Link it to more experiments (each must exist); returns the dataset."""

    @abstractmethod
    def remove_dataset_from_experiments(self, dataset_id, experiment_ids):
        """Unlink it (unknown links are ignored); returns the dataset."""
