"""Airflow's exception types, as far as the stand-in raises them."""


class AirflowException(Exception):
    """A task failed (the Spark hook raises it when spark-submit exits non-zero)."""


class ParamValidationError(AirflowException):
    """A DAG param's value does not match its JSON schema."""


class DuplicateTaskIdFound(AirflowException):
    """Two tasks of one DAG share a task_id."""
