"""A plugin whose own import fails."""

import mlf_package_that_does_not_exist  # noqa: F401
