"""Runs a DAG file's tasks in-process against the Airflow stand-in, as ``airflow dags test DAG_ID DATE``
runs them: in dependency order, each rendered for the logical date, each executed once (no retries),
stopping at the first failure.

    PYTHONPATH=deploy/src/test/python/airflow_standin:deploy/src/test/python \\
      python3 deploy/src/test/python/dag_runner.py DAG_FILE YYYY-MM-DD [--conf JSON] [--task ID]... [--record FILE]

--conf overrides DAG params (as a trigger's conf does); --task limits the run to those tasks;
--record writes the command every task submitted, as JSON {task_id: [argv...]}.
"""
from __future__ import annotations

import argparse
import json
import runpy
import sys
from datetime import datetime, timezone
from pathlib import Path

from airflow.sdk import DAG


def load_dag(path: Path) -> DAG:
    """The one DAG a DAG file defines (at module level, as Airflow finds it)."""
    dags = [v for v in runpy.run_path(str(path)).values() if isinstance(v, DAG)]
    if len(dags) != 1:
        raise ValueError(f"{path}: expected one DAG, found {len(dags)}")
    return dags[0]


def logical_date(day: str) -> datetime:
    return datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=timezone.utc)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dag_file", type=Path)
    parser.add_argument("logical_date", type=logical_date)
    parser.add_argument("--conf", type=json.loads, default={})
    parser.add_argument("--task", action="append", dest="tasks")
    parser.add_argument("--record", type=Path)
    args = parser.parse_args(argv)

    dag = load_dag(args.dag_file)
    context = dag.template_context(args.logical_date, args.conf)
    submitted: dict[str, list[str]] = {}
    try:
        for task in dag.topological_order():
            if args.tasks and task.task_id not in args.tasks:
                continue
            print(f"--- {dag.dag_id}.{task.task_id} for {context['ds']}", flush=True)
            rendered = task.render(context)
            try:
                rendered.execute(context)
            finally:
                hook = getattr(rendered, "_hook", None)
                if hook is not None and hook.submitted_command is not None:
                    submitted[task.task_id] = hook.submitted_command
    except Exception as e:  # the task's failure, reported as Airflow's log would
        print(f"--- task failed: {type(e).__name__}: {e}", flush=True)
        return 1
    finally:
        if args.record:
            args.record.write_text(json.dumps(submitted, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
