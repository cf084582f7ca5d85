"""Stand-in for the Spark provider's SparkSubmitOperator.

It takes the provider's arguments that spark-ssl's DAG may use, under the provider's names and
defaults, and refuses the others (files, py_files, keytab, ...: not modelled). Templated, as in the
provider: application, conf, jars, packages, name, application_args, env_vars, properties_file;
not templated: java_class, conn_id, the executor and driver sizes, deploy_mode, spark_binary.
"""
from __future__ import annotations

import inspect
from typing import Any, ClassVar, Sequence

from airflow.providers.apache.spark.hooks.spark_submit import SparkSubmitHook
from airflow.sdk import BaseOperator

# the operator passes these on to its hook under the same names and with the same defaults
_HOOK_ARGS = {name: p.default for name, p in inspect.signature(SparkSubmitHook.__init__).parameters.items()
              if name not in ("self", "conn_id", "name")}


class SparkSubmitOperator(BaseOperator):
    template_fields: ClassVar[Sequence[str]] = (
        "application", "conf", "jars", "packages", "name", "application_args", "env_vars", "properties_file",
    )

    def __init__(self, *, application: str = "", conn_id: str = "spark_default", name: str = "arrow-spark",
                 **kwargs: Any) -> None:
        super().__init__(**{k: v for k, v in kwargs.items() if k not in _HOOK_ARGS})
        self.application = application
        self.name = name
        self._conn_id = conn_id
        # templated arguments are public attributes, as in the provider; the others stay as given
        self._untemplated: dict[str, Any] = {}
        for arg, default in _HOOK_ARGS.items():
            value = kwargs.get(arg, default)
            if arg in self.template_fields:
                setattr(self, arg, value)
            else:
                self._untemplated[arg] = value
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
        templated = {arg: getattr(self, arg) for arg in _HOOK_ARGS if arg in self.template_fields}
        return SparkSubmitHook(conn_id=self._conn_id, name=self.name, **templated, **self._untemplated)
