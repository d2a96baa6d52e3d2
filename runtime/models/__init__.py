"""MLflow Models: the model directory, loading behind one pyfunc interface, scoring and serving.

Nothing here is imported by `mlf --help`; heavy libraries (yaml, pandas, numpy, starlette)
are imported inside the functions that need them.
"""
