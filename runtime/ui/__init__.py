"""The tracking web UI served by `mlf server`: server-rendered pages over the stores, small JS on top."""
