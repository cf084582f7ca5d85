"""Stand-in for the Spark provider's SparkSubmitOperator.

It takes the provider's arguments that spark-ssl's DAG may use, under the provider's names and
defaults, and refuses the others (files, py_files, keytab, ...: not modelled). Templated, as in the
provider: application, conf, jars, packages, name, application_args, env_vars, properties_file;
not templated: java_class, conn_id, the executor and driver sizes, deploy_mode, spark_binary.
"""
from __future__ import annotations

from typing import Any, ClassVar, Sequence

from airflow.providers.apache.spark.hooks.spark_submit import SparkSubmitHook
from airflow.sdk import BaseOperator


class SparkSubmitOperator(BaseOperator):
    template_fields: ClassVar[Sequence[str]] = (
        "application", "conf", "jars", "packages", "name", "application_args", "env_vars", "properties_file",
    )

    def __init__(
        self,
        *,
        application: str = "",
        conf: dict[Any, Any] | None = None,
        conn_id: str = "spark_default",
        jars: str | None = None,
        java_class: str | None = None,
        packages: str | None = None,
        total_executor_cores: int | None = None,
        executor_cores: int | None = None,
        executor_memory: str | None = None,
        driver_memory: str | None = None,
        name: str = "arrow-spark",
        num_executors: int | None = None,
        application_args: list[Any] | None = None,
        env_vars: dict[str, Any] | None = None,
        verbose: bool = False,
        spark_binary: str | None = None,
        properties_file: str | None = None,
        deploy_mode: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.application = application
        self.conf = conf
        self.jars = jars
        self._java_class = java_class
        self.packages = packages
        self._total_executor_cores = total_executor_cores
        self._executor_cores = executor_cores
        self._executor_memory = executor_memory
        self._driver_memory = driver_memory
        self.name = name
        self._num_executors = num_executors
        self.application_args = application_args
        self.env_vars = env_vars
        self._verbose = verbose
        self._spark_binary = spark_binary
        self.properties_file = properties_file
        self._deploy_mode = deploy_mode
        self._conn_id = conn_id
        self._hook: SparkSubmitHook | None = None

    def execute(self, context: dict[str, Any]) -> None:
        self.conf = self.conf or {}
        if self._hook is None:
            self._hook = self._get_hook()
        if self._hook._should_track_driver_status:
            raise NotImplementedError("cluster deploy mode on a standalone master: the provider then tracks the "
                                      "driver through the master's REST API, which the stand-in does not model")
        self._hook.submit(self.application)

    def _get_hook(self) -> SparkSubmitHook:
        return SparkSubmitHook(
            conf=self.conf,
            conn_id=self._conn_id,
            jars=self.jars,
            java_class=self._java_class,
            packages=self.packages,
            total_executor_cores=self._total_executor_cores,
            executor_cores=self._executor_cores,
            executor_memory=self._executor_memory,
            driver_memory=self._driver_memory,
            name=self.name,
            num_executors=self._num_executors,
            application_args=self.application_args,
            env_vars=self.env_vars,
            verbose=self._verbose,
            spark_binary=self._spark_binary,
            properties_file=self.properties_file,
            deploy_mode=self._deploy_mode,
        )
