"""Entry point mlf runs inside a model's environment (virtualenv, uv, conda).

Not a user command: `python -m runtime.models.child predict|serve ...`, started by launch.py
with the environment's interpreter. Errors print one line and exit 1, as the CLI does.
"""

import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m runtime.models.child")
    commands = parser.add_subparsers(dest="command", required=True)
    predict = commands.add_parser("predict")
    predict.add_argument("--model-path", required=True)
    predict.add_argument("--input-path")
    predict.add_argument("--output-path")
    predict.add_argument("--content-type", default="json")
    serve = commands.add_parser("serve")
    serve.add_argument("--model-path", required=True)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--workers")
    serve.add_argument("--timeout", type=int, default=60)
    serve.add_argument("--enable-mlserver", action="store_true")
    commands.add_parser("check")
    args = parser.parse_args(argv)

    from runtime.errors import MlfError

    try:
        if args.command == "predict":
            from runtime.models.predict import predict_local

            predict_local(args.model_path, args.input_path, args.output_path, args.content_type)
        elif args.command == "serve":
            from runtime.models.server import serve as run_server

            run_server(args.model_path, args.host, args.port, args.workers, args.timeout, args.enable_mlserver)
        else:
            import runtime.models.scoring  # noqa: F401  (the environment can import mlf's scoring code)
    except MlfError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - one line, as the CLI prints it
        import os

        if os.environ.get("MLF_DEBUG"):
            raise
        print(f"Error: unexpected {type(exc).__name__}: {exc} (set MLF_DEBUG=1 for a traceback)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
