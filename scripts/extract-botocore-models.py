#!/usr/bin/env python3
"""Extracts, from the botocore installed with this machine's Python, the AWS service-model facts
the tests check the project against (the emulator and the tests read only the committed JSON, never botocore):

- local/sagemaker/botocore-model.json: the input and output shapes of
  Create/Describe/List/Stop/DeleteOptimizationJob and the input shapes of DescribeModel and
  ListModels, every shape they reach, trimmed to what validation needs (members, required,
  enum, min, max, pattern, union), with the operations' modeled errors. The SageMaker emulator
  validates its requests against it (local/sagemaker/shape-validator.ts), and the conformance
  test compares the emulator with it. What a newer model has and this botocore lacks is added
  by hand in local/sagemaker/api-model.ts, not here: this file stays botocore's own.
- test/fixtures/botocore/modeled-errors.json: the error shapes each service the state machine
  calls models (SageMaker, EventBridge, Step Functions, Lambda), which decide Step Functions'
  error names (docs/state-machine.md, "Error names").

Run: python3 scripts/extract-botocore-models.py   (exits 1, changing nothing, without botocore)
"""
import json
import os
import sys

try:
    import botocore
    from botocore.loaders import Loader
except ImportError:
    sys.exit("botocore is not installed for this python3; the committed extracts stay as they are")

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
OUT = os.path.join(ROOT, "test", "fixtures", "botocore")
SAGEMAKER_MODEL = os.path.join(ROOT, "local", "sagemaker", "botocore-model.json")
# The operations the emulator serves, and which of their shapes it needs: the optimization-job
# operations' outputs are checked by the conformance test; the model operations' are not.
OPERATIONS = {
    "CreateOptimizationJob": ("input", "output"),
    "DescribeOptimizationJob": ("input", "output"),
    "ListOptimizationJobs": ("input", "output"),
    "StopOptimizationJob": ("input", "output"),
    "DeleteOptimizationJob": ("input", "output"),
    "DescribeModel": ("input",),
    "ListModels": ("input",),
}
# Services of the state machine's Tasks, by botocore's name for them.
ERROR_SERVICES = ["sagemaker", "events", "stepfunctions", "lambda"]
KEPT = ["type", "required", "enum", "min", "max", "pattern", "union", "exception"]

loader = Loader()


def load(service):
    return loader.load_service_model(service, "service-2")


def trim(shape):
    out = {key: shape[key] for key in KEPT if key in shape}
    if "members" in shape:
        out["members"] = {name: {"shape": m["shape"]} for name, m in shape["members"].items()}
    for ref in ("member", "key", "value"):
        if ref in shape:
            out[ref] = {"shape": shape[ref]["shape"]}
    return out


def reachable(shapes, roots):
    seen = {}
    todo = list(roots)
    while todo:
        name = todo.pop(0)
        if name in seen:
            continue
        shape = shapes[name]
        seen[name] = trim(shape)
        todo += [m["shape"] for m in shape.get("members", {}).values()]
        todo += [shape[ref]["shape"] for ref in ("member", "key", "value") if ref in shape]
    return dict(sorted(seen.items()))


def source(service, model):
    return f"botocore {botocore.__version__}: botocore/data/{service}/{model['metadata']['apiVersion']}/service-2.json"


def write(path, data):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    model = load("sagemaker")
    operations = {}
    roots = []
    for name, parts in OPERATIONS.items():
        op = model["operations"][name]
        entry = {"errors": [e["shape"] for e in op.get("errors", [])]}
        for part in parts:
            if part in op:
                entry[part] = op[part]["shape"]
                roots.append(op[part]["shape"])
        operations[name] = entry
    write(
        SAGEMAKER_MODEL,
        {
            "source": source("sagemaker", model),
            "generatedBy": "scripts/extract-botocore-models.py",
            "botocoreVersion": botocore.__version__,
            "metadata": {k: model["metadata"][k] for k in ("apiVersion", "protocol", "serviceId", "targetPrefix")},
            "operations": operations,
            "shapes": reachable(model["shapes"], roots),
        },
    )
    services = {}
    for service in ERROR_SERVICES:
        m = load(service)
        services[service] = {
            "source": source(service, m),
            "serviceId": m["metadata"]["serviceId"],
            "errors": sorted(n for n, s in m["shapes"].items() if s.get("exception")),
        }
    write(
        os.path.join(OUT, "modeled-errors.json"),
        {
            "generatedBy": "scripts/extract-botocore-models.py",
            "botocoreVersion": botocore.__version__,
            "services": services,
        },
    )
    print(f"wrote {SAGEMAKER_MODEL} and {OUT} from botocore {botocore.__version__}")


main()
