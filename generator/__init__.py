"""Build-time tools: validate and compile the manifest, render docs, man page and completion.

Nothing here is imported at run time; the CLI reads only runtime/_manifest.json.
"""
