"""Stand-in for the Spark provider's SparkSubmitHook: the master from a connection, the spark-submit
command line in the provider's order, and the process run as the hook runs it.

Modelled (apache-airflow-providers-apache-spark 6.x):
- connection lookup from ``AIRFLOW_CONN_<CONN_ID>`` holding Airflow's JSON form
  (``{"conn_type": "spark", "host": ..., "port": ..., "extra": {...}}``); no connection means master
  ``yarn``, as in the provider;
- master: for a ``spark`` connection whose host holds ``://``, the host as is, else
  ``conn_type://host``; then ``:port`` when a port is set;
- extras ``deploy-mode``, ``spark-binary`` (spark-submit, spark2-submit or spark3-submit), ``queue``,
  ``namespace``; the refused ``spark-home`` extra;
- option order ``--master``, ``--conf k=v`` per conf entry (env_vars as conf on YARN/Kubernetes),
  ``--properties-file``, ``--jars``, ``--packages``, ``--num-executors``, ``--total-executor-cores``,
  ``--executor-cores``, ``--executor-memory``, ``--driver-memory``, ``--name``, ``--class``,
  ``--verbose``, ``--queue``, ``--deploy-mode``, the application, its arguments; falsy values left out;
- env_vars: added to spark-submit's environment in client mode, an error on a standalone
  cluster in cluster mode;
- submit: the command run with stdout and stderr merged and logged; a non-zero exit fails the task.

Not modelled: connection URIs and the metadata database, Kerberos, files/py-files/archives and the
other arguments the DAG does not use (refused by the operator), driver status tracking for cluster
deploy mode (refused), YARN and Kubernetes application tracking, on_kill.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

from airflow.exceptions import AirflowException

DEFAULT_SPARK_BINARY = "spark-submit"
ALLOWED_SPARK_BINARIES = [DEFAULT_SPARK_BINARY, "spark2-submit", "spark3-submit"]
_SECRET_KEY = re.compile(r"(?i)secret|password")


class Connection:
    """An Airflow connection in its JSON form."""

    def __init__(self, conn_type: str, host: str | None = None, port: int | None = None,
                 extra: dict[str, Any] | str | None = None, **_ignored: Any) -> None:
        self.conn_type = conn_type
        self.host = host
        self.port = port
        self.extra_dejson = json.loads(extra) if isinstance(extra, str) else dict(extra or {})


def get_connection(conn_id: str) -> Connection | None:
    """The connection ``conn_id`` from its environment variable, as Airflow's env-var secrets backend reads it."""
    value = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if value is None:
        return None
    if not value.lstrip().startswith("{"):
        raise NotImplementedError(f"AIRFLOW_CONN_{conn_id.upper()}: the stand-in reads connections in JSON form only")
    return Connection(**json.loads(value))


class SparkSubmitHook:
    def __init__(
        self,
        conf: dict[str, Any] | None = None,
        conn_id: str = "spark_default",
        jars: str | None = None,
        java_class: str | None = None,
        packages: str | None = None,
        total_executor_cores: int | None = None,
        executor_cores: int | None = None,
        executor_memory: str | None = None,
        driver_memory: str | None = None,
        name: str = "default-name",
        num_executors: int | None = None,
        application_args: list[Any] | None = None,
        env_vars: dict[str, Any] | None = None,
        verbose: bool = False,
        spark_binary: str | None = None,
        properties_file: str | None = None,
        deploy_mode: str | None = None,
    ) -> None:
        self._conf = conf or {}
        self._conn_id = conn_id
        self._jars = jars
        self._java_class = java_class
        self._packages = packages
        self._total_executor_cores = total_executor_cores
        self._executor_cores = executor_cores
        self._executor_memory = executor_memory
        self._driver_memory = driver_memory
        self._name = name
        self._num_executors = num_executors
        self._application_args = application_args
        self._env_vars = env_vars
        self._verbose = verbose
        self.spark_binary = spark_binary
        self._properties_file = properties_file
        self._deploy_mode = deploy_mode
        self._env: dict[str, Any] | None = None
        self._connection = self._resolve_connection()
        self._is_yarn = "yarn" in self._connection["master"]
        self._is_kubernetes = "k8s" in self._connection["master"]
        self._should_track_driver_status = ("spark://" in self._connection["master"]
                                            and self._connection["deploy_mode"] == "cluster")
        # what submit() ran, for the test that runs the DAG
        self.submitted_command: list[str] | None = None

    def _resolve_connection(self) -> dict[str, Any]:
        conn_data: dict[str, Any] = {
            "master": "yarn",
            "queue": None,
            "deploy_mode": None,
            "spark_binary": self.spark_binary or DEFAULT_SPARK_BINARY,
            "namespace": None,
        }
        conn = get_connection(self._conn_id)
        if conn is None:
            print(f"Could not load connection string {self._conn_id}, defaulting to {conn_data['master']}")
        else:
            if conn.conn_type == "spark" and conn.host and "://" in conn.host:
                master = conn.host
            else:
                master = f"{conn.conn_type}://{conn.host or ''}"
            conn_data["master"] = f"{master}:{conn.port}" if conn.port else master
            extra = conn.extra_dejson
            conn_data["queue"] = extra.get("queue")
            conn_data["deploy_mode"] = self._deploy_mode or extra.get("deploy-mode")
            if not self.spark_binary:
                self.spark_binary = extra.get("spark-binary", DEFAULT_SPARK_BINARY)
                if self.spark_binary not in ALLOWED_SPARK_BINARIES:
                    raise ValueError(f"The spark-binary extra can be one of {ALLOWED_SPARK_BINARIES} and it "
                                     f"was `{self.spark_binary}`.")
            if extra.get("spark-home"):
                raise ValueError("The `spark-home` extra is not allowed any more.")
            conn_data["spark_binary"] = self.spark_binary
            conn_data["namespace"] = extra.get("namespace")
        if "spark.kubernetes.namespace" in self._conf:
            conn_data["namespace"] = self._conf["spark.kubernetes.namespace"]
        return conn_data

    def _build_spark_submit_command(self, application: str) -> list[str]:
        cmd = [self._connection["spark_binary"], "--master", self._connection["master"]]
        for key in self._conf:
            cmd += ["--conf", f"{key}={self._conf[key]}"]
        if self._env_vars and (self._is_kubernetes or self._is_yarn):
            template = "spark.yarn.appMasterEnv.{}={}" if self._is_yarn else "spark.kubernetes.driverEnv.{}={}"
            if self._is_yarn:
                self._env = self._env_vars
            for key in self._env_vars:
                cmd += ["--conf", template.format(key, str(self._env_vars[key]))]
        elif self._env_vars and self._connection["deploy_mode"] != "cluster":
            self._env = self._env_vars
        elif self._env_vars and self._connection["deploy_mode"] == "cluster":
            raise AirflowException("SparkSubmitHook env_vars is not supported in standalone-cluster mode.")
        if self._is_kubernetes and self._connection["namespace"]:
            cmd += ["--conf", f"spark.kubernetes.namespace={self._connection['namespace']}"]
        for flag, value in [
            ("--properties-file", self._properties_file),
            ("--jars", self._jars),
            ("--packages", self._packages),
            ("--num-executors", self._num_executors),
            ("--total-executor-cores", self._total_executor_cores),
            ("--executor-cores", self._executor_cores),
            ("--executor-memory", self._executor_memory),
            ("--driver-memory", self._driver_memory),
            ("--name", self._name),
            ("--class", self._java_class),
        ]:
            if value:
                cmd += [flag, str(value)]
        if self._verbose:
            cmd += ["--verbose"]
        if self._connection["queue"]:
            cmd += ["--queue", self._connection["queue"]]
        if self._connection["deploy_mode"]:
            cmd += ["--deploy-mode", self._connection["deploy_mode"]]
        cmd += [application]
        if self._application_args:
            cmd += self._application_args
        return cmd

    @staticmethod
    def _mask(cmd: list[str]) -> str:
        return " ".join(re.sub(r"=.*", "=******", a) if _SECRET_KEY.search(a.split("=")[0]) else a for a in cmd)

    def submit(self, application: str = "") -> None:
        """Runs spark-submit for ``application``; a non-zero exit is an AirflowException."""
        cmd = self._build_spark_submit_command(application)
        self.submitted_command = cmd
        print("Spark-Submit cmd: " + self._mask(cmd), flush=True)
        env = {**os.environ, **{k: str(v) for k, v in self._env.items()}} if self._env else None
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=-1,
                              universal_newlines=True, env=env) as proc:
            for line in proc.stdout:
                sys.stdout.write(line)
            returncode = proc.wait()
        if returncode:
            raise AirflowException(f"Cannot execute: {self._mask(cmd)}. Error code is: {returncode}.")
