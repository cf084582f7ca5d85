"""Stand-in for ``airflow.sdk`` (Airflow 3's task SDK): DAG, Param and BaseOperator.

What is modelled, as Airflow 3 does it:
- ``with DAG(...)`` collects the operators created inside it; ``a >> b`` / ``a << b`` (also with lists)
  record dependencies; a task_id used twice is an error.
- ``default_args`` fill the BaseOperator arguments a task does not set itself.
- ``Param(default, **json_schema)``: defaults are validated when the DAG is built, run values
  (defaults overridden by a run's conf) with ``jsonschema`` as Airflow does.
- Templated fields (an operator's ``template_fields``) are rendered on a copy of the task with a
  sandboxed Jinja2 environment, ``StrictUndefined`` (an unknown name is an error), strings rendered,
  lists/tuples/sets element by element, dict values (not keys), anything else left as is.
- The template context holds ``ds``, ``ds_nodash``, ``logical_date`` and ``params`` only, so a DAG that
  needs more of Airflow's context fails here rather than passing unchecked.

Not modelled: scheduling and catchup, the metadata database, connections other than environment
variables (see the Spark hook), XCom, executors, pools, task groups, callbacks, trigger rules,
``render_template_as_native_obj``, ``default_args`` for operator-specific arguments (refused).
"""
from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any, ClassVar, Sequence

import jinja2
import jinja2.sandbox
import jsonschema

from airflow.exceptions import DuplicateTaskIdFound, ParamValidationError

__all__ = ["DAG", "Param", "BaseOperator"]


class _NotSet:
    def __repr__(self) -> str:
        return "NOTSET"


NOTSET: Any = _NotSet()


class Param:
    """A DAG param: a default and a JSON schema (every keyword but ``description`` is schema)."""

    def __init__(self, default: Any = NOTSET, description: str | None = None, **schema: Any) -> None:
        self.value = default
        self.description = description
        self.schema = schema.pop("schema") if "schema" in schema else schema

    def resolve(self, value: Any = NOTSET) -> Any:
        """The value to use: ``value`` if given, else the default; checked against the schema."""
        final = self.value if value is NOTSET else value
        if final is NOTSET:
            raise ParamValidationError("No value passed and Param has no default value")
        try:
            jsonschema.validate(final, self.schema, format_checker=jsonschema.FormatChecker())
        except jsonschema.ValidationError as e:
            raise ParamValidationError(f"Invalid input for param: {e.message}") from None
        return final


class DAG:
    """A DAG: its tasks, params and defaults. Use it as a context manager, as in Airflow."""

    _active: ClassVar[list[DAG]] = []

    def __init__(
        self,
        dag_id: str,
        *,
        description: str | None = None,
        schedule: Any = None,
        start_date: datetime | None = None,
        end_date: datetime | None = None,
        catchup: bool = False,
        default_args: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        max_active_runs: int = 16,
        max_active_tasks: int = 16,
        dagrun_timeout: timedelta | None = None,
        doc_md: str | None = None,
        tags: Sequence[str] | None = None,
        is_paused_upon_creation: bool | None = None,
        render_template_as_native_obj: bool = False,
    ) -> None:
        if render_template_as_native_obj:
            raise NotImplementedError("the stand-in renders templates to strings only")
        self.dag_id = dag_id
        self.description = description
        self.schedule = schedule
        self.start_date = start_date
        self.end_date = end_date
        self.catchup = catchup
        self.default_args = dict(default_args or {})
        self.params = {k: v if isinstance(v, Param) else Param(v) for k, v in (params or {}).items()}
        self.max_active_runs = max_active_runs
        self.max_active_tasks = max_active_tasks
        self.dagrun_timeout = dagrun_timeout
        self.doc_md = doc_md
        self.tags = list(tags or [])
        self.is_paused_upon_creation = is_paused_upon_creation
        self.task_dict: dict[str, BaseOperator] = {}
        # Airflow refuses a DAG file whose param defaults break their own schema
        for p in self.params.values():
            if p.value is not NOTSET:
                p.resolve()

    def __enter__(self) -> DAG:
        DAG._active.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        DAG._active.pop()

    @classmethod
    def current(cls) -> DAG | None:
        return cls._active[-1] if cls._active else None

    @property
    def tasks(self) -> list[BaseOperator]:
        return list(self.task_dict.values())

    def add_task(self, task: BaseOperator) -> None:
        if task.task_id in self.task_dict:
            raise DuplicateTaskIdFound(f"Task id '{task.task_id}' has already been added to the DAG")
        self.task_dict[task.task_id] = task

    def topological_order(self) -> list[BaseOperator]:
        done: list[BaseOperator] = []
        waiting = dict(self.task_dict)
        while waiting:
            ready = [t for t in waiting.values() if t.upstream_task_ids <= {d.task_id for d in done}]
            if not ready:
                raise ValueError(f"cycle among {sorted(waiting)}")
            for t in ready:
                done.append(t)
                del waiting[t.task_id]
        return done

    def resolve_params(self, conf: dict[str, Any] | None = None) -> dict[str, Any]:
        """Params of a run: defaults overridden by ``conf`` (a trigger's conf), each validated."""
        conf = conf or {}
        unknown = set(conf) - set(self.params)
        if unknown:
            # Airflow would accept and pass them on; here a misspelt override should not go unnoticed
            raise ParamValidationError(f"conf keys that are no param of {self.dag_id}: {sorted(unknown)}")
        return {k: p.resolve(conf.get(k, NOTSET)) for k, p in self.params.items()}

    def template_context(self, logical_date: datetime, conf: dict[str, Any] | None = None) -> dict[str, Any]:
        """The names templates may use in a run with this logical date."""
        return {
            "ds": logical_date.strftime("%Y-%m-%d"),
            "ds_nodash": logical_date.strftime("%Y%m%d"),
            "logical_date": logical_date,
            "params": self.resolve_params(conf),
        }

    def template_env(self) -> jinja2.Environment:
        return jinja2.sandbox.SandboxedEnvironment(
            undefined=jinja2.StrictUndefined, extensions=["jinja2.ext.do"], cache_size=0)


# BaseOperator arguments the stand-in keeps, with Airflow 3's defaults
_BASE_ARGS: dict[str, Any] = {
    "owner": "airflow",
    "retries": 0,
    "retry_delay": timedelta(seconds=300),
    "retry_exponential_backoff": False,
    "max_retry_delay": None,
    "execution_timeout": None,
    "doc_md": None,
}


class BaseOperator:
    """A task: id, retry settings, dependencies, and the fields its subclass declares templated."""

    template_fields: ClassVar[Sequence[str]] = ()

    def __init__(self, *, task_id: str, dag: DAG | None = None, default_args: dict[str, Any] | None = None,
                 **kwargs: Any) -> None:
        invalid = set(kwargs) - set(_BASE_ARGS)
        if invalid:
            raise TypeError(f"Invalid arguments were passed to {type(self).__name__} (task_id: {task_id}). "
                            f"Invalid arguments were:\n**kwargs: { {k: kwargs[k] for k in sorted(invalid)} }")
        self.dag = dag or DAG.current()
        defaults = {**(self.dag.default_args if self.dag else {}), **(default_args or {})}
        unmodelled = set(defaults) - set(_BASE_ARGS)
        if unmodelled:
            raise NotImplementedError(f"default_args {sorted(unmodelled)}: the stand-in applies default_args "
                                      f"to BaseOperator's arguments only ({sorted(_BASE_ARGS)})")
        self.task_id = task_id
        for name, value in _BASE_ARGS.items():
            setattr(self, name, kwargs.get(name, defaults.get(name, value)))
        self.upstream_task_ids: set[str] = set()
        self.downstream_task_ids: set[str] = set()
        if self.dag is not None:
            self.dag.add_task(self)

    def set_downstream(self, other: BaseOperator | Sequence[BaseOperator]) -> None:
        for o in other if isinstance(other, (list, tuple)) else [other]:
            self.downstream_task_ids.add(o.task_id)
            o.upstream_task_ids.add(self.task_id)

    def __rshift__(self, other: Any) -> Any:
        self.set_downstream(other)
        return other

    def __lshift__(self, other: Any) -> Any:
        for o in other if isinstance(other, (list, tuple)) else [other]:
            o.set_downstream(self)
        return other

    def __rrshift__(self, other: Any) -> BaseOperator:
        self.__lshift__(other)
        return self

    def __rlshift__(self, other: Any) -> BaseOperator:
        self.__rshift__(other)
        return self

    def render(self, context: dict[str, Any]) -> BaseOperator:
        """A copy of this task with its templated fields rendered, as Airflow renders them before execute."""
        env = self.dag.template_env()
        rendered = copy.copy(self)
        for field in self.template_fields:
            setattr(rendered, field, _render(getattr(self, field), context, env))
        return rendered

    def execute(self, context: dict[str, Any]) -> Any:
        raise NotImplementedError


def _render(value: Any, context: dict[str, Any], env: jinja2.Environment) -> Any:
    if isinstance(value, str):
        return env.from_string(value).render(**context)
    if isinstance(value, (list, tuple, set)):
        return type(value)(_render(v, context, env) for v in value)
    if isinstance(value, dict):
        return {k: _render(v, context, env) for k, v in value.items()}
    return value
