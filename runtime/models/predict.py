"""`models predict` inside the current interpreter: read input, score, write predictions."""

import os
import sys

from runtime.errors import InvalidParameter
from runtime.fsutil import atomic_write

CONTENT_TYPES = ("json", "csv")


def validate_content_type(content_type):
    if content_type not in CONTENT_TYPES:
        raise InvalidParameter(f"Invalid content type {content_type!r}: expected one of {', '.join(CONTENT_TYPES)}")
    return content_type


def predict_local(model_path, input_path=None, output_path=None, content_type="json", stdin=None, stdout=None):
    """Score the input file (or stdin) with the model at model_path; write JSON predictions."""
    from runtime.models.pyfunc import load_local
    from runtime.models.scoring import parse_csv_input, parse_json_input, predictions_to_json, run_prediction

    validate_content_type(content_type)
    model = load_local(model_path)
    if input_path is None:
        text = (stdin or sys.stdin).read()
    else:
        if not os.path.isfile(input_path):
            raise InvalidParameter(f"Input file {input_path} does not exist")
        with open(input_path, encoding="utf-8") as handle:
            text = handle.read()
    if content_type == "json":
        data, params = parse_json_input(text)
    else:
        data, params = parse_csv_input(text, model.input_schema), None
    output = predictions_to_json(run_prediction(model, data, params))
    if output_path is None:
        out = stdout or sys.stdout
        out.write(output)
        out.write("\n")
        out.flush()
    else:
        atomic_write(output_path, output)
