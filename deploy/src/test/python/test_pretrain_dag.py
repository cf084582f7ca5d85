"""deploy/airflow/spark_ssl_pretrain.py, loaded against the Airflow stand-in: its structure, its
templates rendered for a logical date, and the spark-submit commands the Spark hook builds from them."""
from __future__ import annotations

import ast
import json
import os
import re
import unittest
from pathlib import Path
from unittest import mock

from airflow.exceptions import ParamValidationError
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from dag_runner import load_dag, logical_date

DAG_FILE = Path(__file__).resolve().parents[4] / "deploy/airflow/spark_ssl_pretrain.py"
SECRET = re.compile(r"(?i)secret|password|passwd|token|credential|access[._-]?key|session[._-]?key|aws_")
CONNECTION = {"conn_type": "spark", "host": "spark://spark-master.example", "port": 7077,
              "extra": {"deploy-mode": "client"}}


def arg_after(args: list[str], flag: str) -> str:
    return args[args.index(flag) + 1]


class PretrainDagTest(unittest.TestCase):
    def setUp(self) -> None:
        self.dag = load_dag(DAG_FILE)

    def rendered(self, task_id: str, day: str = "2026-11-29", conf: dict | None = None) -> SparkSubmitOperator:
        return self.dag.task_dict[task_id].render(self.dag.template_context(logical_date(day), conf))

    def command(self, task_id: str, day: str = "2026-11-29", conf: dict | None = None) -> list[str]:
        task = self.rendered(task_id, day, conf)
        with mock.patch.dict(os.environ, {"AIRFLOW_CONN_SPARK_DEFAULT": json.dumps(CONNECTION)}):
            return task._get_hook()._build_spark_submit_command(task.application)

    def test_train_then_eval_then_embed_as_spark_submit_tasks(self) -> None:
        self.assertEqual("spark_ssl_pretrain", self.dag.dag_id)
        self.assertEqual(["train", "eval", "embed"], [t.task_id for t in self.dag.topological_order()])
        self.assertEqual({"train": set(), "eval": {"train"}, "embed": {"eval"}},
                         {t.task_id: t.upstream_task_ids for t in self.dag.tasks})
        self.assertEqual({"train": {"eval"}, "eval": {"embed"}, "embed": set()},
                         {t.task_id: t.downstream_task_ids for t in self.dag.tasks})
        for t in self.dag.tasks:
            self.assertIsInstance(t, SparkSubmitOperator)
            self.assertEqual("sparkssl.job.Main", t._untemplated["java_class"])
            self.assertEqual("spark_default", t._conn_id)
            self.assertEqual(t.task_id, self.rendered(t.task_id).application_args[0], "the command is the task's name")

    def test_retries_continue_the_run_instead_of_restarting_it(self) -> None:
        for t in self.dag.tasks:
            self.assertGreaterEqual(t.retries, 1, t.task_id)
            self.assertIsNotNone(t.execution_timeout, t.task_id)
        train = self.rendered("train").application_args
        self.assertIn("--resume", train, "a retry continues from the newest checkpoint")
        self.assertIn("--overwrite", self.rendered("embed").application_args,
                      "a retry replaces what an earlier try wrote")
        self.assertEqual(1, self.dag.max_active_runs)

    def test_run_directory_comes_from_the_logical_date(self) -> None:
        for day, stamp in [("2026-11-29", "20261129"), ("2027-01-03", "20270103")]:
            run_dir = "s3a://ml-runs/spark-ssl/" + stamp
            self.assertEqual(run_dir, arg_after(self.rendered("train", day).application_args, "--run-dir"))
            self.assertEqual(run_dir + "/model.zip", arg_after(self.rendered("eval", day).application_args, "--model"))
            embed = self.rendered("embed", day).application_args
            self.assertEqual(run_dir + "/model.zip", arg_after(embed, "--model"))
            self.assertEqual(f"s3a://ml-features/spark-ssl-embeddings/dt={day}", arg_after(embed, "--out"))
            self.assertEqual(f"spark-ssl-train-{stamp}", self.rendered("train", day).name)

    def test_params_have_defaults_and_a_run_conf_overrides_them(self) -> None:
        train = self.rendered("train", conf={"epochs": 2, "corpus": "hdfs:///images", "run_root": "file:///runs",
                                             "executor_memory": "2g"})
        self.assertEqual("2", arg_after(train.application_args, "--epochs"))
        self.assertEqual("hdfs:///images", arg_after(train.application_args, "--corpus"))
        self.assertEqual("file:///runs/20261129", arg_after(train.application_args, "--run-dir"))
        self.assertEqual("64", arg_after(train.application_args, "--batch-size"))
        self.assertEqual("2g", train.conf["spark.executor.memory"])
        self.assertEqual("4g", train.conf["spark.driver.memory"])
        self.assertEqual("byol", arg_after(self.rendered("train", conf={"method": "byol"}).application_args, "--method"))
        for bad in [{"method": "moco"}, {"epochs": 0}, {"epochs": "2"}, {"batch_size": 1}, {"executor_memory": "lots"}, {"epoch": 2}]:
            with self.assertRaises(ParamValidationError, msg=str(bad)):
                self.rendered("train", conf=bad)

    def test_holds_no_credentials(self) -> None:
        source = DAG_FILE.read_text()
        tree = ast.parse(source)
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef)) and ast.get_docstring(n) is not None}
        literals = [n.value for n in ast.walk(tree)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]
        self.assertEqual([], [s for s in literals if SECRET.search(s)])
        self.assertIsNone(re.search(r"AKIA[0-9A-Z]{16}|-----BEGIN", source))
        for t in self.dag.tasks:
            self.assertIsNone(t.env_vars, t.task_id)
            self.assertEqual([], [a for a in self.command(t.task_id) if SECRET.search(a)], t.task_id)

    def test_every_template_is_rendered(self) -> None:
        for t in self.dag.tasks:
            self.assertNotIn("{{", " ".join(self.command(t.task_id)), t.task_id)

    def test_train_command_is_the_one_the_hook_builds(self) -> None:
        self.assertEqual([
            "spark-submit", "--master", "spark://spark-master.example:7077",
            "--conf", "spark.executor.memory=8g", "--conf", "spark.executor.cores=1",
            "--conf", "spark.driver.memory=4g",
            "--name", "spark-ssl-train-20261129", "--class", "sparkssl.job.Main", "--deploy-mode", "client",
            "/opt/spark-ssl/spark-ssl-job.jar",
            "train", "--corpus", "s3a://datasets/images/unlabeled/",
            "--eval-train", "s3a://datasets/images/labeled/train/", "--eval-test", "s3a://datasets/images/labeled/test/",
            "--run-dir", "s3a://ml-runs/spark-ssl/20261129", "--resume", "--method", "simclr",
            "--epochs", "10", "--batch-size", "64", "--averaging-frequency", "4", "--workers", "0",
        ], self.command("train"))


if __name__ == "__main__":
    unittest.main()
