"""MLflow search syntax: filter/order_by parsing (filter), in-memory evaluation (evaluate), paging."""
