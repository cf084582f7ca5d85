"""The Airflow stand-in itself: it renders and builds commands by the rules of Airflow 3 and the Spark
provider that the DAG test relies on (see airflow_standin's docstrings for what it leaves out)."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import unittest
from datetime import timedelta
from unittest import mock

import jinja2

from airflow.exceptions import AirflowException, ParamValidationError
from airflow.providers.apache.spark.hooks.spark_submit import SparkSubmitHook
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import DAG, Param
from dag_runner import logical_date


def connection(**conn) -> mock._patch:
    return mock.patch.dict(os.environ, {"AIRFLOW_CONN_SPARK_DEFAULT": json.dumps(conn)})


class RenderingTest(unittest.TestCase):
    def setUp(self) -> None:
        with DAG("d", params={"n": Param(3, type="integer", minimum=1)}, default_args={"retries": 2}) as self.dag:
            self.task = SparkSubmitOperator(
                task_id="t", application="{{ params.n }}.jar", java_class="{{ ds }}",
                conf={"k.{{ ds }}": "{{ ds_nodash }}", "n": 4}, application_args=["{{ logical_date.year }}", 5],
                retry_delay=timedelta(seconds=1))
        self.context = self.dag.template_context(logical_date("2026-11-29"), {"n": 7})

    def test_templated_fields_render_values_not_keys_and_leave_others_alone(self) -> None:
        r = self.task.render(self.context)
        self.assertEqual("7.jar", r.application)
        self.assertEqual({"k.{{ ds }}": "20261129", "n": 4}, r.conf)
        self.assertEqual(["2026", 5], r.application_args)
        self.assertEqual("{{ ds }}", r._untemplated["java_class"], "java_class is not a templated field")
        self.assertEqual("{{ params.n }}.jar", self.task.application, "rendering works on a copy")

    def test_unknown_names_are_errors(self) -> None:
        self.task.application = "{{ ts }}"
        with self.assertRaises(jinja2.UndefinedError):
            self.task.render(self.context)

    def test_default_args_fill_what_the_task_does_not_set(self) -> None:
        self.assertEqual(2, self.task.retries)
        self.assertEqual(timedelta(seconds=1), self.task.retry_delay)
        with self.assertRaises(TypeError):
            SparkSubmitOperator(task_id="u", dag=self.dag, files="a.txt")

    def test_params_are_checked_against_their_schema(self) -> None:
        for bad in [{"n": 0}, {"n": "7"}]:
            with self.assertRaises(ParamValidationError):
                self.dag.template_context(logical_date("2026-11-29"), bad)
        with self.assertRaises(ParamValidationError):
            DAG("e", params={"n": Param(0, type="integer", minimum=1)})


class HookCommandTest(unittest.TestCase):
    def test_master_from_the_connection(self) -> None:
        cases = [
            ({"conn_type": "spark", "host": "spark://m", "port": 7077}, "spark://m:7077"),
            ({"conn_type": "spark", "host": "m", "port": 7077}, "spark://m:7077"),
            ({"conn_type": "spark", "host": "spark://m1:7077,m2:7077"}, "spark://m1:7077,m2:7077"),
            ({"conn_type": "spark", "host": "yarn"}, "spark://yarn"),
            ({"conn_type": "spark", "host": "k8s://https://api:443"}, "k8s://https://api:443"),
        ]
        for conn, master in cases:
            with connection(**conn):
                self.assertEqual(master, SparkSubmitHook()._connection["master"], conn)
        with mock.patch.dict(os.environ, clear=True):
            self.assertEqual("yarn", SparkSubmitHook()._connection["master"], "no connection: yarn")

    def test_options_in_the_providers_order_falsy_ones_left_out(self) -> None:
        with connection(conn_type="spark", host="spark://m", port=7077,
                        extra={"deploy-mode": "client", "spark-binary": "spark3-submit"}):
            hook = SparkSubmitHook(
                conf={"a": "1", "b": "2"}, jars="x.jar", java_class="C", packages="g:a:1", total_executor_cores=4,
                executor_cores=2, executor_memory="2g", driver_memory="1g", name="n", num_executors=3,
                application_args=["p", "q"], verbose=True, properties_file="f.conf")
            self.assertEqual([
                "spark3-submit", "--master", "spark://m:7077", "--conf", "a=1", "--conf", "b=2",
                "--properties-file", "f.conf", "--jars", "x.jar", "--packages", "g:a:1", "--num-executors", "3",
                "--total-executor-cores", "4", "--executor-cores", "2", "--executor-memory", "2g",
                "--driver-memory", "1g", "--name", "n", "--class", "C", "--verbose", "--deploy-mode", "client",
                "app.jar", "p", "q",
            ], hook._build_spark_submit_command("app.jar"))
            self.assertEqual(["spark3-submit", "--master", "spark://m:7077", "--deploy-mode", "client", "app.jar"],
                             SparkSubmitHook(executor_cores=0, name="", jars="")._build_spark_submit_command("app.jar"))

    def test_connection_extras_are_checked(self) -> None:
        with connection(conn_type="spark", host="m", extra={"spark-binary": "/bin/sh"}), self.assertRaises(ValueError):
            SparkSubmitHook()
        with connection(conn_type="spark", host="m", extra={"spark-home": "/opt/spark"}), self.assertRaises(ValueError):
            SparkSubmitHook()

    def probe(self, exit_code: str) -> str:
        """A stand-in spark-submit: writes its arguments and SPARK_SSL_PROBE to a file, exits with exit_code."""
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        script = os.path.join(folder, "probe")
        with open(script, "w") as f:
            f.write(f'#!/bin/sh\nprintf "%s\\n" "$SPARK_SSL_PROBE" "$@" > {folder}/seen\nexit {exit_code}\n')
        os.chmod(script, 0o755)
        return script

    def test_submit_runs_the_command_with_env_vars_in_client_mode(self) -> None:
        probe = self.probe("0")
        with connection(conn_type="spark", host="spark://m", port=7077, extra={"deploy-mode": "client"}):
            hook = SparkSubmitHook(env_vars={"SPARK_SSL_PROBE": "seen"}, spark_binary=probe, application_args=["a b"])
            hook.submit("app.jar")
        with open(os.path.join(os.path.dirname(probe), "seen")) as f:
            self.assertEqual(["seen"] + hook.submitted_command[1:], f.read().splitlines())

    def test_env_vars_are_refused_in_standalone_cluster_mode(self) -> None:
        with connection(conn_type="spark", host="spark://m", port=7077, extra={"deploy-mode": "cluster"}):
            with self.assertRaises(AirflowException):
                SparkSubmitHook(env_vars={"A": "1"})._build_spark_submit_command("app.jar")

    def test_a_failing_spark_submit_fails_the_task(self) -> None:
        with connection(conn_type="spark", host="spark://m", port=7077):
            with self.assertRaisesRegex(AirflowException, "Error code is: 3"):
                SparkSubmitHook(spark_binary=self.probe("3")).submit("app.jar")


if __name__ == "__main__":
    unittest.main()
